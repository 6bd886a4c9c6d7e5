// The load generator of `npm run bench:indexer`, run as its own process so the client's work does not
// share an event loop with the server it measures: Merkle path requests for random leaves at a fixed
// overall rate, a short untimed warm-up first. Two ways to hold the rate:
//   --mode autocannon: autocannon's `overallRate`. Each connection sends its share of a second's requests
//     back to back as soon as the second starts and then waits for the next one, so the server sees a
//     burst of `rate` requests, `connections` at a time, once a second.
//   --mode paced: an open loop sending one request every 1/rate s over a keep-alive pool of `connections`
//     sockets; latency is also counted from each request's scheduled time (a stalled server delays the
//     ones behind it, which counts against it instead of slowing the load).
// Beside the client's figures, what the server's own histograms (/metrics) recorded over the measured run
// (not with --baseline: a plain HTTP server without them, to calibrate the machine). Prints one JSON line.
//   node --import tsx bench/path-load.ts --url U --pool P --leaves N [--mode autocannon|paced] [--rate R] [--seconds S] [--connections C] [--baseline]
import { Agent, get } from "node:http";
import { parseArgs } from "node:util";
import autocannon, { type Result } from "autocannon";
import { seededRandom } from "@cloak/service-testkit";
import { gained, histogram, latencySummary as summary, type Histogram } from "../../../bench/stats.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    pool: { type: "string" },
    leaves: { type: "string" },
    mode: { type: "string", default: "autocannon" },
    rate: { type: "string", default: "200" },
    seconds: { type: "string", default: "30" },
    warmup: { type: "string", default: "3" },
    connections: { type: "string", default: "10" },
    seed: { type: "string", default: "cloak-indexer-bench" },
    baseline: { type: "boolean", default: false },
  },
});
if (!values.url || !values.pool || !values.leaves) throw new Error("--url, --pool and --leaves are required");
if (values.mode !== "autocannon" && values.mode !== "paced") throw new Error(`--mode must be autocannon or paced, got ${values.mode}`);
const url = new URL(values.url);
const leaves = Number(values.leaves);
const rate = Number(values.rate);
const connections = Number(values.connections);
const random = seededRandom(values.seed, "path-indexes");
const pathOf = () => `/api/v1/pools/${values.pool}/trees/0/paths/${Buffer.from(random(4)).readUInt32BE() % leaves}`;

/** One response: its status, ms from send to its end, and ms from when it was due (paced only). */
type OnResponse = (status: number, sentMs: number, dueMs?: number) => void;

/** autocannon for `seconds`; answers its own summary. */
async function autocannonRun(seconds: number, record?: OnResponse): Promise<Result> {
  const run = autocannon({
    url: values.url!,
    connections,
    duration: seconds,
    overallRate: rate,
    requests: [{ method: "GET", setupRequest: (request) => ({ ...request, path: pathOf() }) }],
  });
  if (record) run.on("response", (_client, status, _bytes, responseTimeMs) => record(status, responseTimeMs));
  return run;
}

const agent = new Agent({ keepAlive: true, maxSockets: connections });
const request = (path: string) =>
  new Promise<number>((resolve) => {
    get({ host: url.hostname, port: url.port, path, agent }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    }).on("error", () => resolve(0));
  });

/** One request every 1/rate s for `seconds` (timers: up to ~1 ms late), without waiting for answers. */
async function pacedRun(seconds: number, record?: OnResponse): Promise<void> {
  const interval = 1000 / rate;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < Math.round(rate * seconds); i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = performance.now();
    // A timer can fire up to a millisecond early (libuv's loop time is cached): then the send is the schedule.
    const scheduled = Math.min(due, sent);
    pending.push(request(pathOf()).then((status) => record?.(status, performance.now() - sent, performance.now() - scheduled)));
  }
  await Promise.all(pending);
}

const PATH_ROUTE = "/api/v1/pools/:pool/trees/:tree/paths/:index";

async function scrape(): Promise<{ proof: Histogram; http: Histogram }> {
  const text = await (await fetch(`${values.url}/metrics`)).text();
  return { proof: histogram(text, "proof_generation_seconds"), http: histogram(text, "http_request_duration_seconds", { route: PATH_ROUTE, status_code: "200" }) };
}

const run = values.mode === "paced" ? pacedRun : autocannonRun;
await run(Number(values.warmup));
const sentMs: number[] = [];
const dueMs: number[] = [];
const statuses: { [status: string]: number } = {};
const before = values.baseline ? null : await scrape();
const started = performance.now();
const result = await run(Number(values.seconds), (status, sent, due) => {
  statuses[status] = (statuses[status] ?? 0) + 1;
  if (status < 200 || status >= 300) return;
  sentMs.push(sent);
  if (due !== undefined) dueMs.push(due);
});
const seconds = (performance.now() - started) / 1000;
const after = values.baseline ? null : await scrape();
agent.destroy();
const responses = Object.values(statuses).reduce((sum, n) => sum + n, 0);
const non2xx = responses - Object.entries(statuses).reduce((sum, [status, n]) => sum + (Number(status) >= 200 && Number(status) < 300 ? n : 0), 0);
process.stdout.write(
  `${JSON.stringify({
    mode: values.mode,
    target: {
      url: values.baseline ? "baseline: a plain node:http server answering a path-sized JSON" : "the indexer",
      rate,
      seconds: Number(values.seconds),
      connections,
      warmupSeconds: Number(values.warmup),
      leaves,
    },
    // Every 2xx response, send to its last byte (autocannon's own per-response time in its mode), fractional ms.
    latencyMs: { responses: sentMs.length, ...summary(sentMs.sort((a, b) => a - b)) },
    ...(dueMs.length > 0 ? { fromScheduleMs: summary(dueMs.sort((a, b) => a - b)) } : {}),
    achievedRate: Number((responses / seconds).toFixed(1)),
    statuses,
    non2xx,
    ...(result
      ? {
          errors: result.errors,
          timeouts: result.timeouts,
          // autocannon's own summary: whole-millisecond histogram with its coordinated-omission correction.
          autocannonLatencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
        }
      : {}),
    ...(before && after
      ? {
          server: {
            // The route handler alone: finding the tree and computing the path (the runbook's proof generation time).
            proof_generation_seconds: gained(before.proof, after.proof),
            // Fastify's onRequest → onResponse for the route: rate limit, worker gate, validation, handler, serialization.
            http_request_duration_seconds: gained(before.http, after.http),
          },
        }
      : {}),
  })}\n`
);
