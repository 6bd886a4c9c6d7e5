// `npx hardhat artifacts:check [--depth N]`: after a ceremony export or key rotation (EP-003), proves
// the committed files are consistent before anything is deployed. Exits non-zero on any mismatch.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CloakError, loadArtifacts } from "@cloak/sdk";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { renderVerifier, verifierContractName } from "../../scripts/ceremony/verifier.ts";

interface ArtifactsCheckArguments {
  depth: number;
}

export default async function artifactsCheck({ depth }: ArtifactsCheckArguments, hre: HardhatRuntimeEnvironment): Promise<void> {
  const root = hre.config.paths.root;
  const dir = join(root, "circuits/artifacts", `transaction_${depth}`);
  const verifierPath = join(hre.config.paths.sources.solidity[0] ?? join(root, "contracts"), "verifiers", `${verifierContractName(depth)}.sol`);
  const problems: string[] = [];

  let verificationKey: object | undefined;
  try {
    const artifacts = await loadArtifacts(dir);
    verificationKey = artifacts.verificationKey;
    console.log(`✔ ${dir}: wasm, final zkey and verification key match SHA256SUMS`);
    if (artifacts.depth !== depth) problems.push(`circuit.json says depth ${artifacts.depth}, expected ${depth}`);
  } catch (error) {
    problems.push(error instanceof CloakError ? `${error.code}: ${error.message}` : String(error));
  }

  if (verificationKey) {
    if (!existsSync(verifierPath)) {
      problems.push(`${verifierPath} is missing: run the ceremony's export step`);
    } else if (readFileSync(verifierPath, "utf8") !== renderVerifier(verificationKey, depth)) {
      problems.push(`${verifierPath} was not rendered from ${join(dir, "verification_key.json")}: re-export, never hand-edit`);
    } else {
      console.log(`✔ ${verifierPath} renders from the verification key`);
    }
  }

  if (problems.length > 0) {
    for (const problem of problems) console.error(`✖ ${problem}`);
    process.exitCode = 1;
  }
}
