// What the benchmarks share: summary statistics, the run-count check and the machine they ran on.
import { cpus, loadavg, totalmem } from "node:os";

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

/** Nearest-rank percentile of sorted values. */
export const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

/** Milliseconds to the microsecond. */
const ms = (x: number) => Number(x.toFixed(3));

/** Latency figures of sorted millisecond values: p50, p90, p95, p99, p99.9, max, mean. */
export const latencySummary = (sorted: readonly number[]) => ({
  p50: ms(percentile(sorted, 50)),
  p90: ms(percentile(sorted, 90)),
  p95: ms(percentile(sorted, 95)),
  p99: ms(percentile(sorted, 99)),
  p999: ms(percentile(sorted, 99.9)),
  max: ms(sorted.at(-1) ?? NaN),
  mean: ms(sorted.reduce((sum, x) => sum + x, 0) / sorted.length),
});

/** One histogram of a Prometheus text scrape, summed over the series whose labels include `only`: cumulative count per bucket, count, sum. */
export function histogram(text: string, name: string, only: Record<string, string> = {}) {
  const buckets = new Map<number, number>();
  let count = 0;
  let sum = 0;
  for (const line of text.split("\n")) {
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || !match[1]!.startsWith(name)) continue;
    const labels = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((label) => [label[1]!, label[2]!]));
    if (Object.entries(only).some(([key, value]) => labels[key] !== value)) continue;
    const value = Number(match[3]);
    const le = labels.le === "+Inf" ? Infinity : Number(labels.le);
    if (match[1] === `${name}_bucket`) buckets.set(le, (buckets.get(le) ?? 0) + value);
    else if (match[1] === `${name}_count`) count += value;
    else if (match[1] === `${name}_sum`) sum += value;
  }
  return { buckets, count, sum };
}

export type Histogram = ReturnType<typeof histogram>;

/** What a histogram gained between two scrapes: requests, mean, [bound in ms, requests at or under it] pairs, and the smallest bounds holding 95 % and 99 %. */
export function gained(before: Histogram, after: Histogram) {
  const requests = after.count - before.count;
  const bounds = [...after.buckets.keys()].sort((a, b) => a - b);
  const within = bounds.map((le) => [le, after.buckets.get(le)! - (before.buckets.get(le) ?? 0)] as const);
  const atMost = (share: number) => ms((within.find(([, n]) => n >= share * requests)?.[0] ?? NaN) * 1000);
  return {
    requests,
    meanMs: ms(((after.sum - before.sum) / requests) * 1000),
    atMostMs: within.map(([le, n]) => [le === Infinity ? "+Inf" : ms(le * 1000), n]),
    p95AtMostMs: atMost(0.95),
    p99AtMostMs: atMost(0.99),
  };
}

/** What every benchmark run keeps: the command as typed, the load average and time at its start, a timestamped `say` and a `check` that stops the run. */
export function benchmarkRun(script: string) {
  const args = process.argv.slice(2);
  const startedAt = Date.now();
  const elapsed = () => `${Math.round((Date.now() - startedAt) / 1000)} s`;
  return {
    command: `npm run ${script}${args.length > 0 ? ` -- ${args.join(" ")}` : ""}`,
    loadAtStart: loadavg().map((x) => round(x, 2)),
    startedAt,
    say: (line: string) => console.log(`[${elapsed()}] ${line}`),
    check: (condition: boolean, what: string) => {
      if (!condition) throw new Error(`benchmark check failed: ${what}`);
    },
  };
}
