/** What went wrong, for callers that branch on it; the message names the file, address or step. */
export enum TestkitErrorCode {
  NODE_FAILED = "NODE_FAILED",
  DEPLOY_FAILED = "DEPLOY_FAILED",
  CORPUS_MISMATCH = "CORPUS_MISMATCH",
  CORPUS_INVALID = "CORPUS_INVALID",
  SUBMIT_FAILED = "SUBMIT_FAILED",
}

export class TestkitError extends Error {
  override readonly name = "TestkitError";
  constructor(
    readonly code: TestkitErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
