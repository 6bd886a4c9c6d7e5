import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import {
  ErrorCode,
  Keypair,
  MerkleTree,
  createNote,
  decryptNote,
  getPoseidon,
  hashEvmExtData,
  noteCommitment,
  prepareTransaction,
  publicAmount,
  type TransactionRequest,
} from "../src/index.js";
import { assertCloakError } from "./helpers.js";

const poseidon = await getPoseidon();
const alice = Keypair.generate(poseidon);
const bob = Keypair.generate(poseidon);
const ZERO = "0x0000000000000000000000000000000000000000";
const baseExtData = { chainId: 31337n, pool: "0x1111111111111111111111111111111111111111", recipient: ZERO, relayer: ZERO, fee: 0n };

function fundedTree(amounts: bigint[]) {
  const notes = amounts.map((amount) => createNote(amount, alice.publicKey));
  const tree = new MerkleTree(5, poseidon, { leaves: notes.map((n) => noteCommitment(n, poseidon)) });
  return { tree, notes: notes.map((note, leafIndex) => ({ ...note, leafIndex })) };
}

/** A seeded byte stream (SHA-256 of seed and counter), as a reproducible-corpus generator supplies. */
function seededSource(seed: string): (length: number) => Uint8Array {
  let counter = 0;
  return (length) => {
    const out = new Uint8Array(length);
    for (let filled = 0; filled < length; filled += 32) {
      out.set(createHash("sha256").update(`${seed}/${counter++}`).digest().subarray(0, length - filled), filled);
    }
    return out;
  };
}

describe("prepareTransaction", () => {
  it("reproduces blindings, dummy inputs and ciphertexts exactly from the same seeded random source", () => {
    const request = () => ({
      tree: new MerkleTree(5, poseidon),
      inputs: [],
      outputs: [{ amount: 7n, recipient: alice }],
      extData: { ...baseExtData, extAmount: 7n },
      random: seededSource("corpus"),
    });
    const first = prepareTransaction(request(), poseidon);
    const second = prepareTransaction(request(), poseidon);
    assert.deepEqual(second.circuitInputs, first.circuitInputs);
    assert.deepEqual(second.extData, first.extData);
    assert.notDeepEqual(prepareTransaction({ ...request(), random: seededSource("other") }, poseidon).circuitInputs, first.circuitInputs);
    assert.equal(decryptNote(first.extData.encryptedOutput1, alice).blinding, first.outputNotes[0]!.blinding);
  });

  it("pads a deposit to two dummy inputs and two outputs that balance", () => {
    const tree = new MerkleTree(5, poseidon);
    const tx = prepareTransaction({ tree, inputs: [], outputs: [{ amount: 7n, recipient: alice }], extData: { ...baseExtData, extAmount: 7n } }, poseidon);
    assert.deepEqual(tx.circuitInputs.inAmount, ["0", "0"]);
    assert.deepEqual(tx.circuitInputs.outAmount, ["7", "0"]);
    assert.equal(tx.publicInputs.publicAmount, 7n);
    assert.equal(tx.publicInputs.root, tree.root);
    assert.notEqual(tx.publicInputs.inputNullifiers[0], tx.publicInputs.inputNullifiers[1]);
  });

  it("encrypts each output to its recipient and hashes the final extData", () => {
    const { tree, notes } = fundedTree([10n]);
    const request: TransactionRequest = {
      tree,
      inputs: [{ note: notes[0]!, owner: alice }],
      outputs: [{ amount: 4n, recipient: bob }, { amount: 5n, recipient: alice }],
      extData: { ...baseExtData, extAmount: 0n, fee: 1n },
    };
    const tx = prepareTransaction(request, poseidon);
    assert.equal(decryptNote(tx.extData.encryptedOutput1, bob).amount, 4n);
    assert.equal(decryptNote(tx.extData.encryptedOutput2, alice).amount, 5n);
    assert.equal(tx.publicInputs.extDataHash, hashEvmExtData(tx.extData));
    assert.equal(tx.publicInputs.publicAmount, publicAmount(0n, 1n));
  });

  it("refuses outputs worth more than the inputs", () => {
    const { tree, notes } = fundedTree([10n]);
    assertCloakError(
      () => prepareTransaction({ tree, inputs: [{ note: notes[0]!, owner: alice }], outputs: [{ amount: 11n, recipient: bob }], extData: { ...baseExtData, extAmount: 0n } }, poseidon),
      ErrorCode.INSUFFICIENT_FUNDS,
      "balance",
    );
  });

  it("refuses a third input", () => {
    const { tree, notes } = fundedTree([1n, 2n, 3n]);
    const inputs = notes.map((note) => ({ note, owner: alice }));
    assertCloakError(() => prepareTransaction({ tree, inputs, outputs: [], extData: { ...baseExtData, extAmount: -6n } }, poseidon), ErrorCode.TOO_MANY_INPUTS, "inputs");
  });

  it("refuses the same note twice", () => {
    const { tree, notes } = fundedTree([5n]);
    const inputs = [{ note: notes[0]!, owner: alice }, { note: notes[0]!, owner: alice }];
    assertCloakError(() => prepareTransaction({ tree, inputs, outputs: [], extData: { ...baseExtData, extAmount: -10n } }, poseidon), ErrorCode.DUPLICATE_INPUT, "inputs");
  });

  it("refuses a note spent by a key that does not own it", () => {
    const { tree, notes } = fundedTree([5n]);
    assertCloakError(
      () => prepareTransaction({ tree, inputs: [{ note: notes[0]!, owner: bob }], outputs: [], extData: { ...baseExtData, extAmount: -5n } }, poseidon),
      ErrorCode.INVALID_NOTE,
      "owner",
    );
  });

  it("refuses a note whose commitment is not at its leaf", () => {
    const { tree, notes } = fundedTree([5n, 6n]);
    const wrongLeaf = { ...notes[0]!, leafIndex: 1 };
    assertCloakError(
      () => prepareTransaction({ tree, inputs: [{ note: wrongLeaf, owner: alice }], outputs: [], extData: { ...baseExtData, extAmount: -5n } }, poseidon),
      ErrorCode.INVALID_NOTE,
      "leaf 1",
    );
  });
});
