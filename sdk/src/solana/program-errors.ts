import { SCRAMBLE_REGISTRY_IDL } from "./idl/scramble_registry.js";
import { SHIELD_POOL_IDL } from "./idl/shield_pool.js";

/**
 * The programs' custom error codes, named from their IDLs. The shield pool's start at 6000 (Anchor's
 * default) and the scramble registry's at 7000, so a code names one error whichever program raised it:
 * a transact that CPIs into the registry can fail with either.
 */

export interface SolanaProgramError {
  /** The program whose IDL defines the code. */
  program: "shield_pool" | "scramble_registry";
  code: number;
  /** The variant as the program names it, e.g. "NotSecurityCouncil". */
  name: string;
  /** The program's message for it. */
  message: string;
}

const byCode = new Map<number, SolanaProgramError>();
for (const [program, idl] of [
  ["shield_pool", SHIELD_POOL_IDL],
  ["scramble_registry", SCRAMBLE_REGISTRY_IDL],
] as const) {
  for (const error of idl.errors) byCode.set(error.code, { program, code: error.code, name: error.name, message: error.msg });
}

/** The shield pool's or the registry's error with `code`; null for any other code (Anchor's own, below 6000, included). */
export function solanaProgramError(code: number): SolanaProgramError | null {
  return byCode.get(code) ?? null;
}

/**
 * The custom error in a failed transaction's `err` (`{ InstructionError: [index, { Custom: code }] }`, as
 * getTransaction's meta.err and a simulation give it): which top-level instruction failed and its code,
 * named when it is one of the programs' (solanaProgramError). Null when `err` is not a custom
 * instruction error.
 */
export function customInstructionError(err: unknown): { instructionIndex: number; code: number; error: SolanaProgramError | null } | null {
  if (typeof err !== "object" || err === null || !("InstructionError" in err)) return null;
  const detail = (err as { InstructionError: unknown }).InstructionError;
  if (!Array.isArray(detail) || detail.length !== 2) return null;
  const [instructionIndex, cause] = detail as [unknown, unknown];
  if (!Number.isInteger(instructionIndex) || typeof cause !== "object" || cause === null || !("Custom" in cause)) return null;
  const code = (cause as { Custom: unknown }).Custom;
  if (!Number.isInteger(code)) return null;
  return { instructionIndex: instructionIndex as number, code: code as number, error: solanaProgramError(code as number) };
}
