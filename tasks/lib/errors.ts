import { HardhatPluginError } from "@nomicfoundation/hardhat-errors";

/** Operator-task failures that carry a stable code and a message an operator can act on. */
export const TaskErrorCode = {
  DEPLOYMENT_NOT_FOUND: "DEPLOYMENT_NOT_FOUND",
  DEPLOYMENT_INVALID: "DEPLOYMENT_INVALID",
  INVALID_ARGUMENT: "INVALID_ARGUMENT",
  MISSING_ROLE: "MISSING_ROLE",
  OPERATION_NOT_READY: "OPERATION_NOT_READY",
  CHAIN_MISMATCH: "CHAIN_MISMATCH",
  STATE_FILE_INVALID: "STATE_FILE_INVALID",
  STATE_UNAVAILABLE: "STATE_UNAVAILABLE",
  UNSAFE_UPGRADE: "UNSAFE_UPGRADE",
  VERIFIER_CHECK_FAILED: "VERIFIER_CHECK_FAILED",
  /** A Solana program refused the transaction (the message names the error, its code and the program). */
  TRANSACTION_REFUSED: "TRANSACTION_REFUSED",
} as const;

export type TaskErrorCode = (typeof TaskErrorCode)[keyof typeof TaskErrorCode];

/** Hardhat prints a plugin error's message without a stack trace: operators see the reason, not internals. */
export const CLOAK_PLUGIN_ID = "cloak";

export class TaskError extends HardhatPluginError {
  constructor(
    readonly code: TaskErrorCode,
    message: string,
    cause?: Error,
  ) {
    super(CLOAK_PLUGIN_ID, `${code}: ${message}`, cause);
    this.name = "TaskError";
  }
}
