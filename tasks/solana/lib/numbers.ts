// Numeric options, checked before anything is built.
import { TaskError, TaskErrorCode } from "../../lib/errors.ts";

/** A whole number given as decimal digits (bigint, so u64 values survive). */
export function wholeNumber(value: string, option: string): bigint {
  if (!/^\d+$/.test(value.trim())) throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--${option}: '${value}' is not a whole number`);
  return BigInt(value.trim());
}

/** wholeNumber, or `current` when the option was left empty. */
export function wholeNumberOr(value: string, option: string, current: bigint): bigint {
  return value.trim() === "" ? current : wholeNumber(value, option);
}

/** `true`/`false` (also on/off, yes/no). */
export function booleanArgument(value: string, option: string): boolean {
  const normalized = value.trim().toLowerCase();
  if (["true", "on", "yes"].includes(normalized)) return true;
  if (["false", "off", "no"].includes(normalized)) return false;
  throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--${option}: '${value}' is neither true nor false`);
}
