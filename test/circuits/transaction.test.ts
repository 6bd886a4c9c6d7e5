// The join-split's statement, checked through the real wasm witness generator and snarkjs Groth16
// at the test depth: what must prove does, and each tampering is refused by the circuit or the verifier.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { CloakError, ErrorCode, FIELD_SIZE, Keypair, MAX_AMOUNT, prepareTransaction, publicSignalsOf, releaseProvingResources, type CircuitInputs } from "@cloak/sdk";
import { TEST_DEPTH, extDataBase, proverFor, scenario, transferAndWithdraw } from "../support/fixtures.ts";

const prover = await proverFor(TEST_DEPTH);
after(releaseProvingResources);

async function assertWitnessRefused(inputs: CircuitInputs): Promise<void> {
  await assert.rejects(prover.prove(inputs), (error: unknown) => {
    assert.ok(error instanceof CloakError);
    assert.equal(error.code, ErrorCode.WITNESS_FAILED);
    return true;
  });
}

function clone(inputs: CircuitInputs): CircuitInputs {
  return structuredClone(inputs);
}

describe(`join-split circuit (depth ${TEST_DEPTH})`, () => {
  it("proves and verifies a two-input transfer with a withdrawal and a fee", async () => {
    const tx = await transferAndWithdraw(TEST_DEPTH);
    const { proof, publicSignals } = await prover.prove(tx.circuitInputs);
    assert.deepEqual(publicSignals, publicSignalsOf(tx.publicInputs));
    assert.equal(await prover.verify(proof, publicSignals), true);
  });

  it("proves a deposit whose two inputs are zero-amount dummies outside the tree", async () => {
    const s = await scenario(TEST_DEPTH, []);
    const tx = prepareTransaction(
      { tree: s.tree, inputs: [], outputs: [{ amount: 50n, recipient: s.owner }], extData: { ...extDataBase, extAmount: 50n } },
      s.poseidon,
    );
    const { proof, publicSignals } = await prover.prove(tx.circuitInputs);
    assert.equal(await prover.verify(proof, publicSignals), true);
  });

  it("orders public signals as root, publicAmount, extDataHash, nullifiers, commitments", async () => {
    const tx = await transferAndWithdraw(TEST_DEPTH);
    const { publicSignals } = await prover.prove(tx.circuitInputs);
    assert.equal(publicSignals[0], tx.tree.root);
    assert.equal(publicSignals[1], FIELD_SIZE - 3n);
    assert.equal(publicSignals[2], tx.publicInputs.extDataHash);
    assert.deepEqual(publicSignals.slice(3, 5), tx.publicInputs.inputNullifiers);
    assert.deepEqual(publicSignals.slice(5, 7), tx.publicInputs.outputCommitments);
  });

  it("refuses a root the inputs are not members of", async () => {
    const tx = await transferAndWithdraw(TEST_DEPTH);
    const inputs = clone(tx.circuitInputs);
    inputs.root = (tx.tree.root + 1n).toString();
    await assertWitnessRefused(inputs);
  });

  it("refuses outputs that do not balance the inputs and public amount", async () => {
    const tx = await transferAndWithdraw(TEST_DEPTH);
    const inputs = clone(tx.circuitInputs);
    // One more unit out than in: the output commitment is recomputed so only the balance is wrong.
    const outAmount = 13n;
    const outPublicKey = BigInt((inputs.outPublicKey as string[])[0]!);
    const outBlinding = BigInt((inputs.outBlinding as string[])[0]!);
    (inputs.outAmount as string[])[0] = outAmount.toString();
    (inputs.outputCommitment as string[])[0] = tx.poseidon.hash([outAmount, outPublicKey, outBlinding]).toString();
    await assertWitnessRefused(inputs);
  });

  it("refuses an output amount of 2^248 that wraps the field to mint value", async () => {
    const s = await scenario(TEST_DEPTH, [10n]);
    const tx = prepareTransaction(
      { tree: s.tree, inputs: [{ note: s.notes[0]!, owner: s.owner }], outputs: [{ amount: 10n, recipient: s.owner }], extData: { ...extDataBase, extAmount: 0n } },
      s.poseidon,
    );
    const inputs = clone(tx.circuitInputs);
    // out0 = 2^248 + 10 and out1 = p - 2^248 sum to 10 mod p: balanced in the field, but out of range.
    const big = MAX_AMOUNT + 1n + 10n;
    const negative = FIELD_SIZE - (MAX_AMOUNT + 1n);
    const keys = inputs.outPublicKey as string[];
    const blindings = inputs.outBlinding as string[];
    (inputs.outAmount as string[])[0] = big.toString();
    (inputs.outAmount as string[])[1] = negative.toString();
    (inputs.outputCommitment as string[])[0] = s.poseidon.hash([big, BigInt(keys[0]!), BigInt(blindings[0]!)]).toString();
    (inputs.outputCommitment as string[])[1] = s.poseidon.hash([negative, BigInt(keys[1]!), BigInt(blindings[1]!)]).toString();
    await assertWitnessRefused(inputs);
  });

  it("refuses the same note as both inputs (equal nullifiers)", async () => {
    const tx = await transferAndWithdraw(TEST_DEPTH);
    const inputs = clone(tx.circuitInputs);
    for (const field of ["inAmount", "inPrivateKey", "inBlinding", "inPathIndex", "inputNullifier"] as const) {
      (inputs[field] as string[])[1] = (inputs[field] as string[])[0]!;
    }
    (inputs.inPathElements as string[][])[1] = [...(inputs.inPathElements as string[][])[0]!];
    // Rebalance: input 0 twice is 20 in; outputs 12 + 5 plus the 3 leaving.
    (inputs.outAmount as string[])[1] = "5";
    const keys = inputs.outPublicKey as string[];
    const blindings = inputs.outBlinding as string[];
    (inputs.outputCommitment as string[])[1] = tx.poseidon.hash([5n, BigInt(keys[1]!), BigInt(blindings[1]!)]).toString();
    await assertWitnessRefused(inputs);
  });

  it("refuses an input spent with a key that does not own it", async () => {
    const tx = await transferAndWithdraw(TEST_DEPTH);
    const inputs = clone(tx.circuitInputs);
    const thief = Keypair.generate(tx.poseidon);
    (inputs.inPrivateKey as string[])[0] = thief.privateKey.toString();
    await assertWitnessRefused(inputs);
  });

  it("fails verification when extDataHash is changed after proving", async () => {
    const tx = await transferAndWithdraw(TEST_DEPTH);
    const { proof, publicSignals } = await prover.prove(tx.circuitInputs);
    const tampered = [...publicSignals];
    tampered[2] = (tampered[2]! + 1n) % FIELD_SIZE;
    assert.equal(await prover.verify(proof, tampered), false);
  });

  it("fails verification when an output commitment is changed after proving", async () => {
    const tx = await transferAndWithdraw(TEST_DEPTH);
    const { proof, publicSignals } = await prover.prove(tx.circuitInputs);
    const tampered = [...publicSignals];
    tampered[6] = (tampered[6]! + 1n) % FIELD_SIZE;
    assert.equal(await prover.verify(proof, tampered), false);
  });
});
