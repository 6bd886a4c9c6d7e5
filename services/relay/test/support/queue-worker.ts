// One relay replica for the queue's replica test: a WorkerPool of 10 workers on the shared database
// whose handler records (job, process) in `handled`, then takes a while, as a sender would.
// Arguments: database URL, process name, lease ms, handling ms.
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { JobQueue, WorkerPool } from "../../src/queue/index.ts";

const [url, name, leaseMs, handleMs] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: url, max: 12 });
const queue = new JobQueue(pool, { retries: 5, initialBackoffMs: 100, backoffMultiplier: 2 });
const workers = new WorkerPool({
  queue,
  owner: name!,
  count: 10,
  timeoutMs: 60_000,
  leaseMs: Number(leaseMs),
  pollMs: 50,
  async handler(job) {
    await pool.query("INSERT INTO handled (job, process, attempt) VALUES ($1, $2, $3)", [job.id, name, job.attempts]);
    await sleep(Number(handleMs));
    return { status: "confirmed" };
  },
});
workers.start();
console.log(JSON.stringify({ msg: "queue-worker: started", name }));
process.once("SIGTERM", () => {
  void workers.stop().then(() => pool.end()).then(() => process.exit(0));
});
