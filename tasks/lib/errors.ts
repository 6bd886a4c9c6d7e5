/** Operator-task failures that carry a stable code and a message an operator can act on. */
export const TaskErrorCode = {
  DEPLOYMENT_NOT_FOUND: "DEPLOYMENT_NOT_FOUND",
  DEPLOYMENT_INVALID: "DEPLOYMENT_INVALID",
  INVALID_ARGUMENT: "INVALID_ARGUMENT",
  MISSING_ROLE: "MISSING_ROLE",
  OPERATION_NOT_READY: "OPERATION_NOT_READY",
  CHAIN_MISMATCH: "CHAIN_MISMATCH",
  UNSAFE_UPGRADE: "UNSAFE_UPGRADE",
} as const;

export type TaskErrorCode = (typeof TaskErrorCode)[keyof typeof TaskErrorCode];

export class TaskError extends Error {
  constructor(
    readonly code: TaskErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "TaskError";
  }
}
