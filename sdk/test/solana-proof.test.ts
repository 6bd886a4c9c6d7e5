import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeSolidityProof, ErrorCode, FIELD_SIZE, type Groth16Proof, type TransactionPublicInputs } from "../src/index.js";
import {
  BN254_BASE_FIELD_MODULUS,
  decodeSolanaProof,
  encodeSolanaProof,
  encodeSolanaPublicInputs,
  encodeSolanaPublicInputsFlat,
  negateG1,
  powBatchHash,
} from "../src/solana/index.js";
import { assertCloakError } from "./helpers.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const proof: Groth16Proof = {
  pi_a: ["1", "2"],
  pi_b: [
    ["3", "4"],
    ["5", "6"],
  ],
  pi_c: ["7", "8"],
};
const publicInputs: TransactionPublicInputs = {
  root: 1n,
  publicAmount: FIELD_SIZE - 3n,
  extDataHash: 3n,
  inputNullifiers: [4n, 5n],
  outputCommitments: [6n, 7n],
};

describe("Solana proof encoding", () => {
  it("gives the EVM verifier's 256 bytes, G2 coordinates as c1 before c0", () => {
    const encoded = encodeSolanaProof(proof);
    assert.equal(encoded.length, 256);
    assert.equal(`0x${hex(encoded)}`, encodeSolidityProof(proof));
    const words = Array.from({ length: 8 }, (_, i) => BigInt(`0x${hex(encoded.subarray(32 * i, 32 * i + 32))}`));
    assert.deepEqual(words, [1n, 2n, 4n, 3n, 6n, 5n, 7n, 8n]);
  });

  it("encodes each public input as 32 bytes big-endian in the circuit's order", () => {
    const encoded = encodeSolanaPublicInputs(publicInputs);
    assert.equal(hex(encoded.root), `${"00".repeat(31)}01`);
    assert.equal(BigInt(`0x${hex(encoded.publicAmount)}`), FIELD_SIZE - 3n);
    assert.equal(hex(encoded.outputCommitments[1]), `${"00".repeat(31)}07`);
    const flat = encodeSolanaPublicInputsFlat(publicInputs);
    assert.equal(flat.length, 224);
    const words = Array.from({ length: 7 }, (_, i) => BigInt(`0x${hex(flat.subarray(32 * i, 32 * i + 32))}`));
    assert.deepEqual(words, [1n, FIELD_SIZE - 3n, 3n, 4n, 5n, 6n, 7n]);
  });

  it("refuses a public input outside the field, naming it", () => {
    assertCloakError(
      () => encodeSolanaPublicInputs({ ...publicInputs, inputNullifiers: [4n, FIELD_SIZE] }),
      ErrorCode.INVALID_FIELD_ELEMENT,
      "publicInputs.inputNullifiers[1]",
    );
  });

  it("hashes the PoW batch as SHA-256(domain, nullifiers big-endian) (vector computed with Python's hashlib)", () => {
    assert.equal(hex(powBatchHash([1n, 2n])), "5dd35e98b180a6a2b6a027bbfbd5549b6708d5c1405fbd2edd4dc8fb2a8ad493");
  });

  it("decodes the 256 bytes back to the prover's proof, G2 coordinates in snarkjs' c0, c1 order", () => {
    assert.deepEqual(decodeSolanaProof(encodeSolanaProof(proof)), proof);
  });

  it("refuses proof bytes with a coordinate outside the base field, naming it", () => {
    const encoded = encodeSolanaProof(proof);
    encoded.set(Buffer.from(BN254_BASE_FIELD_MODULUS.toString(16).padStart(64, "0"), "hex"), 96);
    assertCloakError(() => decodeSolanaProof(encoded), ErrorCode.INVALID_PROOF_ENCODING, "proof.b.x.c0");
  });

  it("negates a G1 point as (x, q - y)", () => {
    const point = encodeSolanaProof(proof).subarray(0, 64);
    const negated = negateG1(point);
    assert.deepEqual(negated.subarray(0, 32), point.subarray(0, 32));
    assert.equal(BigInt(`0x${hex(negated.subarray(32))}`), BN254_BASE_FIELD_MODULUS - 2n);
    assert.deepEqual(negateG1(negated), point);
  });

  it("leaves the point at infinity's encoding (y = 0) as it is", () => {
    assert.deepEqual(negateG1(new Uint8Array(64)), new Uint8Array(64));
  });

  it("refuses a G1 point whose y is not below the base field modulus", () => {
    const point = new Uint8Array(64);
    point.set(Buffer.from(BN254_BASE_FIELD_MODULUS.toString(16).padStart(64, "0"), "hex"), 32);
    assertCloakError(() => negateG1(point), ErrorCode.INVALID_PROOF_ENCODING, "point.y");
  });
});
