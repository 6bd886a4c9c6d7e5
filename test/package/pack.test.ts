// The published-package contract: `npm pack` of sdk/ installs into a fresh project that can make a
// note and prove a deposit with the bundled depth-20 artifacts, through the public exports only —
// natively where @cloak/native and its linux-x64 package install (as optional dependencies would
// from the registry), and with snarkjs when optional dependencies are omitted.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { repoRoot } from "../support/fixtures.ts";

const work = mkdtempSync(join(tmpdir(), "cloak-pack-"));

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
console.log(JSON.stringify({ prover: prover.name, depth: prover.depth, verified, discovered: found.map((n) => n.amount.toString()) }));
await releaseProvingResources();
`;

function pack(dir: string): string {
  const before = new Set(readdirSync(work));
  execFileSync("npm", ["pack", "--pack-destination", work], { cwd: join(repoRoot, dir), stdio: "pipe" });
  const tarball = readdirSync(work).find((name) => name.endsWith(".tgz") && !before.has(name));
  assert.ok(tarball, `npm pack of ${dir} produced no tarball`);
  return join(work, tarball);
}

/** A fresh project depending on the packed SDK, the native packages standing in for the registry's. */
function installConsumer(name: string, tarballs: { sdk: string; native: string; platform: string }, installArgs: string[]): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({
      name,
      private: true,
      type: "module",
      dependencies: { "@cloak/sdk": `file:${tarballs.sdk}` },
      overrides: { "@cloak/native": `file:${tarballs.native}`, "@cloak/native-linux-x64-gnu": `file:${tarballs.platform}` },
    }),
  );
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", ...installArgs], { cwd: dir, stdio: "pipe" });
  writeFileSync(join(dir, "main.js"), CONSUMER_SCRIPT);
  return dir;
}

function run(dir: string): unknown {
  const output = execFileSync("node", ["main.js"], { cwd: dir, encoding: "utf8" });
  return JSON.parse(output.trim().split("\n").pop()!);
}

describe("@cloak/sdk package", () => {
  const tarballs = () => ({ sdk: pack("sdk"), native: pack("native"), platform: pack("native/npm/linux-x64-gnu") });
  let packed: ReturnType<typeof tarballs>;

  before(() => {
    packed = tarballs();
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it("installs from its npm pack tarball and proves a deposit natively in a fresh project", () => {
    const dir = installConsumer("consumer-native", packed, []);
    assert.deepEqual(run(dir), { prover: "native", depth: 20, verified: true, discovered: ["1000"] });
  });

  it("proves a deposit with snarkjs when installed with --omit=optional", () => {
    const dir = installConsumer("consumer-portable", packed, ["--omit=optional"]);
    assert.equal(existsSync(join(dir, "node_modules/@cloak/native")), false);
    assert.deepEqual(run(dir), { prover: "snarkjs", depth: 20, verified: true, discovered: ["1000"] });
  });
});
