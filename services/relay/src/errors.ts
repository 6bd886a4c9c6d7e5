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
