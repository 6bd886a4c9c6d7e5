// The client of `npm run bench:relay`, run as its own process so its work does not share an event loop
// with the relay it measures. It posts withdrawal requests (a JSON array of POST /api/v1/transact bodies,
// `--bodies F`) in one of three ways and prints one JSON line of figures:
//   --mode paced: an open loop, one request every 1/rate s for `seconds` (after an untimed warm-up),
//     the bodies in turn, without waiting for answers; latency from send to the last byte and from each
//     request's scheduled time (a stalled relay delays the ones behind it, which counts against it).
//     Beside it, what the relay's own histogram of the route recorded over the measured run.
//   --mode serial: each body once, one at a time: post it, then ask GET /api/v1/jobs/:id every `poll-ms`
//     until it is confirmed, then the next one. Accept latency and 202 → confirmed, both with nothing else
//     in flight.
//   --mode burst: every body at once, then GET /api/v1/queue/status every `poll-ms` until all of them are
//     confirmed, failed or dead (then each job's final state): the queue's throughput with the chain's
//     mining as the limit.
//   node --import tsx bench/intake-load.ts --url U --bodies F --mode paced|serial|burst [--rate R] [--seconds S] [--warmup S] [--connections C] [--poll-ms P]
import { readFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { parseArgs } from "node:util";
import { gained, histogram, latencySummary } from "../../../bench/stats.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    bodies: { type: "string" },
    mode: { type: "string", default: "paced" },
    rate: { type: "string", default: "10" },
    seconds: { type: "string", default: "30" },
    warmup: { type: "string", default: "3" },
    connections: { type: "string", default: "16" },
    "poll-ms": { type: "string", default: "20" },
  },
});
if (!values.url || !values.bodies) throw new Error("--url and --bodies are required");
const url = new URL(values.url);
const bodies = (JSON.parse(readFileSync(values.bodies, "utf8")) as unknown[]).map((body) => JSON.stringify(body));
if (bodies.length === 0) throw new Error(`${values.bodies} holds no request bodies`);
const pollMs = Number(values["poll-ms"]);
const agent = new Agent({ keepAlive: true, maxSockets: Number(values.connections) });

interface Answer {
  status: number;
  body: Record<string, unknown>;
  /** performance.now() when the last byte arrived. */
  at: number;
}

/** One request over the keep-alive pool; status 0 for a transport failure. */
function call(method: "GET" | "POST", path: string, body?: string): Promise<Answer> {
  return new Promise((resolve) => {
    const headers = body === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(body) };
    const request = httpRequest({ host: url.hostname, port: url.port, method, path, agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const at = performance.now();
        let parsed: Record<string, unknown> = {};
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
        } catch {
          // A non-JSON answer is counted by its status alone.
        }
        resolve({ status: response.statusCode ?? 0, body: parsed, at });
      });
    });
    request.on("error", () => resolve({ status: 0, body: {}, at: performance.now() }));
    request.end(body);
  });
}

const transact = (body: string) => call("POST", "/api/v1/transact", body);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
/** "202", "409 NULLIFIER_SPENT", …: the status and, for a refusal, its code. */
const outcomeOf = (answer: Answer) => `${answer.status}${typeof answer.body.error === "string" ? ` ${answer.body.error}` : ""}`;
const tally = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1);

const TRANSACT_ROUTE = "/api/v1/transact";
async function transactHistogram() {
  return histogram(await (await fetch(`${values.url}/metrics`)).text(), "http_request_duration_seconds", { route: TRANSACT_ROUTE, method: "POST" });
}

async function paced() {
  const rate = Number(values.rate);
  const interval = 1000 / rate;
  let next = 0;
  const run = async (seconds: number, record?: (answer: Answer, sentMs: number, dueMs: number) => void) => {
    const started = performance.now();
    const pending: Promise<void>[] = [];
    for (let i = 0; i < Math.round(rate * seconds); i++) {
      const due = started + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await pause(wait);
      const sent = performance.now();
      // A timer can fire up to a millisecond early (libuv caches its loop time): then the send is the schedule.
      const scheduled = Math.min(due, sent);
      pending.push(transact(bodies[next++ % bodies.length]!).then((answer) => record?.(answer, answer.at - sent, answer.at - scheduled)));
    }
    await Promise.all(pending);
    return (performance.now() - started) / 1000;
  };
  await run(Number(values.warmup));
  const before = await transactHistogram();
  const sentMs: number[] = [];
  const dueMs: number[] = [];
  const outcomes: Record<string, number> = {};
  const seconds = await run(Number(values.seconds), (answer, sent, due) => {
    tally(outcomes, outcomeOf(answer));
    sentMs.push(sent);
    dueMs.push(due);
  });
  const after = await transactHistogram();
  return {
    target: { rate, seconds: Number(values.seconds), warmupSeconds: Number(values.warmup), connections: Number(values.connections), distinctBodies: bodies.length },
    // Every answer, send to its last byte, fractional ms.
    latencyMs: { responses: sentMs.length, ...latencySummary(sorted(sentMs)) },
    fromScheduleMs: latencySummary(sorted(dueMs)),
    achievedRate: Number((sentMs.length / seconds).toFixed(1)),
    outcomes,
    // Fastify's onRequest → onResponse for the route, from the relay's /metrics (every status).
    server: { http_request_duration_seconds: gained(before, after) },
  };
}

