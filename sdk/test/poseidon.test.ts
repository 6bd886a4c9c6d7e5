import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode, FIELD_SIZE, getPoseidon } from "../src/index.js";
import { assertCloakError } from "./helpers.js";

const poseidon = await getPoseidon();

describe("poseidon", () => {
  it("matches circomlib's test vector for Poseidon(1, 2)", () => {
    assert.equal(poseidon.hash([1n, 2n]), 7853200120776062878684798364095072458815029376092732009249414926327459813530n);
  });

  it("matches circomlib's test vector for Poseidon(1, 2, 3, 4)", () => {
    assert.equal(poseidon.hash([1n, 2n, 3n, 4n]), 18821383157269793795438455681495246036402687001665670618754263018637548127333n);
  });

  it("refuses an input outside the field", () => {
    assertCloakError(() => poseidon.hash([FIELD_SIZE]), ErrorCode.INVALID_FIELD_ELEMENT, "poseidon input 0");
  });

  it("refuses an empty input list", () => {
    assertCloakError(() => poseidon.hash([]), ErrorCode.INVALID_FIELD_ELEMENT);
  });
});
