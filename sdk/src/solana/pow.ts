import type { PublicKey } from "@solana/web3.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { CloakError, ErrorCode } from "../errors.js";
import { bytesToBigInt } from "../field.js";
import { POW_DOMAIN } from "./constants.js";
import { U64_MAX, checkBytes, checkU64, keyBytes, u64Le } from "./encoding.js";

/** The scramble registry's proof-of-work rule and difficulty retarget (programs/scramble-registry/src/pow.rs). */

/** What one proof-of-work attempt hashes, besides the domain tag. */
export interface PowInput {
  /** A recent slot whose hash is in the SlotHashes sysvar. */
  slot: bigint;
  slotHash: Uint8Array;
  /** The miner's authority: binding it stops anyone else from using a found nonce. */
  miner: PublicKey;
  /** The batch the claim is for, or WILDCARD_BATCH for any. */
  batchHash: Uint8Array;
  nonce: bigint;
}

/** domain (17) || slot (8) || slot hash (32) || miner (32) || batch hash (32) || nonce (8). */
export const POW_PREIMAGE_BYTES = POW_DOMAIN.length + 8 + 32 + 32 + 32 + 8;
const NONCE_OFFSET = POW_PREIMAGE_BYTES - 8;

/** Most the difficulty may move in one retarget, either way. */
export const MAX_RETARGET_FACTOR = 2n;

const code = ErrorCode.INVALID_POW_INPUT;

/** utf8(POW_DOMAIN) || slot (u64 LE) || slotHash || miner || batchHash || nonce (u64 LE): 129 bytes. */
export function powPreimage(input: PowInput): Uint8Array {
  checkBytes(input.slotHash, 32, "slotHash", code);
  checkBytes(input.batchHash, 32, "batchHash", code);
  return concatBytes(
    utf8ToBytes(POW_DOMAIN),
    u64Le(input.slot, "slot", code),
    input.slotHash,
    keyBytes(input.miner, "miner", code),
    input.batchHash,
    u64Le(input.nonce, "nonce", code),
  );
}

/** SHA-256 of the preimage. */
export function powHash(input: PowInput): Uint8Array {
  return sha256(powPreimage(input));
}

/** The target a hash's first 16 bytes must stay strictly below: (2^128 - 1) / difficulty; null for 0. */
export function powTarget(difficulty: bigint): bigint | null {
  checkU64(difficulty, "difficulty", code);
  return difficulty === 0n ? null : ((1n << 128n) - 1n) / difficulty;
}

/**
 * Whether `hash` passes at `difficulty`: its first 16 bytes, big-endian, are strictly below
 * powTarget(difficulty). A random hash passes with probability ~1/difficulty; difficulty 0 passes nothing.
 */
export function meetsDifficulty(hash: Uint8Array, difficulty: bigint): boolean {
  checkBytes(hash, 32, "hash", code);
  const target = powTarget(difficulty);
  return target !== null && bytesToBigInt(hash.subarray(0, 16)) < target;
}

export interface NonceSearch extends Omit<PowInput, "nonce"> {
  difficulty: bigint;
  /** First nonce tried; 0 when absent. */
  startNonce?: bigint;
  /** Nonces tried at most; 1,000,000 when absent. */
  maxAttempts?: number;
}

export interface PowSolution {
  nonce: bigint;
  hash: Uint8Array;
}

/**
 * Tries nonces from `startNonce` upwards and returns the first that meets `difficulty` with its hash,
 * or null once `maxAttempts` nonces (or the u64 range) are used up.
 */
export function searchNonce(search: NonceSearch): PowSolution | null {
  const startNonce = search.startNonce ?? 0n;
  const maxAttempts = search.maxAttempts ?? 1_000_000;
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 0) {
    throw new CloakError(code, `maxAttempts: ${maxAttempts} is not a non-negative integer`);
  }
  const target = powTarget(search.difficulty);
  const preimage = powPreimage({ ...search, nonce: startNonce });
  if (target === null) return null;
  const view = new DataView(preimage.buffer, preimage.byteOffset, preimage.byteLength);
  const end = startNonce + BigInt(maxAttempts);
  for (let nonce = startNonce; nonce < end && nonce <= U64_MAX; nonce++) {
    view.setBigUint64(NONCE_OFFSET, nonce, true);
    const hash = sha256(preimage);
    if (bytesToBigInt(hash.subarray(0, 16)) < target) return { nonce, hash };
  }
  return null;
}

export interface RetargetInput {
  difficulty: bigint;
  /** Slots since the previous claim; 0 counts as 1. */
  elapsedSlots: bigint;
  /** The claim interval the registry aims for. */
  targetIntervalSlots: bigint;
  minDifficulty: bigint;
  maxDifficulty: bigint;
}

/**
 * The difficulty after a claim: difficulty * targetIntervalSlots / max(elapsedSlots, 1) (rounded
 * down), clamped to [max(difficulty / 2, 1), difficulty * 2], then to [minDifficulty, maxDifficulty].
 * All inputs are u64, as the registry holds them.
 */
export function retarget(input: RetargetInput): bigint {
  const { difficulty, elapsedSlots, targetIntervalSlots, minDifficulty, maxDifficulty } = input;
  checkU64(difficulty, "difficulty", code);
  checkU64(elapsedSlots, "elapsedSlots", code);
  checkU64(targetIntervalSlots, "targetIntervalSlots", code);
  checkU64(minDifficulty, "minDifficulty", code);
  checkU64(maxDifficulty, "maxDifficulty", code);
  const elapsed = elapsedSlots > 0n ? elapsedSlots : 1n;
  const proposed = (difficulty * targetIntervalSlots) / elapsed;
  const floor = difficulty / MAX_RETARGET_FACTOR > 1n ? difficulty / MAX_RETARGET_FACTOR : 1n;
  const ceiling = difficulty * MAX_RETARGET_FACTOR;
  // The same order of clamps as the program, so even inconsistent bounds give its answer.
  let bounded = proposed;
  if (bounded < floor) bounded = floor;
  if (bounded > ceiling) bounded = ceiling;
  if (bounded < minDifficulty) bounded = minDifficulty;
  if (bounded > maxDifficulty) bounded = maxDifficulty;
  return bounded;
}
