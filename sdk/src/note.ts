import { CloakError, ErrorCode } from "./errors.js";
import { randomFieldElement, toAmount, toField, toHex32 } from "./field.js";
import type { Keypair } from "./keys.js";
import type { PoseidonHasher } from "./poseidon.js";
import { parseVersioned } from "./versioned.js";

const NOTE_FORMAT = "cloak-note/1";

/** A shielded note: `amount` owned by `publicKey`, hidden by `blinding`. */
export interface NoteData {
  amount: bigint;
  publicKey: bigint;
  blinding: bigint;
}

/** A note that sits in the tree, with what its owner needs to spend it. */
export interface SpendableNote extends NoteData {
  leafIndex: number;
}

/** The versioned JSON form. It holds the blinding: whoever has it can link the note. */
export interface SerializedNote {
  format: typeof NOTE_FORMAT;
  amount: string;
  publicKey: string;
  blinding: string;
  leafIndex?: number;
}

export function createNote(amount: bigint, publicKey: bigint, blinding: bigint = randomFieldElement()): NoteData {
  return {
    amount: toAmount(amount, "note.amount"),
    publicKey: toField(publicKey, "note.publicKey"),
    blinding: toField(blinding, "note.blinding"),
  };
}

/** commitment = Poseidon(amount, publicKey, blinding) */
export function noteCommitment(note: NoteData, poseidon: PoseidonHasher): bigint {
  return poseidon.hash([note.amount, note.publicKey, note.blinding]);
}

/** nullifier = Poseidon(commitment, leafIndex, Poseidon(sk, commitment, leafIndex)) */
export function noteNullifier(commitment: bigint, leafIndex: number, privateKey: bigint, poseidon: PoseidonHasher): bigint {
  if (!Number.isSafeInteger(leafIndex) || leafIndex < 0) {
    throw new CloakError(ErrorCode.INVALID_NOTE, `leafIndex: ${leafIndex} is not a non-negative integer`);
  }
  const index = BigInt(leafIndex);
  const authorisation = poseidon.hash([privateKey, commitment, index]);
  return poseidon.hash([commitment, index, authorisation]);
}

/** The nullifier of an owned note; refuses a note the keypair does not own. */
export function spendNullifier(note: SpendableNote, owner: Keypair, poseidon: PoseidonHasher): bigint {
  if (note.publicKey !== owner.publicKey) {
    throw new CloakError(ErrorCode.INVALID_NOTE, "note.publicKey: the note is not owned by this keypair");
  }
  return noteNullifier(noteCommitment(note, poseidon), note.leafIndex, owner.privateKey, poseidon);
}

export function serializeNote(note: NoteData & { leafIndex?: number }): SerializedNote {
  const out: SerializedNote = {
    format: NOTE_FORMAT,
    amount: note.amount.toString(),
    publicKey: toHex32(note.publicKey),
    blinding: toHex32(note.blinding),
  };
  if (note.leafIndex !== undefined) out.leafIndex = note.leafIndex;
  return out;
}

export function deserializeNote(serialized: SerializedNote | string): NoteData & { leafIndex?: number } {
  const record = parseVersioned(serialized, NOTE_FORMAT, "note", ErrorCode.INVALID_NOTE);
  for (const field of ["amount", "publicKey", "blinding"] as const) {
    if (typeof record[field] !== "string") throw new CloakError(ErrorCode.INVALID_NOTE, `note.${field}: missing`);
  }
  let note: NoteData & { leafIndex?: number };
  try {
    note = createNote(BigInt(record.amount!), BigInt(record.publicKey!), BigInt(record.blinding!));
  } catch (error) {
    if (error instanceof CloakError) throw new CloakError(ErrorCode.INVALID_NOTE, error.message, { cause: error });
    throw new CloakError(ErrorCode.INVALID_NOTE, `note: ${(error as Error).message}`);
  }
  if (record.leafIndex !== undefined) {
    if (!Number.isSafeInteger(record.leafIndex) || record.leafIndex < 0) {
      throw new CloakError(ErrorCode.INVALID_NOTE, `note.leafIndex: ${String(record.leafIndex)} is not a non-negative integer`);
    }
    note.leafIndex = record.leafIndex;
  }
  return note;
}
