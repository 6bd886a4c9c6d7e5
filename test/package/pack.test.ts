// The published-package contract: `npm pack` of sdk/ installs into a fresh project that can make a
// note and prove a deposit with the bundled depth-20 artifacts, through the public exports only.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { repoRoot } from "../support/fixtures.ts";

const work = mkdtempSync(join(tmpdir(), "cloak-pack-"));
const consumer = join(work, "consumer");

const CONSUMER_SCRIPT = `
import { getPoseidon, Keypair, MerkleTree, loadBundledProver, proveTransaction, releaseProvingResources, trialDecrypt } from "@cloak/sdk";

const poseidon = await getPoseidon();
const prover = await loadBundledProver();
const alice = Keypair.generate(poseidon);
const tree = new MerkleTree(prover.depth, poseidon);
const zero = "0x0000000000000000000000000000000000000000";
const tx = await proveTransaction({
  tree,
  inputs: [],
  outputs: [{ amount: 1000n, recipient: alice }],
  extData: { chainId: 1n, pool: "0x1111111111111111111111111111111111111111", recipient: zero, relayer: zero, extAmount: 1000n, fee: 0n },
}, prover, poseidon);
const verified = await prover.verify(tx.proof, tx.publicSignals);
const found = trialDecrypt([{ commitment: tx.publicInputs.outputCommitments[0], leafIndex: 0, ciphertext: tx.extData.encryptedOutput1 }], alice, poseidon);
console.log(JSON.stringify({ depth: prover.depth, verified, discovered: found.map((n) => n.amount.toString()) }));
await releaseProvingResources();
`;

describe("@cloak/sdk package", () => {
  after(() => rmSync(work, { recursive: true, force: true }));

  it("installs from its npm pack tarball and proves a deposit in a fresh project", () => {
    execFileSync("npm", ["pack", "--pack-destination", work], { cwd: join(repoRoot, "sdk"), stdio: "pipe" });
    const tarball = readdirSync(work).find((name) => name.endsWith(".tgz"));
    assert.ok(tarball, "npm pack produced no tarball");

    execFileSync("mkdir", ["-p", consumer]);
    writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", join(work, tarball)], { cwd: consumer, stdio: "pipe" });
    writeFileSync(join(consumer, "main.js"), CONSUMER_SCRIPT);

    const output = execFileSync("node", ["main.js"], { cwd: consumer, encoding: "utf8" });
    const result = JSON.parse(output.trim().split("\n").pop()!);
    assert.deepEqual(result, { depth: 20, verified: true, discovered: ["1000"] });
  });
});
