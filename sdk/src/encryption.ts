import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { x25519 } from "@noble/curves/ed25519.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { CloakError, ErrorCode } from "./errors.js";
import { bigIntToBytes, bytesToBigInt, type RandomSource } from "./field.js";
import type { Keypair, ShieldedAddress } from "./keys.js";
import { createNote, noteCommitment, type NoteData } from "./note.js";
import type { PoseidonHasher } from "./poseidon.js";

/**
 * Encrypted note, format version 1 (113 bytes):
 *   version (1) ‖ ephemeral x25519 public key (32) ‖ ChaCha20-Poly1305(amount (32) ‖ blinding (32)) ‖ tag (16)
 * Key and nonce come from HKDF-SHA256 over the x25519 shared secret, salted with both public keys.
 * A fresh ephemeral key per note makes every (key, nonce) pair single-use. The owner key is not sent:
 * the recipient supplies their own and checks the result against the on-chain commitment.
 */
export const ENCRYPTED_NOTE_VERSION = 1;
export const ENCRYPTED_NOTE_BYTES = 1 + 32 + 64 + 16;
const KDF_INFO = utf8ToBytes("cloak/note-encryption/v1");
const KEY_BYTES = 32;
const NONCE_BYTES = 12;

function cipherFor(shared: Uint8Array, ephemeralPublic: Uint8Array, recipientKey: Uint8Array) {
  const okm = hkdf(sha256, shared, concatBytes(ephemeralPublic, recipientKey), KDF_INFO, KEY_BYTES + NONCE_BYTES);
  return chacha20poly1305(okm.subarray(0, KEY_BYTES), okm.subarray(KEY_BYTES));
}

/** `random` (32 bytes for the ephemeral key) replaces the CSPRNG only for reproducible test data. */
export function encryptNote(note: NoteData, recipient: Pick<ShieldedAddress, "encryptionKey">, random?: RandomSource): Uint8Array {
  if (recipient.encryptionKey.length !== 32) {
    throw new CloakError(ErrorCode.INVALID_KEY, `recipient.encryptionKey: expected 32 bytes, got ${recipient.encryptionKey.length}`);
  }
  const ephemeral = x25519.keygen(random?.(32));
  const shared = x25519.getSharedSecret(ephemeral.secretKey, recipient.encryptionKey);
  const plaintext = concatBytes(bigIntToBytes(note.amount), bigIntToBytes(note.blinding));
  const sealed = cipherFor(shared, ephemeral.publicKey, recipient.encryptionKey).encrypt(plaintext);
  return concatBytes(Uint8Array.of(ENCRYPTED_NOTE_VERSION), ephemeral.publicKey, sealed);
}

/** Decrypts a note sent to `owner`; throws DECRYPTION_FAILED when it is not theirs or was altered. */
export function decryptNote(ciphertext: Uint8Array, owner: Keypair): NoteData {
  if (ciphertext.length !== ENCRYPTED_NOTE_BYTES) {
    throw new CloakError(ErrorCode.DECRYPTION_FAILED, `ciphertext: expected ${ENCRYPTED_NOTE_BYTES} bytes, got ${ciphertext.length}`);
  }
  if (ciphertext[0] !== ENCRYPTED_NOTE_VERSION) {
    throw new CloakError(ErrorCode.UNSUPPORTED_VERSION, `ciphertext: version ${ciphertext[0]} is not supported`);
  }
  const ephemeralPublic = ciphertext.subarray(1, 33);
  let plaintext: Uint8Array;
  try {
    const shared = x25519.getSharedSecret(owner.encryptionSecret(), ephemeralPublic);
    plaintext = cipherFor(shared, ephemeralPublic, owner.encryptionKey).decrypt(ciphertext.subarray(33));
  } catch (error) {
    throw new CloakError(ErrorCode.DECRYPTION_FAILED, "ciphertext: not addressed to this key, or altered", { cause: error });
  }
  try {
    return createNote(bytesToBigInt(plaintext.subarray(0, 32)), owner.publicKey, bytesToBigInt(plaintext.subarray(32)));
  } catch (error) {
    throw new CloakError(ErrorCode.INVALID_NOTE, "ciphertext: decrypts to an invalid note", { cause: error });
  }
}

/** One output as the chain publishes it. */
export interface EncryptedOutput {
  commitment: bigint;
  leafIndex: number;
  ciphertext: Uint8Array;
}

export interface DiscoveredNote extends NoteData {
  leafIndex: number;
  commitment: bigint;
}

/**
 * Note discovery: tries every published output against `owner` and keeps those that decrypt AND whose
 * recomputed commitment matches the published one (a sender cannot make us accept a note we cannot spend).
 */
export function trialDecrypt(outputs: Iterable<EncryptedOutput>, owner: Keypair, poseidon: PoseidonHasher): DiscoveredNote[] {
  const found: DiscoveredNote[] = [];
  for (const output of outputs) {
    let note: NoteData;
    try {
      note = decryptNote(output.ciphertext, owner);
    } catch {
      continue;
    }
    if (noteCommitment(note, poseidon) !== output.commitment) continue;
    found.push({ ...note, leafIndex: output.leafIndex, commitment: output.commitment });
  }
  return found;
}
