import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SCRAMBLE_REGISTRY_IDL, SHIELD_POOL_IDL, customInstructionError, solanaProgramError } from "../src/solana/index.js";

describe("Solana program error codes", () => {
  it("name the shield pool's codes, which start at 6000", () => {
    assert.deepEqual(solanaProgramError(6000), { program: "shield_pool", code: 6000, name: "Paused", message: "config: the pool is paused" });
    const council = SHIELD_POOL_IDL.errors.find((error) => error.name === "NotSecurityCouncil")!;
    assert.equal(solanaProgramError(council.code)?.name, "NotSecurityCouncil");
  });

  it("name the registry's codes, which start at 7000", () => {
    assert.deepEqual(solanaProgramError(7000), {
      program: "scramble_registry",
      code: 7000,
      name: "MinDifficultyZero",
      message: "min_difficulty must be at least 1: the target is u128::MAX / difficulty",
    });
    const pending = SCRAMBLE_REGISTRY_IDL.errors.find((error) => error.name === "NotPendingAdmin")!;
    assert.deepEqual([solanaProgramError(pending.code)?.program, solanaProgramError(pending.code)?.name], ["scramble_registry", "NotPendingAdmin"]);
  });

  it("keep the two programs' codes apart, so a code names one error", () => {
    assert.ok(SHIELD_POOL_IDL.errors.every((error) => error.code >= 6000 && error.code < 7000));
    assert.ok(SCRAMBLE_REGISTRY_IDL.errors.every((error) => error.code >= 7000 && error.code < 8000));
  });

  it("know no code outside the programs' errors, Anchor's own included", () => {
    assert.equal(solanaProgramError(2006), null); // Anchor's ConstraintSeeds
    assert.equal(solanaProgramError(5999), null);
    assert.equal(solanaProgramError(SCRAMBLE_REGISTRY_IDL.errors.at(-1)!.code + 1), null);
  });

  it("read a failed transaction's custom error, its instruction and its name", () => {
    assert.deepEqual(customInstructionError({ InstructionError: [1, { Custom: 6000 }] }), {
      instructionIndex: 1,
      code: 6000,
      error: solanaProgramError(6000),
    });
    assert.deepEqual(customInstructionError({ InstructionError: [0, { Custom: 2006 }] }), { instructionIndex: 0, code: 2006, error: null });
  });

  it("find no custom error in a built-in instruction error or a success", () => {
    assert.equal(customInstructionError({ InstructionError: [0, "InvalidArgument"] }), null);
    assert.equal(customInstructionError("AccountNotFound"), null);
    assert.equal(customInstructionError(null), null);
  });
});
