// Runs scripts/trusted-setup-ceremony.sh end to end, every step, for the test-depth circuit, so the
// script can never rot; then proves with what it exported. Also checks each out-of-order step fails.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SnarkjsProver, releaseProvingResources } from "@cloak/sdk";
import { TEST_DEPTH, repoRoot, transferAndWithdraw } from "../support/fixtures.ts";

const script = join(repoRoot, "scripts/trusted-setup-ceremony.sh");
const work = mkdtempSync(join(tmpdir(), "cloak-ceremony-"));
const dir = join(work, "ceremony");
const out = join(work, "artifacts");
const verifierOut = join(work, "Verifier.sol");
const BEACON = "8c1f0c9d5e0a4b7f3a26d1e4c5b6a7980f1e2d3c4b5a69788796a5b4c3d2e1f0";

function ceremony(...args: string[]) {
  const result = spawnSync("bash", [script, ...args, "--depth", String(TEST_DEPTH), "--dir", dir], { encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function expectRefusal(args: string[], message: RegExp): void {
  const { status, output } = ceremony(...args);
  assert.equal(status, 2, output);
  assert.match(output, message);
}

const transcript = () => JSON.parse(readFileSync(join(dir, "transcript.json"), "utf8"));

describe("trusted-setup ceremony", () => {
  before(() => rmSync(dir, { recursive: true, force: true }));
  after(async () => {
    rmSync(work, { recursive: true, force: true });
    await releaseProvingResources();
  });

  it("refuses to contribute before a ceremony exists", () => {
    expectRefusal(["contribute", "--name", "alice"], /no ceremony .*run 'new' before 'contribute'/);
  });

  it("starts with a local phase 1 and the Groth16 setup", () => {
    const { status, output } = ceremony("new");
    assert.equal(status, 0, output);
    const t = transcript();
    assert.equal(t.stage, "phase2");
    assert.equal(t.phase1.source, "local");
    assert.equal(t.circuit.depth, TEST_DEPTH);
  });

  it("refuses a second 'new' over an existing ceremony", () => {
    expectRefusal(["new"], /already exists/);
  });

  it("refuses to close phase 2 before anyone has contributed", () => {
    expectRefusal(["beacon", "--beacon", BEACON], /at least one contribution/);
  });

  it("refuses a contribution without a contributor name", () => {
    expectRefusal(["contribute"], /--name/);
  });

  it("records two contributions with their hashes", () => {
    for (const name of ["alice", "bob"]) {
      const { status, output } = ceremony("contribute", "--name", name);
      assert.equal(status, 0, output);
    }
    const contributions = transcript().phase2.contributions;
    assert.deepEqual(contributions.map((c: { name: string }) => c.name), ["alice", "bob"]);
    assert.notEqual(contributions[0].contributionHash, contributions[1].contributionHash);
  });

  it("verifies the contribution chain", () => {
    const { status, output } = ceremony("verify");
    assert.equal(status, 0, output);
    assert.match(output, /Verified/);
  });

  it("refuses to export before the beacon", () => {
    expectRefusal(["export"], /run 'beacon/);
  });

  it("refuses a beacon that is not hex", () => {
    expectRefusal(["finalize", "--beacon", "not-a-beacon"], /--beacon must be/);
  });

  it("closes phase 2 with the beacon and verifies the final key", () => {
    const { status, output } = ceremony("finalize", "--beacon", BEACON);
    assert.equal(status, 0, output);
    assert.equal(transcript().stage, "final");
    assert.equal(transcript().phase2.beacon.hash, BEACON);
  });

  it("refuses a contribution after finalization", () => {
    expectRefusal(["contribute", "--name", "mallory"], /phase 2 is closed/);
  });

  it("exports artifacts and a verifier that prove and verify a transaction", async () => {
    const { status, output } = ceremony("export", "--out", out, "--verifier-out", verifierOut);
    assert.equal(status, 0, output);
    assert.ok(existsSync(verifierOut));
    assert.match(readFileSync(verifierOut, "utf8"), new RegExp(`contract Transaction${TEST_DEPTH}Verifier`));
    assert.match(readFileSync(join(out, "verifying_key.rs"), "utf8"), /Groth16Verifyingkey/);
    const prover = await SnarkjsProver.fromDirectory(out);
    const tx = await transferAndWithdraw(TEST_DEPTH);
    const { proof, publicSignals } = await prover.prove(tx.circuitInputs);
    assert.equal(await prover.verify(proof, publicSignals), true);
  });
});
