// The verifying key a rotation installs, read from a snarkjs verification_key.json (the ceremony's export).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import { toSolanaVerifyingKey, type SnarkjsVerificationKey, type SolanaVerifyingKey } from "@cloak/sdk/solana";
import { TaskError, TaskErrorCode } from "../../lib/errors.ts";

/** The depth-20 ceremony's key: the only depth the shield pool's tree has. */
export const DEFAULT_VERIFICATION_KEY = "circuits/artifacts/transaction_20/verification_key.json";

/** Checking a key's points costs about 113,700 CU (docs/solana.md); room for Anchor's own work on top. */
export const KEY_CHECK_COMPUTE_UNITS = 400_000;

export interface LoadedVerifyingKey {
  path: string;
  key: SolanaVerifyingKey;
  /** SHA-256 of the file, for the operator to compare with the ceremony's published checksum. */
  fileSha256: string;
}

export function loadVerifyingKey(root: string, file: string): LoadedVerifyingKey {
  const path = resolve(root, file.trim() || DEFAULT_VERIFICATION_KEY);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--vkey: cannot read ${path}`);
  }
  try {
    const key = toSolanaVerifyingKey(JSON.parse(text) as SnarkjsVerificationKey);
    return { path, key, fileSha256: Buffer.from(sha256(Buffer.from(text))).toString("hex") };
  } catch (error) {
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--vkey: ${path} is not a join-split verification key: ${error instanceof Error ? error.message : String(error)}`);
  }
}
