import { CloakError, type ErrorCode } from "../errors.js";

/** Fixed-width little-endian integers and byte checks shared by the Solana encoders. */

export const U64_MAX = (1n << 64n) - 1n;
export const I64_MIN = -(1n << 63n);
export const I64_MAX = (1n << 63n) - 1n;

/** `value` as an unsigned little-endian integer of `length` bytes; the caller has range-checked it. */
function littleEndian(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let rest = value;
  for (let i = 0; i < length; i++) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

export function u64Le(value: bigint, field: string, code: ErrorCode): Uint8Array {
  checkU64(value, field, code);
  return littleEndian(value, 8);
}

/** Two's complement, as Rust's `i64::to_le_bytes`. */
export function i64Le(value: bigint, field: string, code: ErrorCode): Uint8Array {
  checkI64(value, field, code);
  return littleEndian(value < 0n ? value + (1n << 64n) : value, 8);
}

export function checkU64(value: bigint, field: string, code: ErrorCode): void {
  if (typeof value !== "bigint" || value < 0n || value > U64_MAX) {
    throw new CloakError(code, `${field}: ${String(value)} is not in [0, 2^64)`);
  }
}

export function checkI64(value: bigint, field: string, code: ErrorCode): void {
  if (typeof value !== "bigint" || value < I64_MIN || value > I64_MAX) {
    throw new CloakError(code, `${field}: ${String(value)} is not an i64`);
  }
}

export function checkBytes(value: Uint8Array, length: number, field: string, code: ErrorCode): void {
  if (!(value instanceof Uint8Array)) throw new CloakError(code, `${field}: expected a Uint8Array of ${length} bytes`);
  if (value.length !== length) throw new CloakError(code, `${field}: expected ${length} bytes, got ${value.length}`);
}

/** The 32 bytes of a public key; refuses anything that is not one. */
export function keyBytes(value: { toBytes(): Uint8Array } | undefined | null, field: string, code: ErrorCode): Uint8Array {
  const bytes = value && typeof value.toBytes === "function" ? value.toBytes() : undefined;
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) throw new CloakError(code, `${field}: not a PublicKey`);
  return bytes;
}
