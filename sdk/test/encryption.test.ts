import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ENCRYPTED_NOTE_BYTES,
  ErrorCode,
  Keypair,
  createNote,
  decryptNote,
  encryptNote,
  getPoseidon,
  noteCommitment,
  trialDecrypt,
} from "../src/index.js";
import { assertCloakError } from "./helpers.js";

const poseidon = await getPoseidon();
const alice = Keypair.generate(poseidon);
const bob = Keypair.generate(poseidon);

describe("note encryption", () => {
  it("decrypts for the recipient to the same note", () => {
    const note = createNote(42n, alice.publicKey);
    const ciphertext = encryptNote(note, alice);
    assert.equal(ciphertext.length, ENCRYPTED_NOTE_BYTES);
    assert.deepEqual(decryptNote(ciphertext, alice), note);
  });

  it("encrypts the same note differently each time", () => {
    const note = createNote(42n, alice.publicKey);
    assert.notDeepEqual(encryptNote(note, alice), encryptNote(note, alice));
  });

  it("fails for another key", () => {
    const ciphertext = encryptNote(createNote(42n, alice.publicKey), alice);
    assertCloakError(() => decryptNote(ciphertext, bob), ErrorCode.DECRYPTION_FAILED);
  });

  it("fails when a ciphertext byte is altered", () => {
    const ciphertext = encryptNote(createNote(42n, alice.publicKey), alice);
    ciphertext[50]! ^= 1;
    assertCloakError(() => decryptNote(ciphertext, alice), ErrorCode.DECRYPTION_FAILED);
  });

  it("refuses an unknown envelope version", () => {
    const ciphertext = encryptNote(createNote(42n, alice.publicKey), alice);
    ciphertext[0] = 9;
    assertCloakError(() => decryptNote(ciphertext, alice), ErrorCode.UNSUPPORTED_VERSION);
  });
});

describe("trial decryption", () => {
  it("finds exactly the recipient's notes among published outputs", () => {
    const forAlice = createNote(10n, alice.publicKey);
    const forBob = createNote(20n, bob.publicKey);
    const outputs = [forAlice, forBob].map((note, leafIndex) => ({
      commitment: noteCommitment(note, poseidon),
      leafIndex,
      ciphertext: encryptNote(note, leafIndex === 0 ? alice : bob),
    }));
    const found = trialDecrypt(outputs, alice, poseidon);
    assert.equal(found.length, 1);
    assert.equal(found[0]!.amount, 10n);
    assert.equal(found[0]!.leafIndex, 0);
  });

  it("ignores a ciphertext that does not open the published commitment", () => {
    const promised = createNote(1000n, alice.publicKey);
    const sent = createNote(1n, alice.publicKey);
    const outputs = [{ commitment: noteCommitment(sent, poseidon), leafIndex: 0, ciphertext: encryptNote(promised, alice) }];
    assert.deepEqual(trialDecrypt(outputs, alice, poseidon), []);
  });
});
