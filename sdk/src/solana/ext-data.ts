import type { PublicKey } from "@solana/web3.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { CloakError, ErrorCode } from "../errors.js";
import { FIELD_SIZE, bytesToBigInt } from "../field.js";
import { ENCRYPTED_OUTPUT_BYTES, EXT_DATA_DOMAIN } from "./constants.js";
import { I64_MAX, I64_MIN, U64_MAX, checkBytes, i64Le, keyBytes, u64Le } from "./encoding.js";

/**
 * The Solana program's `ExtData`: what a transaction does outside the shielded set, bound to the
 * proof by extDataHash. `recipient` is the SOL account, or for token pools the token account, that a
 * withdrawal pays; `relayer` receives `fee`.
 */
export interface SolanaExtData {
  recipient: PublicKey;
  /** i64: > 0 deposits from the signer, < 0 withdraws to `recipient`, 0 is a private transfer. */
  extAmount: bigint;
  relayer: PublicKey;
  /** u64, paid out of the pool to the relayer. */
  fee: bigint;
  encryptedOutput1: Uint8Array;
  encryptedOutput2: Uint8Array;
}

/** Ext data before the output notes are encrypted: what a caller fills in. */
export type SolanaExtDataDraft = Omit<SolanaExtData, "encryptedOutput1" | "encryptedOutput2">;

/** Borsh size of ExtData: recipient, ext_amount, relayer, fee, two fixed-size outputs. */
export const SOLANA_EXT_DATA_BYTES = 32 + 8 + 32 + 8 + 2 * ENCRYPTED_OUTPUT_BYTES;
/** Size of the hash preimage: the domain tag, program id and pool, then the ExtData fields. */
export const SOLANA_EXT_DATA_PREIMAGE_BYTES = EXT_DATA_DOMAIN.length + 32 + 32 + SOLANA_EXT_DATA_BYTES;

const code = ErrorCode.INVALID_EXT_DATA;

/**
 * Checks the fields every draft needs: public keys, extAmount an i64 other than i64::MIN (whose
 * withdrawal amount would not fit), fee a u64.
 */
export function validateSolanaExtDataDraft(draft: SolanaExtDataDraft): void {
  keyBytes(draft.recipient, "extData.recipient", code);
  keyBytes(draft.relayer, "extData.relayer", code);
  if (typeof draft.extAmount !== "bigint" || draft.extAmount <= I64_MIN || draft.extAmount > I64_MAX) {
    throw new CloakError(code, `extData.extAmount: ${String(draft.extAmount)} is not in (-2^63, 2^63)`);
  }
  if (typeof draft.fee !== "bigint" || draft.fee < 0n || draft.fee > U64_MAX) {
    throw new CloakError(code, `extData.fee: ${String(draft.fee)} is not in [0, 2^64)`);
  }
}

/** validateSolanaExtDataDraft, and both encrypted outputs exactly ENCRYPTED_OUTPUT_BYTES long. */
export function validateSolanaExtData(extData: SolanaExtData): void {
  validateSolanaExtDataDraft(extData);
  checkBytes(extData.encryptedOutput1, ENCRYPTED_OUTPUT_BYTES, "extData.encryptedOutput1", code);
  checkBytes(extData.encryptedOutput2, ENCRYPTED_OUTPUT_BYTES, "extData.encryptedOutput2", code);
}

/** The fields in ExtData order, little-endian integers: shared by the borsh form and the preimage. */
function fieldBytes(extData: SolanaExtData): Uint8Array {
  validateSolanaExtData(extData);
  return concatBytes(
    keyBytes(extData.recipient, "extData.recipient", code),
    i64Le(extData.extAmount, "extData.extAmount", code),
    keyBytes(extData.relayer, "extData.relayer", code),
    u64Le(extData.fee, "extData.fee", code),
    extData.encryptedOutput1,
    extData.encryptedOutput2,
  );
}

/**
 * ExtData as the Anchor instruction takes it (borsh): recipient (32), ext_amount (i64 LE),
 * relayer (32), fee (u64 LE), encrypted_output1 (113), encrypted_output2 (113); 306 bytes.
 */
export function encodeSolanaExtData(extData: SolanaExtData): Uint8Array {
  return fieldBytes(extData);
}

/**
 * The bytes hashed into extDataHash: utf8(EXT_DATA_DOMAIN) || programId || pool || recipient ||
 * extAmount (i64 LE) || relayer || fee (u64 LE) || encryptedOutput1 || encryptedOutput2; 394 bytes.
 * The program id and pool keep a proof from being replayed on another deployment or asset.
 */
export function encodeSolanaExtDataPreimage(extData: SolanaExtData, programId: PublicKey, pool: PublicKey): Uint8Array {
  return concatBytes(
    utf8ToBytes(EXT_DATA_DOMAIN),
    keyBytes(programId, "programId", code),
    keyBytes(pool, "pool", code),
    fieldBytes(extData),
  );
}

/** extDataHash = uint256be(SHA-256(preimage)) mod p, as the program computes it. */
export function hashSolanaExtData(extData: SolanaExtData, programId: PublicKey, pool: PublicKey): bigint {
  return bytesToBigInt(sha256(encodeSolanaExtDataPreimage(extData, programId, pool))) % FIELD_SIZE;
}
