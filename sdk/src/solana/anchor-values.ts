import anchor from "@coral-xyz/anchor";
import type { BN } from "@coral-xyz/anchor";
import type { PublicKey } from "@solana/web3.js";
import { CloakError, type ErrorCode } from "../errors.js";
import { checkBytes, checkI64, checkU64, keyBytes } from "./encoding.js";

/**
 * Conversions between the SDK's values (bigint, Uint8Array) and the ones Anchor's coders take and
 * give (BN, number[]), each checked and naming the field it failed on. Internal to the Solana module.
 */

/** A u64 as Anchor's BN. */
export function u64ToBN(value: bigint, field: string, code: ErrorCode): BN {
  checkU64(value, field, code);
  return new anchor.BN(value.toString());
}

/** An i64 as Anchor's BN (which encodes negatives in two's complement). */
export function i64ToBN(value: bigint, field: string, code: ErrorCode): BN {
  checkI64(value, field, code);
  return new anchor.BN(value.toString());
}

/** Anchor's BN (u64 or i64) as a bigint. */
export function bnToBigInt(value: BN): bigint {
  return BigInt(value.toString());
}

/** A u16 (basis points, counts) as the number Anchor takes. */
export function u16(value: number, field: string, code: ErrorCode): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new CloakError(code, `${field}: ${String(value)} is not a u16`);
  }
  return value;
}

/** Exactly `length` bytes as the number[] Anchor takes for `[u8; length]`. */
export function byteArray(value: Uint8Array, length: number, field: string, code: ErrorCode): number[] {
  checkBytes(value, length, field, code);
  return Array.from(value);
}

/** A public key that must be present: "is required" when absent, "not a PublicKey" when something else. */
export function requiredKey(value: PublicKey | undefined | null, field: string, code: ErrorCode): PublicKey {
  if (value === undefined || value === null) throw new CloakError(code, `${field}: is required`);
  keyBytes(value, field, code);
  return value;
}

export function requiredBool(value: boolean, field: string, code: ErrorCode): boolean {
  if (typeof value !== "boolean") throw new CloakError(code, `${field}: ${String(value)} is not a boolean`);
  return value;
}
