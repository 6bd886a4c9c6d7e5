import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode, FIELD_SIZE, bigIntToBytes, bytesToBigInt, getPoseidon, loadNativeAddon } from "../src/index.js";
import { assertCloakError } from "./helpers.js";

const poseidon = await getPoseidon();
const wasm = await getPoseidon({ backend: "wasm" });
const { addon } = await loadNativeAddon();

/** Deterministic field elements spread over the whole field, edge values first. */
function samples(count: number): bigint[] {
  const values = [0n, 1n, FIELD_SIZE - 1n, FIELD_SIZE >> 1n];
  let x = 0x9e3779b97f4a7c15n;
  while (values.length < count) {
    x = (x * 6364136223846793005n + 1442695040888963407n) % (1n << 256n);
    values.push(x % FIELD_SIZE);
  }
  return values;
}

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

  it("refuses a negative input, naming its position", () => {
    assertCloakError(() => poseidon.hash([1n, -1n]), ErrorCode.INVALID_FIELD_ELEMENT, "poseidon input 1");
  });

  it("refuses an empty input list", () => {
    assertCloakError(() => poseidon.hash([]), ErrorCode.INVALID_FIELD_ELEMENT);
  });

  it("refuses 17 inputs", () => {
    assertCloakError(() => poseidon.hash(samples(17)), ErrorCode.INVALID_FIELD_ELEMENT, "1 to 16 inputs, got 17");
  });

  it("uses the native backend by default exactly where @cloak/native loads", () => {
    assert.equal(poseidon.backend, addon ? "native" : "wasm");
    assert.equal(wasm.backend, "wasm");
  });

  if (addon) {
    it("hashes like circomlibjs' WebAssembly Poseidon for every width from 1 to 16 (native up to 12, wider through WebAssembly)", () => {
      const values = samples(16 * 40);
      for (let width = 1; width <= 16; width++) {
        for (let i = 0; i < 40; i++) {
          const inputs = values.slice(i * width, i * width + width);
          assert.equal(poseidon.hash(inputs), wasm.hash(inputs), `width ${width}, sample ${i}`);
        }
      }
    });

    it("gives the native batch the same hashes as one call per pair", () => {
      const values = samples(2 * 300);
      const bytes = new Uint8Array(32 * values.length);
      values.forEach((v, i) => bytes.set(bigIntToBytes(v), 32 * i));
      const out = addon.poseidonHashBatch(2, bytes);
      for (let i = 0; i < 300; i++) {
        const hashed = bytesToBigInt(out.subarray(32 * i, 32 * i + 32));
        assert.equal(hashed, wasm.hash([values[2 * i]!, values[2 * i + 1]!]), `pair ${i}`);
      }
    });
  } else {
    it("refuses backend \"native\" where @cloak/native does not load: NATIVE_UNAVAILABLE", async () => {
      await assert.rejects(getPoseidon({ backend: "native" }), (error: unknown) => {
        assert.equal((error as { code?: string }).code, ErrorCode.NATIVE_UNAVAILABLE);
        return true;
      });
    });
  }
});
