import { x25519 } from "@noble/curves/ed25519.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import { bech32m } from "@scure/base";
import { CloakError, ErrorCode } from "./errors.js";
import { bigIntToBytes, bytesToBigInt, FIELD_SIZE, randomFieldElement, toField, toHex32, type RandomSource } from "./field.js";
import type { PoseidonHasher } from "./poseidon.js";
import { parseVersioned } from "./versioned.js";

export const ADDRESS_PREFIX = "cloak";
const ADDRESS_VERSION = 1;
const ADDRESS_PAYLOAD_BYTES = 1 + 32 + 32;
// bech32m's default 90-character limit is below our 65-byte payload's encoded length.
const ADDRESS_MAX_LENGTH = 200;
const KEY_FORMAT = "cloak-key/1";
const MIN_SEED_BYTES = 32;

const SPENDING_KEY_INFO = utf8ToBytes("cloak/spending-key/v1");
const ENCRYPTION_KEY_INFO = utf8ToBytes("cloak/encryption-key/v1");

/** What anyone needs to pay a Cloak user: the note owner key and the note-encryption key. */
export interface ShieldedAddress {
  /** Poseidon(sk): goes into output note commitments. */
  publicKey: bigint;
  /** x25519 public key: output notes are encrypted to it. */
  encryptionKey: Uint8Array;
}

/** The versioned JSON form of a keypair. It contains the spending key: store it as a secret. */
export interface SerializedKeypair {
  format: typeof KEY_FORMAT;
  privateKey: string;
}

/**
 * A Cloak account. `privateKey` (sk) authorises spends; `publicKey` = Poseidon(sk) owns notes; the x25519
 * encryption key is derived from sk, so one secret backs up the whole account.
 */
export class Keypair implements ShieldedAddress {
  readonly privateKey: bigint;
  readonly publicKey: bigint;
  readonly encryptionKey: Uint8Array;
  readonly #encryptionSecret: Uint8Array;

  private constructor(privateKey: bigint, poseidon: PoseidonHasher) {
    this.privateKey = toField(privateKey, "privateKey");
    if (this.privateKey === 0n) throw new CloakError(ErrorCode.INVALID_KEY, "privateKey: zero is not a valid key");
    this.publicKey = poseidon.hash([this.privateKey]);
    this.#encryptionSecret = hkdf(sha256, bigIntToBytes(this.privateKey), undefined, ENCRYPTION_KEY_INFO, 32);
    this.encryptionKey = x25519.getPublicKey(this.#encryptionSecret);
  }

  /** A fresh key; `random` replaces the CSPRNG only for reproducible test data. */
  static generate(poseidon: PoseidonHasher, random?: RandomSource): Keypair {
    let sk = 0n;
    while (sk === 0n) sk = randomFieldElement(random);
    return new Keypair(sk, poseidon);
  }

  /** Deterministic derivation from a seed of at least 32 bytes (e.g. from a wallet's master secret). */
  static fromSeed(seed: Uint8Array, poseidon: PoseidonHasher): Keypair {
    if (seed.length < MIN_SEED_BYTES) {
      throw new CloakError(ErrorCode.INVALID_KEY, `seed: needs at least ${MIN_SEED_BYTES} bytes, got ${seed.length}`);
    }
    const wide = hkdf(sha256, seed, undefined, SPENDING_KEY_INFO, 48);
    const sk = bytesToBigInt(wide) % FIELD_SIZE;
    return new Keypair(sk === 0n ? 1n : sk, poseidon);
  }

  static fromPrivateKey(privateKey: bigint | string, poseidon: PoseidonHasher): Keypair {
    return new Keypair(toField(privateKey, "privateKey"), poseidon);
  }

  static deserialize(serialized: SerializedKeypair | string, poseidon: PoseidonHasher): Keypair {
    const record = parseVersioned(serialized, KEY_FORMAT, "keypair", ErrorCode.INVALID_KEY);
    if (typeof record.privateKey !== "string") throw new CloakError(ErrorCode.INVALID_KEY, "keypair.privateKey: missing");
    return Keypair.fromPrivateKey(record.privateKey, poseidon);
  }

  serialize(): SerializedKeypair {
    return { format: KEY_FORMAT, privateKey: toHex32(this.privateKey) };
  }

  /** The x25519 secret for note decryption; derived, never stored separately. */
  encryptionSecret(): Uint8Array {
    return this.#encryptionSecret.slice();
  }

  address(): string {
    return encodeAddress(this);
  }

  /** Keeps the spending key out of logs and JSON dumps. */
  toJSON(): { publicKey: string; address: string } {
    return { publicKey: toHex32(this.publicKey), address: this.address() };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `Keypair(${this.address()})`;
  }
}

/** bech32m("cloak", version ‖ publicKey ‖ encryptionKey): checksummed, and a typo never pays a stranger. */
export function encodeAddress(address: ShieldedAddress): string {
  const payload = new Uint8Array(ADDRESS_PAYLOAD_BYTES);
  payload[0] = ADDRESS_VERSION;
  payload.set(bigIntToBytes(address.publicKey), 1);
  payload.set(address.encryptionKey, 33);
  return bech32m.encode(ADDRESS_PREFIX, bech32m.toWords(payload), ADDRESS_MAX_LENGTH);
}

export function decodeAddress(address: string): ShieldedAddress {
  let payload: Uint8Array;
  try {
    const decoded = bech32m.decode(address as `${string}1${string}`, ADDRESS_MAX_LENGTH);
    if (decoded.prefix !== ADDRESS_PREFIX) {
      throw new CloakError(ErrorCode.INVALID_ADDRESS, `address: prefix '${decoded.prefix}' is not '${ADDRESS_PREFIX}'`);
    }
    payload = bech32m.fromWords(decoded.words);
  } catch (error) {
    if (error instanceof CloakError) throw error;
    throw new CloakError(ErrorCode.INVALID_ADDRESS, `address: ${(error as Error).message}`);
  }
  if (payload.length !== ADDRESS_PAYLOAD_BYTES) {
    throw new CloakError(ErrorCode.INVALID_ADDRESS, `address: payload is ${payload.length} bytes, expected ${ADDRESS_PAYLOAD_BYTES}`);
  }
  if (payload[0] !== ADDRESS_VERSION) {
    throw new CloakError(ErrorCode.UNSUPPORTED_VERSION, `address: version ${payload[0]} is not supported`);
  }
  return {
    publicKey: toField(bytesToBigInt(payload.subarray(1, 33)), "address.publicKey"),
    encryptionKey: payload.slice(33),
  };
}
