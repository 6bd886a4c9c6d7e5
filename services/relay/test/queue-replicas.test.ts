import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, beforeEach, describe, it } from "node:test";
import { runTs, type Child } from "@cloak/service-testkit";
import { JobQueue, type JobRequest } from "../src/queue/index.ts";
import { QUEUE_WORKER, queueDatabase, type QueueDatabase } from "./support/queue.ts";

const JOBS = 50;

function withdrawal(run: string, n: number): JobRequest {
  return { chain: "evm", pool: "0x5FbDB2315678afecb367f032d93F642f64180aa3", nullifiers: [`${run}-${n}-a`, `${run}-${n}-b`], fee: 1000n, request: { n } };
}

interface Handling {
  job: string;
  process: string;
  attempt: number;
}

describe("two relay processes on one database", () => {
  let db: QueueDatabase;
  let queue: JobQueue;
  const children: Child[] = [];

  before(async () => {
    // The server backend when DATABASE_URL is set (CI's PostgreSQL 15), else one this test runs.
    db = await queueDatabase(process.env.DATABASE_URL ? "server" : "embedded");
    queue = new JobQueue(db.database.pool, { retries: 5, initialBackoffMs: 100, backoffMultiplier: 2 });
    await db.database.pool.query("CREATE TABLE handled (seq bigserial PRIMARY KEY, job uuid NOT NULL, process text NOT NULL, attempt integer NOT NULL)");
  });
  after(async () => {
    for (const child of children) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill("SIGKILL");
    await db?.close();
  });
  beforeEach(() => db.database.pool.query("TRUNCATE jobs, handled CASCADE"));

  async function replica(name: string, leaseMs: number, handleMs: number): Promise<Child> {
    const child = runTs(QUEUE_WORKER, [db.url, name, String(leaseMs), String(handleMs)], { cwd: tmpdir() });
    children.push(child);
    await child.waitForMessage("queue-worker: started");
    return child;
  }

  async function until(what: string, check: () => Promise<boolean>): Promise<void> {
    // A bound so a lost job fails the test instead of hanging it, not a speed assertion.
    const deadline = Date.now() + 60_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await queue.counts())}`);
      await sleep(50);
    }
  }

  async function handlings(): Promise<Handling[]> {
    return (await db.database.pool.query<Handling>("SELECT job, process, attempt FROM handled ORDER BY seq")).rows;
  }

  async function enqueueAll(run: string): Promise<string[]> {
    return Promise.all(Array.from({ length: JOBS }, async (_, n) => (await queue.enqueue(withdrawal(run, n))).job.id));
  }

  const allConfirmed = async () => (await queue.counts()).byState.confirmed === JOBS;

  it("drain 50 jobs between them, each job handled exactly once", async () => {
    const a = await replica("replica-a", 30_000, 100);
    const b = await replica("replica-b", 30_000, 100);
    const ids = await enqueueAll("clean");
    await until("all jobs confirmed", allConfirmed);
    a.process.kill("SIGTERM");
    b.process.kill("SIGTERM");
    assert.deepEqual(await a.exited, { code: 0, signal: null });
    assert.deepEqual(await b.exited, { code: 0, signal: null });
    const handled = await handlings();
    assert.deepEqual(handled.map((handling) => handling.job).sort(), [...ids].sort(), "each job once");
    const byProcess = new Set(handled.map((handling) => handling.process));
    assert.deepEqual([...byProcess].sort(), ["replica-a", "replica-b"], "both processes took jobs");
  });

  it("lose no job when one of them is killed mid-way: the other takes its jobs once their leases expire", async () => {
    const leaseMs = 3000;
    // Long enough that the killed replica surely holds jobs when the SIGKILL lands.
    const killed = await replica("replica-killed", leaseMs, 500);
    const survivor = await replica("replica-survivor", leaseMs, 500);
    const ids = await enqueueAll("crash");
    await until("the killed replica handling jobs", async () => (await handlings()).filter((handling) => handling.process === "replica-killed").length >= 12);
    killed.process.kill("SIGKILL");
    assert.deepEqual(await killed.exited, { code: null, signal: "SIGKILL" });
    await until("all jobs confirmed", allConfirmed);
    survivor.process.kill("SIGTERM");
    assert.deepEqual(await survivor.exited, { code: 0, signal: null });

    const handled = await handlings();
    assert.deepEqual([...new Set(handled.map((handling) => handling.job))].sort(), [...ids].sort(), "every job handled");
    const twice = ids.filter((id) => handled.filter((handling) => handling.job === id).length > 1);
    assert.ok(twice.length > 0, "the killed replica held jobs when it died");
    for (const id of twice) {
      // A second handling only after the first's lease expired: the killed replica's attempt, then the survivor's.
      assert.deepEqual(
        handled.filter((handling) => handling.job === id).map((handling) => [handling.process, handling.attempt]),
        [["replica-killed", 1], ["replica-survivor", 2]],
      );
      assert.ok((await queue.history(id)).some((event) => event.detail === "attempt 2 claimed by replica-survivor (the lease of replica-killed expired)"));
    }
    for (const id of ids.filter((id) => !twice.includes(id))) assert.equal(handled.filter((handling) => handling.job === id).length, 1);
  });
});
