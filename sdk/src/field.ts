import { randomBytes } from "@noble/hashes/utils.js";
import { CloakError, ErrorCode } from "./errors.js";

/** The BN254 scalar field modulus: every circuit signal and hash output lives below it. */
export const FIELD_SIZE = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/**
 * Amounts are bounded to 248 bits in the circuit. Two such amounts plus a public amount of the same
 * bound cannot wrap around FIELD_SIZE (> 2^253), so the circuit's field balance is an integer balance.
 */
export const AMOUNT_BITS = 248;
export const MAX_AMOUNT = (1n << BigInt(AMOUNT_BITS)) - 1n;

export type FieldLike = bigint | number | string;

/** Parses a decimal or 0x-hex value and checks it is a canonical field element. */
export function toField(value: FieldLike, field = "value"): bigint {
  let parsed: bigint;
  try {
    parsed = typeof value === "bigint" ? value : BigInt(value);
  } catch {
    throw new CloakError(ErrorCode.INVALID_FIELD_ELEMENT, `${field}: '${String(value)}' is not an integer`);
  }
  if (parsed < 0n || parsed >= FIELD_SIZE) {
    throw new CloakError(ErrorCode.INVALID_FIELD_ELEMENT, `${field}: ${parsed} is outside the BN254 scalar field`);
  }
  return parsed;
}

/** Reduces any integer (negative included) into the field, as the circuit does with public amounts. */
export function mod(value: bigint): bigint {
  const r = value % FIELD_SIZE;
  return r < 0n ? r + FIELD_SIZE : r;
}

export function toAmount(value: FieldLike, field = "amount"): bigint {
  const amount = typeof value === "bigint" ? value : BigInt(value);
  if (amount < 0n || amount > MAX_AMOUNT) {
    throw new CloakError(ErrorCode.INVALID_AMOUNT, `${field}: ${amount} is not in [0, 2^${AMOUNT_BITS})`);
  }
  return amount;
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

export function bigIntToBytes(value: bigint, length = 32): Uint8Array {
  if (value < 0n || value >= 1n << BigInt(8 * length)) {
    throw new CloakError(ErrorCode.INVALID_FIELD_ELEMENT, `${value} does not fit in ${length} bytes`);
  }
  const out = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/** 0x-prefixed, 64 hex digits: the fixed-width form used in JSON and on chain. */
export function toHex32(value: bigint): string {
  return `0x${value.toString(16).padStart(64, "0")}`;
}

/**
 * Where random bytes come from. The default is the platform's CSPRNG; a seeded source is only for
 * reproducible test data (e.g. a committed proof corpus), never for notes holding value.
 */
export type RandomSource = (length: number) => Uint8Array;

/** A uniformly random field element: 48 random bytes reduced mod p keep the bias below 2^-128. */
export function randomFieldElement(random: RandomSource = randomBytes): bigint {
  return bytesToBigInt(random(48)) % FIELD_SIZE;
}
