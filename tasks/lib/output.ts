// Output conventions shared by the read-only tasks.

/** JSON with bigint as decimal strings, the convention of every file and --json output these tasks write. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), indent);
}

/** Raises process.exitCode to `code`, never lowers it: an earlier, worse outcome in the same process must survive. */
export function raiseExitCode(code: number): void {
  const current = Number(process.exitCode ?? 0);
  if (code > current) process.exitCode = code;
}
