// The committed ceremony outputs: checksums hold, the Solidity verifier is the one the verification key
// renders to, the transcript describes these very files, and the production key proves at depth 20.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CloakError, ErrorCode, loadArtifacts, releaseProvingResources } from "@cloak/sdk";
import { renderVerifier, verifierContractName } from "../../scripts/ceremony/verifier.ts";
import { PRODUCTION_DEPTH, TEST_DEPTH, artifactsDir, proverFor, repoRoot, transferAndWithdraw } from "../support/fixtures.ts";

after(releaseProvingResources);

const CONSTRAINT_BUDGET = 2 ** 14;
const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"));

for (const depth of [PRODUCTION_DEPTH, TEST_DEPTH]) {
  describe(`committed artifacts (depth ${depth})`, () => {
    const dir = artifactsDir(depth);
    const transcript = readJson(join(repoRoot, `circuits/ceremony/transaction_${depth}/transcript.json`));

    it("match their SHA256SUMS", async () => {
      const artifacts = await loadArtifacts(dir);
      assert.equal(artifacts.depth, depth);
    });

    it("are the files the ceremony transcript finalized and exported", () => {
      assert.equal(transcript.stage, "exported");
      assert.equal(sha256(join(dir, "transaction_final.zkey")), transcript.phase2.beacon.zkeySha256);
      assert.equal(sha256(join(dir, "verification_key.json")), transcript.exported.verificationKeySha256);
      assert.ok(transcript.phase2.contributions.length >= 1);
    });

    it("are refused by the loader when a file is altered", async () => {
      const copy = mkdtempSync(join(tmpdir(), "cloak-artifacts-"));
      try {
        cpSync(dir, copy, { recursive: true });
        const vkey = readJson(join(copy, "verification_key.json"));
        vkey.nPublic += 1;
        writeFileSync(join(copy, "verification_key.json"), JSON.stringify(vkey));
        await assert.rejects(loadArtifacts(copy), (error: unknown) => error instanceof CloakError && error.code === ErrorCode.ARTIFACT_MISMATCH);
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    });
  });
}

describe("production circuit and verifier", () => {
  const dir = artifactsDir(PRODUCTION_DEPTH);

  it(`stays within the 2^14 constraint budget of its Powers of Tau`, () => {
    const circuit = readJson(join(dir, "circuit.json"));
    console.log(`  depth-${PRODUCTION_DEPTH} constraints: ${circuit.constraints}`);
    assert.ok(circuit.constraints + circuit.publicInputs + 1 <= CONSTRAINT_BUDGET, `${circuit.constraints} constraints`);
  });

  it("has a committed Solidity verifier rendered from the committed verification key", () => {
    const path = join(repoRoot, "contracts/verifiers", `${verifierContractName(PRODUCTION_DEPTH)}.sol`);
    const expected = renderVerifier(readJson(join(dir, "verification_key.json")), PRODUCTION_DEPTH);
    assert.equal(readFileSync(path, "utf8"), expected);
  });

  it("proves and verifies a 2-input, 2-output transaction at depth 20", async () => {
    const prover = await proverFor(PRODUCTION_DEPTH);
    const tx = await transferAndWithdraw(PRODUCTION_DEPTH);
    const { proof, publicSignals } = await prover.prove(tx.circuitInputs);
    assert.equal(await prover.verify(proof, publicSignals), true);
  });
});
