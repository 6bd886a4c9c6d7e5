import { CloakError, ErrorCode } from "./errors.js";

/**
 * Parses a versioned JSON record (a string or an already-parsed object) and checks its `format` tag,
 * so every serialized SDK type refuses unknown versions the same way. Field checks stay with the caller.
 */
export function parseVersioned<T extends { format: string }>(
  input: T | string,
  format: T["format"],
  label: string,
  invalid: ErrorCode,
): Partial<T> {
  let parsed: unknown = input;
  if (typeof input === "string") {
    try {
      parsed = JSON.parse(input);
    } catch {
      throw new CloakError(invalid, `${label}: not valid JSON`);
    }
  }
  if (!parsed || typeof parsed !== "object") throw new CloakError(invalid, `${label}: expected an object`);
  const record = parsed as Partial<T>;
  if (record.format !== format) {
    throw new CloakError(ErrorCode.UNSUPPORTED_VERSION, `${label}.format: expected '${format}', got '${String(record.format)}'`);
  }
  return record;
}
