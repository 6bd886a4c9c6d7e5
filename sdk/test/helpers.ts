import assert from "node:assert/strict";
import { CloakError, type ErrorCode } from "../src/index.js";

/** Asserts that `fn` throws a CloakError with `code`, and that its message names `field`. */
export function assertCloakError(fn: () => unknown, code: ErrorCode, field?: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof CloakError, `expected a CloakError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (field) assert.match(error.message, new RegExp(field.replace(/[.[\]]/g, "\\$&")));
    return true;
  });
}

/** assertCloakError for a function whose failure is a rejected promise. */
export async function assertCloakErrorAsync(fn: () => Promise<unknown>, code: ErrorCode, field?: string): Promise<void> {
  await assert.rejects(fn, (error: unknown) => {
    assert.ok(error instanceof CloakError, `expected a CloakError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (field) assert.match(error.message, new RegExp(field.replace(/[.[\]]/g, "\\$&")));
    return true;
  });
}
