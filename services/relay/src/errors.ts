/** What the relay refuses or fails on, by code: intake answers carry it, jobs record it as their reason. */
export enum RelayErrorCode {
  INVALID_CONFIG = "INVALID_CONFIG",
  NOT_FOUND = "NOT_FOUND",
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
