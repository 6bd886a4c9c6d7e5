import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CloakError, ErrorCode } from "./errors.js";
import { PRODUCTION_TREE_DEPTH } from "./merkle.js";
import { createProver, type CreateProverOptions, type NativeProver } from "./native-prover.js";
import { loadArtifacts, type SnarkjsProver } from "./prover.js";

/**
 * The published package ships the ceremony's depth-20 artifacts (wasm, final zkey, verification key)
 * next to dist/, so an installed SDK can prove without fetching anything.
 */
export function bundledArtifactsDir(depth = PRODUCTION_TREE_DEPTH): string {
  const dir = fileURLToPath(new URL(`../artifacts/transaction_${depth}/`, import.meta.url));
  if (!existsSync(dir)) {
    throw new CloakError(ErrorCode.ARTIFACT_NOT_FOUND, `no bundled artifacts for depth ${depth} at ${dir}; pass a ceremony export directory instead`);
  }
  return dir;
}

/**
 * A prover over the bundled production artifacts, checksums verified: native where @cloak/native
 * loads, snarkjs otherwise (see createProver; `options.backend` overrides).
 */
export async function loadBundledProver(depth = PRODUCTION_TREE_DEPTH, options: CreateProverOptions = {}): Promise<NativeProver | SnarkjsProver> {
  return createProver(await loadArtifacts(bundledArtifactsDir(depth)), options);
}