interface AcceptedJob {
  id: string;
  acceptMs: number;
  /** performance.now() of the 202. */
  acceptedAt: number;
}

function accepted(answer: Answer, sentAt: number): AcceptedJob {
  const job = answer.body.job as { id?: string } | undefined;
  if (answer.status !== 202 || typeof job?.id !== "string") throw new Error(`transact answered ${outcomeOf(answer)} instead of 202 with a new job: ${JSON.stringify(answer.body)}`);
  return { id: job.id, acceptMs: answer.at - sentAt, acceptedAt: answer.at };
}

async function serial() {
  const jobs: (AcceptedJob & { confirmedMs: number; polls: number })[] = [];
  for (const body of bodies) {
    const sent = performance.now();
    const job = accepted(await transact(body), sent);
    for (let polls = 1; ; polls++) {
      const answer = await call("GET", `/api/v1/jobs/${job.id}`);
      const state = answer.body.state;
      if (state === "confirmed") {
        jobs.push({ ...job, confirmedMs: answer.at - job.acceptedAt, polls });
        break;
      }
      if (answer.status !== 200 || state === "failed" || state === "dead" || state === "cancelled") throw new Error(`job ${job.id}: ${answer.status} ${JSON.stringify(answer.body)}`);
      await pause(pollMs);
    }
  }
  return {
    jobs: jobs.map(({ id, acceptMs, confirmedMs }) => ({ id, acceptMs: Number(acceptMs.toFixed(3)), confirmedMs: Number(confirmedMs.toFixed(3)) })),
    acceptMs: latencySummary(sorted(jobs.map((job) => job.acceptMs))),
    acceptToConfirmedMs: latencySummary(sorted(jobs.map((job) => job.confirmedMs))),
    pollMs,
  };
}

async function burst() {
  const started = performance.now();
  const answers = await Promise.all(
    bodies.map(async (body) => {
      const sent = performance.now();
      return accepted(await transact(body), sent);
    }),
  );
  const allAccepted = performance.now();
  let allFinished = 0;
  let last: Record<string, unknown> = {};
  for (;;) {
    const answer = await call("GET", "/api/v1/queue/status");
    last = answer.body;
    const byState = (answer.body.byState ?? {}) as Record<string, number>;
    if ((byState.confirmed ?? 0) + (byState.failed ?? 0) + (byState.dead ?? 0) >= bodies.length) {
      allFinished = answer.at;
      break;
    }
    await pause(pollMs);
  }
  const finals = await Promise.all(answers.map(async ({ id }) => (await call("GET", `/api/v1/jobs/${id}`)).body as { state?: string; reason?: string | null; attempts?: number; txHash?: string | null }));
  return {
    jobs: answers.map(({ id, acceptMs }, i) => ({ id, acceptMs: Number(acceptMs.toFixed(3)), state: finals[i]!.state, attempts: finals[i]!.attempts, txHash: finals[i]!.txHash ?? null, reason: finals[i]!.reason ?? null })),
    // Each accept's latency with all the others posted at the same moment (connections at once).
    acceptMs: latencySummary(sorted(answers.map((job) => job.acceptMs))),
    firstSendToAllAcceptedSeconds: Number(((allAccepted - started) / 1000).toFixed(3)),
    // Until every job reached a final state (confirmed, failed or dead).
    firstSendToAllFinishedSeconds: Number(((allFinished - started) / 1000).toFixed(3)),
    queueStatus: last,
    pollMs,
  };
}

const modes = { paced, serial, burst } as const;
const mode = values.mode as keyof typeof modes;
if (!(mode in modes)) throw new Error(`--mode must be paced, serial or burst, got ${values.mode}`);
const figures = await modes[mode]();
agent.destroy();
process.stdout.write(`${JSON.stringify({ mode, ...figures })}\n`);
