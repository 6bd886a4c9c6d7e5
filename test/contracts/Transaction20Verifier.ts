// The committed Solidity verifier on Hardhat's in-process EVM, against real depth-20 proofs from the SDK,
// made by each prover backend (snarkjs, and the native addon with and without fixed-base tables).
import { expect } from "chai";
import { network } from "hardhat";
import { FIELD_SIZE, NativeProver, loadArtifacts, releaseProvingResources, toSolidityProof, type ProofResult, type Prover } from "@cloak/sdk";
import { PRODUCTION_DEPTH, artifactsDir, proverFor, transferAndWithdraw } from "../support/fixtures.ts";

const { ethers } = await network.create();

const backends: Record<string, () => Promise<Prover>> = {
  snarkjs: () => proverFor(PRODUCTION_DEPTH),
  native: async () => NativeProver.create(await loadArtifacts(artifactsDir(PRODUCTION_DEPTH))),
  "native, fixed-base tables": async () => NativeProver.create(await loadArtifacts(artifactsDir(PRODUCTION_DEPTH)), { fixedBaseTables: true }),
};

for (const [backend, makeProver] of Object.entries(backends)) describe(`Transaction20Verifier (${backend} proofs)`, function () {
  let proven: ProofResult;

  before(async function () {
    const prover = await makeProver();
    const tx = await transferAndWithdraw(PRODUCTION_DEPTH);
    proven = await prover.prove(tx.circuitInputs);
  });

  after(releaseProvingResources);

  async function verify(signals: bigint[]): Promise<boolean> {
    const verifier = await ethers.deployContract("Transaction20Verifier");
    const { pA, pB, pC } = toSolidityProof(proven.proof);
    return verifier.verifyProof(pA, pB, pC, signals);
  }

  it("accepts a real depth-20 join-split proof", async function () {
    expect(await verify(proven.publicSignals)).to.equal(true);
  });

  it("rejects the proof under a changed extDataHash", async function () {
    const signals = [...proven.publicSignals];
    signals[2] = (signals[2]! + 1n) % FIELD_SIZE;
    expect(await verify(signals)).to.equal(false);
  });

  it("rejects the proof under a changed nullifier", async function () {
    const signals = [...proven.publicSignals];
    signals[3] = (signals[3]! + 1n) % FIELD_SIZE;
    expect(await verify(signals)).to.equal(false);
  });

  it("rejects a public signal at or above the field modulus", async function () {
    const signals = [...proven.publicSignals];
    signals[1] = signals[1]! + FIELD_SIZE;
    expect(await verify(signals)).to.equal(false);
  });
});
