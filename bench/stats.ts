// What the benchmarks share: summary statistics, the run-count check and the machine they ran on.
import { cpus, totalmem } from "node:os";

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

/** The `--runs` option as a count of at least 5, or an error naming it. */
export function runCount(value: string | undefined): number {
  const runs = Number(value);
  if (!Number.isInteger(runs) || runs < 5) throw new Error(`--runs must be an integer >= 5, got ${value}`);
  return runs;
}

export function machine() {
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", memoryGiB: round(totalmem() / 2 ** 30), node: process.version };
}
