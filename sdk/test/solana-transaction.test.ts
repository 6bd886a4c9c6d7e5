import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PublicKey } from "@solana/web3.js";
import { ErrorCode, Keypair, MerkleTree, createNote, decryptNote, getPoseidon, noteCommitment, publicAmount } from "../src/index.js";
import {
  NATIVE_MINT,
  SHIELD_POOL_PROGRAM_ID,
  encodeSolanaExtData,
  hashSolanaExtData,
  poolPda,
  prepareSolanaTransaction,
  type SolanaExtDataDraft,
} from "../src/solana/index.js";
import { assertCloakError } from "./helpers.js";

const poseidon = await getPoseidon();
const alice = Keypair.generate(poseidon);
const bob = Keypair.generate(poseidon);
const [pool] = poolPda(NATIVE_MINT);
const recipient = new PublicKey(new Uint8Array(32).fill(0x12));
const relayer = new PublicKey(new Uint8Array(32).fill(0x11));

function fundedTree(amount: bigint) {
  const note = createNote(amount, alice.publicKey);
  const tree = new MerkleTree(5, poseidon, { leaves: [noteCommitment(note, poseidon)] });
  return { tree, note: { ...note, leafIndex: 0 } };
}

describe("prepareSolanaTransaction", () => {
  it("completes the draft with both ciphertexts and commits to its SHA-256 ext data hash", () => {
    const { tree, note } = fundedTree(100n);
    const draft: SolanaExtDataDraft = { recipient, extAmount: -60n, relayer, fee: 5n };
    const tx = prepareSolanaTransaction({ tree, inputs: [{ note, owner: alice }], outputs: [{ amount: 35n, recipient: bob }], extData: draft, pool }, poseidon);
    assert.equal(tx.extData.encryptedOutput1.length, 113);
    assert.equal(decryptNote(tx.extData.encryptedOutput1, bob).amount, 35n);
    assert.equal(tx.publicInputs.extDataHash, hashSolanaExtData(tx.extData, SHIELD_POOL_PROGRAM_ID, pool));
    assert.equal(tx.publicInputs.publicAmount, publicAmount(-60n, 5n));
    assert.equal(encodeSolanaExtData(tx.extData).length, 306);
  });

  it("binds the proof to the given program id", () => {
    const programId = new PublicKey(new Uint8Array(32).fill(9));
    const deposit: SolanaExtDataDraft = { recipient: PublicKey.default, extAmount: 3n, relayer: PublicKey.default, fee: 0n };
    const tx = prepareSolanaTransaction(
      { tree: new MerkleTree(5, poseidon), inputs: [], outputs: [{ amount: 3n, recipient: alice }], extData: deposit, pool, programId },
      poseidon,
    );
    assert.equal(tx.publicInputs.extDataHash, hashSolanaExtData(tx.extData, programId, pool));
  });

  it("refuses a draft whose fee is not a u64 before any other work, naming it", () => {
    const { tree, note } = fundedTree(100n);
    assertCloakError(
      () => prepareSolanaTransaction({ tree, inputs: [{ note, owner: alice }], outputs: [], extData: { recipient, extAmount: -101n, relayer, fee: -1n }, pool }, poseidon),
      ErrorCode.INVALID_EXT_DATA,
      "extData.fee",
    );
  });

  it("refuses outputs worth more than the inputs", () => {
    const { tree, note } = fundedTree(100n);
    assertCloakError(
      () => prepareSolanaTransaction({ tree, inputs: [{ note, owner: alice }], outputs: [{ amount: 101n, recipient: bob }], extData: { recipient, extAmount: 0n, relayer, fee: 0n }, pool }, poseidon),
      ErrorCode.INSUFFICIENT_FUNDS,
      "balance",
    );
  });
});
