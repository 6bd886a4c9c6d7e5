// The load generator of `npm run bench:indexer`, run as its own process so the client's work does not
// share an event loop with the server it measures: Merkle path requests for random leaves at a fixed
// overall rate (autocannon's `overallRate`), a short untimed warm-up first; beside the client's figures,
// what the server's own histograms (/metrics) recorded over the measured run. Prints one JSON line.
//   node --import tsx bench/path-load.ts --url U --pool P --leaves N [--rate R] [--seconds S] [--connections C]
import { parseArgs } from "node:util";
import autocannon, { type Result } from "autocannon";
import { seededRandom } from "@cloak/service-testkit";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    pool: { type: "string" },
    leaves: { type: "string" },
    rate: { type: "string", default: "200" },
    seconds: { type: "string", default: "30" },
    warmup: { type: "string", default: "3" },
    connections: { type: "string", default: "10" },
    seed: { type: "string", default: "cloak-indexer-bench" },
  },
});
if (!values.url || !values.pool || !values.leaves) throw new Error("--url, --pool and --leaves are required");
const leaves = Number(values.leaves);
const rate = Number(values.rate);
const connections = Number(values.connections);
const random = seededRandom(values.seed, "path-indexes");
const pathOf = () => `/api/v1/pools/${values.pool}/trees/0/paths/${Buffer.from(random(4)).readUInt32BE() % leaves}`;

function load(seconds: number) {
  return autocannon({
    url: values.url!,
    connections,
    duration: seconds,
    overallRate: rate,
    requests: [{ method: "GET", setupRequest: (request) => ({ ...request, path: pathOf() }) }],
  });
}

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
const ms = (x: number) => Number(x.toFixed(3));

const PATH_ROUTE = "/api/v1/pools/:pool/trees/:tree/paths/:index";

/** One histogram of a Prometheus text scrape, summed over the series whose labels include `only`: cumulative count per bucket, count, sum. */
function histogram(text: string, name: string, only: Record<string, string> = {}) {
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

type Histogram = ReturnType<typeof histogram>;

/** What a histogram gained between two scrapes: requests, mean, [bound in ms, requests at or under it] pairs, and the smallest bound holding 99 %. */
function gained(before: Histogram, after: Histogram) {
  const requests = after.count - before.count;
  const bounds = [...after.buckets.keys()].sort((a, b) => a - b);
  const within = bounds.map((le) => [le, after.buckets.get(le)! - (before.buckets.get(le) ?? 0)] as const);
  return {
    requests,
    meanMs: ms(((after.sum - before.sum) / requests) * 1000),
    atMostMs: within.map(([le, n]) => [le === Infinity ? "+Inf" : ms(le * 1000), n]),
    p99AtMostMs: ms((within.find(([, n]) => n >= 0.99 * requests)?.[0] ?? NaN) * 1000),
  };
}

async function scrape(): Promise<{ proof: Histogram; http: Histogram }> {
  const text = await (await fetch(`${values.url}/metrics`)).text();
  return { proof: histogram(text, "proof_generation_seconds"), http: histogram(text, "http_request_duration_seconds", { route: PATH_ROUTE, status_code: "200" }) };
}

await load(Number(values.warmup));
const latencies: number[] = [];
const statuses: Record<string, number> = {};
const before = await scrape();
const started = performance.now();
const run = load(Number(values.seconds));
run.on("response", (_client, status, _bytes, responseTimeMs) => {
  statuses[status] = (statuses[status] ?? 0) + 1;
  if (status >= 200 && status < 300) latencies.push(responseTimeMs);
});
const result: Result = await run;
const seconds = (performance.now() - started) / 1000;
const after = await scrape();
latencies.sort((a, b) => a - b);
const responses = Object.values(statuses).reduce((sum, n) => sum + n, 0);
process.stdout.write(
  `${JSON.stringify({
    target: { rate, seconds: Number(values.seconds), connections, warmupSeconds: Number(values.warmup), leaves },
    // Every 2xx response's time as autocannon measured it (send to last byte, fractional ms).
    latencyMs: {
      responses: latencies.length,
      p50: ms(percentile(latencies, 50)),
      p90: ms(percentile(latencies, 90)),
      p99: ms(percentile(latencies, 99)),
      p999: ms(percentile(latencies, 99.9)),
      max: ms(latencies.at(-1) ?? NaN),
      mean: ms(latencies.reduce((sum, x) => sum + x, 0) / latencies.length),
    },
    achievedRate: Number((responses / seconds).toFixed(1)),
    statuses,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    // autocannon's own summary: whole-millisecond histogram with its coordinated-omission correction.
    autocannonLatencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
    server: {
      // The route handler alone: finding the tree and computing the path (the runbook's proof generation time).
      proof_generation_seconds: gained(before.proof, after.proof),
      // Fastify's onRequest → onResponse for the route: rate limit, worker gate, validation, handler, serialization.
      http_request_duration_seconds: gained(before.http, after.http),
    },
  })}\n`
);
