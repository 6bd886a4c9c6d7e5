import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BorshCoder, type Idl } from "@coral-xyz/anchor";
import { PublicKey } from "@solana/web3.js";
import { ErrorCode, FIELD_SIZE } from "../src/index.js";
import {
  SOLANA_EXT_DATA_BYTES,
  SOLANA_EXT_DATA_PREIMAGE_BYTES,
  encodeSolanaExtData,
  encodeSolanaExtDataPreimage,
  hashSolanaExtData,
  type SolanaExtData,
} from "../src/solana/index.js";
import { assertCloakError } from "./helpers.js";

const key = (byte: number) => new PublicKey(new Uint8Array(32).fill(byte));
const programId = key(1);
const pool = key(2);
const extData: SolanaExtData = {
  recipient: key(3),
  extAmount: -5n,
  relayer: key(4),
  fee: 7n,
  encryptedOutput1: new Uint8Array(113).fill(5),
  encryptedOutput2: new Uint8Array(113).fill(6),
};
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("Solana ext data", () => {
  it("lays the preimage out as domain, program, pool, recipient, i64 LE, relayer, u64 LE, outputs", () => {
    const preimage = encodeSolanaExtDataPreimage(extData, programId, pool);
    assert.equal(preimage.length, SOLANA_EXT_DATA_PREIMAGE_BYTES);
    assert.equal(preimage.length, 394);
    assert.equal(new TextDecoder().decode(preimage.subarray(0, 24)), "CLOAK:EXT_DATA:SOLANA:v1");
    assert.equal(hex(preimage.subarray(24, 56)), "01".repeat(32));
    assert.equal(hex(preimage.subarray(56, 88)), "02".repeat(32));
    assert.equal(hex(preimage.subarray(88, 120)), "03".repeat(32));
    assert.equal(hex(preimage.subarray(120, 128)), "fbffffffffffffff");
    assert.equal(hex(preimage.subarray(128, 160)), "04".repeat(32));
    assert.equal(hex(preimage.subarray(160, 168)), "0700000000000000");
    assert.equal(hex(preimage.subarray(168, 281)), "05".repeat(113));
    assert.equal(hex(preimage.subarray(281, 394)), "06".repeat(113));
  });

  it("hashes to SHA-256 of the preimage reduced mod p (vector computed with Python's hashlib)", () => {
    // The digest 0xdd3c... is above p, so the reduction is exercised.
    assert.equal(hashSolanaExtData(extData, programId, pool), 0x1baba47e3cc505a90e4cfd327485254f2b6e659e263d6f05ea032a17c0753643n);
    assert.ok(hashSolanaExtData(extData, programId, pool) < FIELD_SIZE);
  });

  it("binds the hash to the program id and the pool", () => {
    const base = hashSolanaExtData(extData, programId, pool);
    assert.notEqual(hashSolanaExtData(extData, key(9), pool), base);
    assert.notEqual(hashSolanaExtData(extData, programId, key(9)), base);
  });

  it("borsh-encodes ExtData exactly as Anchor's coder does", () => {
    const idl = {
      address: programId.toBase58(),
      metadata: { name: "ext_data_layout", version: "0.1.0", spec: "0.1.0" },
      instructions: [],
      types: [
        {
          name: "ExtData",
          type: {
            kind: "struct",
            fields: [
              { name: "recipient", type: "pubkey" },
              { name: "ext_amount", type: "i64" },
              { name: "relayer", type: "pubkey" },
              { name: "fee", type: "u64" },
              { name: "encrypted_output1", type: { array: ["u8", 113] } },
              { name: "encrypted_output2", type: { array: ["u8", 113] } },
            ],
          },
        },
      ],
    } as unknown as Idl;
    const decoded = new BorshCoder(idl).types.decode<{
      recipient: PublicKey;
      ext_amount: { toString(): string };
      relayer: PublicKey;
      fee: { toString(): string };
      encrypted_output1: number[];
      encrypted_output2: number[];
    }>(
      "ExtData",
      Buffer.from(encodeSolanaExtData(extData)),
    );
    assert.equal(encodeSolanaExtData(extData).length, SOLANA_EXT_DATA_BYTES);
    assert.ok(decoded.recipient.equals(extData.recipient));
    assert.equal(decoded.ext_amount.toString(), "-5");
    assert.ok(decoded.relayer.equals(extData.relayer));
    assert.equal(decoded.fee.toString(), "7");
    assert.deepEqual(decoded.encrypted_output1, Array.from(extData.encryptedOutput1));
    assert.deepEqual(decoded.encrypted_output2, Array.from(extData.encryptedOutput2));
  });

  it("refuses an encrypted output of the wrong length, naming it", () => {
    assertCloakError(
      () => hashSolanaExtData({ ...extData, encryptedOutput2: new Uint8Array(112) }, programId, pool),
      ErrorCode.INVALID_EXT_DATA,
      "extData.encryptedOutput2",
    );
  });

  it("refuses an extAmount of i64::MIN or beyond i64::MAX, naming it", () => {
    assertCloakError(() => encodeSolanaExtData({ ...extData, extAmount: -(1n << 63n) }), ErrorCode.INVALID_EXT_DATA, "extData.extAmount");
    assertCloakError(() => encodeSolanaExtData({ ...extData, extAmount: 1n << 63n }), ErrorCode.INVALID_EXT_DATA, "extData.extAmount");
  });

  it("refuses a negative or over-u64 fee, naming it", () => {
    assertCloakError(() => encodeSolanaExtData({ ...extData, fee: -1n }), ErrorCode.INVALID_EXT_DATA, "extData.fee");
    assertCloakError(() => encodeSolanaExtData({ ...extData, fee: 1n << 64n }), ErrorCode.INVALID_EXT_DATA, "extData.fee");
  });

  it("refuses a recipient that is not a public key, naming it", () => {
    const broken = { ...extData, recipient: "not a key" } as unknown as SolanaExtData;
    assertCloakError(() => encodeSolanaExtData(broken), ErrorCode.INVALID_EXT_DATA, "extData.recipient");
  });
});
