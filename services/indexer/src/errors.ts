/** What the indexer refuses or fails on, by code (the API and the CLI report the code and the message). */
export enum IndexerErrorCode {
  NOT_FOUND = "NOT_FOUND",
  TREE_FULL = "TREE_FULL",
  INVALID_SNAPSHOT = "INVALID_SNAPSHOT",
  INVALID_DEPLOYMENT = "INVALID_DEPLOYMENT",
  ROOT_MISMATCH = "ROOT_MISMATCH",
  OUT_OF_ORDER = "OUT_OF_ORDER",
  NOTHING_TO_INDEX = "NOTHING_TO_INDEX",
  CHAIN_MISMATCH = "CHAIN_MISMATCH",
}

export class IndexerError extends Error {
  constructor(
    readonly code: IndexerErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "IndexerError";
  }
}
