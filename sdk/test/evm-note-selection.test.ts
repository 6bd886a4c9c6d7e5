import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode, selectNotes, type PoolNote } from "../src/index.js";
import { assertCloakError } from "./helpers.js";

/** Only the fields selection reads matter; the rest are placeholders. */
function note(tree: number, leafIndex: number, amount: bigint): PoolNote {
  return { tree, leafIndex, amount, commitment: BigInt(1000 * tree + leafIndex), publicKey: 1n, blinding: 2n };
}

describe("EVM note selection across trees", () => {
  it("takes one note when one covers the amount, the largest across trees", () => {
    const notes = [note(0, 4, 60n), note(1, 0, 90n), note(1, 2, 10n)];
    assert.deepEqual(selectNotes(notes, 50n), [note(1, 0, 90n)]);
  });

  it("pairs two notes of the same tree, never one from each", () => {
    const notes = [note(0, 4, 60n), note(1, 0, 50n), note(1, 2, 40n)];
    assert.deepEqual(selectNotes(notes, 85n), [note(1, 0, 50n), note(1, 2, 40n)]);
  });

  it("refuses when only notes of different trees would cover the amount", () => {
    const notes = [note(0, 4, 60n), note(1, 0, 50n)];
    assertCloakError(() => selectNotes(notes, 100n), ErrorCode.INSUFFICIENT_FUNDS, "amount");
  });
});
