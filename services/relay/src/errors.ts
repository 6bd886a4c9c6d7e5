/** What the relay refuses or fails on, by code: intake answers carry it, jobs record it as their reason. */
export enum RelayErrorCode {
  INVALID_CONFIG = "INVALID_CONFIG",
  NOT_FOUND = "NOT_FOUND",
  // The job queue (src/queue/).
  INVALID_JOB = "INVALID_JOB",
  JOB_NOT_FOUND = "JOB_NOT_FOUND",
  JOB_NOT_REQUEUEABLE = "JOB_NOT_REQUEUEABLE",
  JOB_NOT_CANCELLABLE = "JOB_NOT_CANCELLABLE",
  LEASE_LOST = "LEASE_LOST",
  ATTEMPT_TIMEOUT = "ATTEMPT_TIMEOUT",
  /** The relay drains (`cloak-relay drain`): new withdrawals are refused with 503. */
  DRAINING = "DRAINING",
  // EVM intake (src/intake/): why a withdrawal is refused before it is queued.
  INVALID_REQUEST = "INVALID_REQUEST",
  UNKNOWN_POOL = "UNKNOWN_POOL",
  WRONG_CHAIN = "WRONG_CHAIN",
  POOL_MISMATCH = "POOL_MISMATCH",
  NOT_A_WITHDRAWAL = "NOT_A_WITHDRAWAL",
  WRONG_RELAYER = "WRONG_RELAYER",
  EXT_DATA_MISMATCH = "EXT_DATA_MISMATCH",
  PUBLIC_AMOUNT_MISMATCH = "PUBLIC_AMOUNT_MISMATCH",
  DUPLICATE_NULLIFIER = "DUPLICATE_NULLIFIER",
  INVALID_PROOF = "INVALID_PROOF",
  FEE_TOO_LOW = "FEE_TOO_LOW",
  POOL_PAUSED = "POOL_PAUSED",
  RETIRED_VERIFYING_KEY = "RETIRED_VERIFYING_KEY",
  RELAYER_NOT_REGISTERED = "RELAYER_NOT_REGISTERED",
  UNKNOWN_ROOT = "UNKNOWN_ROOT",
  NULLIFIER_SPENT = "NULLIFIER_SPENT",
  // Solana intake: a request naming another shield pool program than the relay's.
  WRONG_PROGRAM = "WRONG_PROGRAM",
  // The EVM sender (src/senders/evm/): a job's transaction on chain.
  EVM_BROADCAST_FAILED = "EVM_BROADCAST_FAILED",
  EVM_TRANSACTION_REVERTED = "EVM_TRANSACTION_REVERTED",
  EVM_CONFIRMATION_TIMEOUT = "EVM_CONFIRMATION_TIMEOUT",
  EVM_NO_TRANSACTION = "EVM_NO_TRANSACTION",
  // The Solana sender (src/senders/solana/): a job's transaction, the lookup table, PoW claims.
  SOLANA_BROADCAST_FAILED = "SOLANA_BROADCAST_FAILED",
  SOLANA_BLOCKHASH_EXPIRED = "SOLANA_BLOCKHASH_EXPIRED",
  SOLANA_CONFIRMATION_TIMEOUT = "SOLANA_CONFIRMATION_TIMEOUT",
  SOLANA_NO_TRANSACTION = "SOLANA_NO_TRANSACTION",
  SOLANA_TRANSACTION_TOO_LARGE = "SOLANA_TRANSACTION_TOO_LARGE",
  SOLANA_LOOKUP_TABLE = "SOLANA_LOOKUP_TABLE",
  POW_CLAIM_NOT_FOUND = "POW_CLAIM_NOT_FOUND",
  POW_DISABLED = "POW_DISABLED",
}

export class RelayError extends Error {
  constructor(
    readonly code: RelayErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "RelayError";
  }
}
