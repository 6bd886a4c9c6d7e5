/** Every failure the SDK raises carries one of these codes, so callers can branch without parsing text. */
export const ErrorCode = {
  INVALID_FIELD_ELEMENT: "INVALID_FIELD_ELEMENT",
  INVALID_AMOUNT: "INVALID_AMOUNT",
  INVALID_KEY: "INVALID_KEY",
  INVALID_ADDRESS: "INVALID_ADDRESS",
  INVALID_NOTE: "INVALID_NOTE",
  UNSUPPORTED_VERSION: "UNSUPPORTED_VERSION",
  DECRYPTION_FAILED: "DECRYPTION_FAILED",
  INSUFFICIENT_FUNDS: "INSUFFICIENT_FUNDS",
  TOO_MANY_INPUTS: "TOO_MANY_INPUTS",
  TOO_MANY_OUTPUTS: "TOO_MANY_OUTPUTS",
  DUPLICATE_INPUT: "DUPLICATE_INPUT",
  INVALID_EXT_DATA: "INVALID_EXT_DATA",
  TREE_FULL: "TREE_FULL",
  LEAF_NOT_FOUND: "LEAF_NOT_FOUND",
  ROOT_NOT_FOUND: "ROOT_NOT_FOUND",
  INVALID_SNAPSHOT: "INVALID_SNAPSHOT",
  ARTIFACT_NOT_FOUND: "ARTIFACT_NOT_FOUND",
  ARTIFACT_MISMATCH: "ARTIFACT_MISMATCH",
  WITNESS_FAILED: "WITNESS_FAILED",
  PROOF_FAILED: "PROOF_FAILED",
  /** The prover backend asked for does not load on this machine (the native addon is absent). */
  PROVER_UNAVAILABLE: "PROVER_UNAVAILABLE",
  /** A native backend was asked for (e.g. Poseidon's) where @cloak/native does not load. */
  NATIVE_UNAVAILABLE: "NATIVE_UNAVAILABLE",
  NOT_INITIALIZED: "NOT_INITIALIZED",
  /** A PDA seed (nullifier, batch hash, slot) does not fit its fixed-width encoding. */
  INVALID_PDA_SEED: "INVALID_PDA_SEED",
  /** A proof-of-work input (slot, hash, nonce, difficulty) is out of range or the wrong length. */
  INVALID_POW_INPUT: "INVALID_POW_INPUT",
  /** An instruction builder's input is missing, malformed, or inconsistent with the others. */
  INVALID_INSTRUCTION_INPUT: "INVALID_INSTRUCTION_INPUT",
  /** Account data is not the account asked for: wrong owner, discriminator or size. */
  INVALID_ACCOUNT_DATA: "INVALID_ACCOUNT_DATA",
  /** Transaction logs whose program events cannot be read (malformed logs, or an event that does not decode). */
  INVALID_EVENT_DATA: "INVALID_EVENT_DATA",
  /** Proof bytes that are not an encoded Groth16 proof (length, or a coordinate outside the base field). */
  INVALID_PROOF_ENCODING: "INVALID_PROOF_ENCODING",
  /** A transaction a node refused or ran to a failure (a program error, a runtime error); the error names which. */
  TRANSACTION_FAILED: "TRANSACTION_FAILED",
  /** A transaction the node does not have (yet) at the asked commitment, asked for by a reader that must not skip it. */
  TRANSACTION_NOT_FOUND: "TRANSACTION_NOT_FOUND",
  /** An option outside its range (a log reader's block range, a starting block). */
  INVALID_OPTION: "INVALID_OPTION",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class CloakError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CloakError";
    this.code = code;
  }
}

export function isCloakError(error: unknown, code?: ErrorCode): error is CloakError {
  return error instanceof CloakError && (code === undefined || error.code === code);
}
