import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PublicKey } from "@solana/web3.js";
import { ErrorCode } from "../src/index.js";
import { POW_PREIMAGE_BYTES, WILDCARD_BATCH, meetsDifficulty, powHash, powPreimage, retarget, searchNonce } from "../src/solana/index.js";
import { assertCloakError } from "./helpers.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const authority = new PublicKey(new Uint8Array(32).fill(0x22));
const base = { slot: 123_456_789n, slotHash: new Uint8Array(32).fill(0x11), miner: authority, batchHash: new Uint8Array(32).fill(0x33) };
const U64_MAX = (1n << 64n) - 1n;
const U128_MAX = (1n << 128n) - 1n;

/** A hash whose first 16 bytes are `head`, big-endian, and the rest `tail`. */
function hashWithHead(head: bigint, tail = 0): Uint8Array {
  const hash = new Uint8Array(32).fill(tail);
  for (let i = 15; i >= 0; i--) {
    hash[i] = Number(head & 0xffn);
    head >>= 8n;
  }
  return hash;
}

function retargetWith(difficulty: bigint, targetIntervalSlots: bigint, elapsedSlots: bigint, minDifficulty = 1n, maxDifficulty = U64_MAX) {
  return retarget({ difficulty, targetIntervalSlots, elapsedSlots, minDifficulty, maxDifficulty });
}

describe("Scramble proof of work", () => {
  it("lays the preimage out as domain, slot LE, slot hash, miner, batch hash, nonce LE", () => {
    const preimage = powPreimage({ ...base, slot: 0x0102030405060708n, nonce: 0x1112131415161718n });
    assert.equal(preimage.length, POW_PREIMAGE_BYTES);
    assert.equal(preimage.length, 129);
    assert.equal(new TextDecoder().decode(preimage.subarray(0, 17)), "CLOAK:SCRAMBLE:v1");
    assert.equal(hex(preimage.subarray(17, 25)), "0807060504030201");
    assert.equal(hex(preimage.subarray(25, 57)), "11".repeat(32));
    assert.equal(hex(preimage.subarray(57, 89)), "22".repeat(32));
    assert.equal(hex(preimage.subarray(89, 121)), "33".repeat(32));
    assert.equal(hex(preimage.subarray(121, 129)), "1817161514131211");
  });

  it("matches the registry's golden hash vectors", () => {
    const hash = powHash({ ...base, nonce: 42n });
    assert.equal(hex(hash), "55aaed01c70272b969b2caed5ae4b713fb8ada14f350ad24e7e689878a773171");
    assert.ok(meetsDifficulty(hash, 2n));
    assert.ok(!meetsDifficulty(hash, 3n));
    const zero = powHash({ slot: 0n, slotHash: new Uint8Array(32), miner: PublicKey.default, batchHash: WILDCARD_BATCH, nonce: 0n });
    assert.equal(hex(zero), "c0b583ac73b40f463be078d79cc093990e8e8cf4be21ccf1f5206245e4ea86fc");
  });

  it("compares the first 16 bytes big-endian strictly below (2^128 - 1) / difficulty", () => {
    const half = U128_MAX / 2n;
    assert.ok(meetsDifficulty(hashWithHead(half - 1n, 0xff), 2n));
    assert.ok(!meetsDifficulty(hashWithHead(half), 2n));
    assert.ok(meetsDifficulty(hashWithHead(U128_MAX - 1n), 1n));
    assert.ok(!meetsDifficulty(hashWithHead(U128_MAX), 1n));
    assert.ok(!meetsDifficulty(hashWithHead(0n), 0n));
  });

  it("finds the first nonce that meets a low difficulty", () => {
    const found = searchNonce({ ...base, difficulty: 64n });
    assert.ok(found);
    assert.ok(meetsDifficulty(powHash({ ...base, nonce: found.nonce }), 64n));
    assert.deepEqual(found.hash, powHash({ ...base, nonce: found.nonce }));
    for (let nonce = 0n; nonce < found.nonce; nonce++) assert.ok(!meetsDifficulty(powHash({ ...base, nonce }), 64n));
    assert.equal(searchNonce({ ...base, difficulty: 64n, startNonce: found.nonce })?.nonce, found.nonce);
  });

  it("gives up after maxAttempts", () => {
    assert.equal(searchNonce({ ...base, difficulty: U64_MAX, maxAttempts: 50 }), null);
    assert.equal(searchNonce({ ...base, difficulty: 1n, maxAttempts: 0 }), null);
  });

  it("refuses a slot hash that is not 32 bytes, naming it", () => {
    assertCloakError(() => powHash({ ...base, slotHash: new Uint8Array(31), nonce: 0n }), ErrorCode.INVALID_POW_INPUT, "slotHash");
  });

  it("refuses a nonce outside u64, naming it", () => {
    assertCloakError(() => powHash({ ...base, nonce: -1n }), ErrorCode.INVALID_POW_INPUT, "nonce");
  });
});

describe("difficulty retarget", () => {
  it("keeps the difficulty when claims arrive on the target interval", () => {
    assert.equal(retargetWith(1_000n, 10n, 10n), 1_000n);
  });

  it("raises the difficulty when claims come faster than the target", () => {
    assert.equal(retargetWith(1_000n, 10n, 8n), 1_250n);
  });

  it("lowers the difficulty, rounding down, when claims come slower", () => {
    assert.equal(retargetWith(1_000n, 10n, 12n), 833n);
  });

  it("moves by at most a factor of two either way, counting zero elapsed slots as one", () => {
    assert.equal(retargetWith(1_000n, 100n, 1n), 2_000n);
    assert.equal(retargetWith(1_000n, 1n, 1_000_000n), 500n);
    assert.equal(retargetWith(1_000n, 100n, 0n), 2_000n);
  });

  it("clamps to the registry's min and max difficulty", () => {
    assert.equal(retargetWith(1_000n, 100n, 1n, 1n, 1_500n), 1_500n);
    assert.equal(retargetWith(1_000n, 1n, 1_000_000n, 800n), 800n);
  });

  it("never drops below one and does not overflow at the u64 extremes", () => {
    assert.equal(retargetWith(1n, 1n, U64_MAX, 0n), 1n);
    assert.equal(retargetWith(U64_MAX, U64_MAX, 1n), U64_MAX);
    assert.equal(retargetWith(U64_MAX, 1n, U64_MAX), U64_MAX / 2n);
  });

  it("refuses an input outside u64, naming it", () => {
    assertCloakError(() => retargetWith(1n, 1n, -1n), ErrorCode.INVALID_POW_INPUT, "elapsedSlots");
  });
});
