import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ErrorCode,
  Keypair,
  MAX_AMOUNT,
  createNote,
  deserializeNote,
  getPoseidon,
  noteCommitment,
  noteNullifier,
  serializeNote,
  spendNullifier,
} from "../src/index.js";
import { assertCloakError } from "./helpers.js";

const poseidon = await getPoseidon();
const owner = Keypair.generate(poseidon);

describe("note", () => {
  it("commits as Poseidon(amount, publicKey, blinding)", () => {
    const note = createNote(5n, owner.publicKey, 9n);
    assert.equal(noteCommitment(note, poseidon), poseidon.hash([5n, owner.publicKey, 9n]));
  });

  it("nullifies as Poseidon(commitment, index, Poseidon(sk, commitment, index))", () => {
    const note = createNote(5n, owner.publicKey);
    const commitment = noteCommitment(note, poseidon);
    const expected = poseidon.hash([commitment, 3n, poseidon.hash([owner.privateKey, commitment, 3n])]);
    assert.equal(noteNullifier(commitment, 3, owner.privateKey, poseidon), expected);
  });

  it("gives equal notes at different leaves different nullifiers", () => {
    const note = createNote(5n, owner.publicKey, 1n);
    assert.notEqual(spendNullifier({ ...note, leafIndex: 0 }, owner, poseidon), spendNullifier({ ...note, leafIndex: 1 }, owner, poseidon));
  });

  it("refuses to nullify a note for a key that does not own it", () => {
    const note = { ...createNote(5n, owner.publicKey), leafIndex: 0 };
    assertCloakError(() => spendNullifier(note, Keypair.generate(poseidon), poseidon), ErrorCode.INVALID_NOTE, "note.publicKey");
  });

  it("refuses an amount of 2^248 or more", () => {
    assertCloakError(() => createNote(MAX_AMOUNT + 1n, owner.publicKey), ErrorCode.INVALID_AMOUNT, "note.amount");
  });

  it("round-trips through its versioned serialization", () => {
    const note = { ...createNote(123n, owner.publicKey), leafIndex: 4 };
    assert.deepEqual(deserializeNote(JSON.stringify(serializeNote(note))), note);
  });

  it("refuses a serialized note with a negative leaf index", () => {
    const serialized = { ...serializeNote(createNote(1n, owner.publicKey)), leafIndex: -1 };
    assertCloakError(() => deserializeNote(serialized), ErrorCode.INVALID_NOTE, "note.leafIndex");
  });

  it("refuses a serialized note of an unknown format", () => {
    const serialized = { ...serializeNote(createNote(1n, owner.publicKey)), format: "cloak-note/2" };
    assertCloakError(() => deserializeNote(JSON.stringify(serialized)), ErrorCode.UNSUPPORTED_VERSION, "note.format");
  });
});
