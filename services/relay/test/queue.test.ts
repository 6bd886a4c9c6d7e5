import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, beforeEach, describe, it } from "node:test";
import { BACKENDS } from "@cloak/service-testkit";
import { RelayError, RelayErrorCode } from "../src/errors.ts";
import { JobQueue, WorkerPool, type Job, type JobRequest } from "../src/queue/index.ts";
import { queueDatabase, type QueueDatabase } from "./support/queue.ts";

const POLICY = { retries: 3, initialBackoffMs: 1000, backoffMultiplier: 2 };

function withdrawal(n: number, nullifiers = [`0x${n.toString(16).padStart(64, "a")}`, `0x${n.toString(16).padStart(64, "b")}`]): JobRequest {
  return { chain: "evm", pool: "0x5FbDB2315678afecb367f032d93F642f64180aa3", nullifiers, fee: 10n ** 15n + BigInt(n), request: { proof: `proof-${n}`, extData: { recipient: "0x90F79bf6EB2c4f870365E785982E1f101E93b906" } } };
}

function refusal(code: RelayErrorCode, message: string) {
  return (error: unknown) => {
    assert.ok(error instanceof RelayError, `expected a RelayError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    return true;
  };
}

/** Resolves after the pool's next claim round. */
function afterClaimRound(rounds: Array<() => void>): Promise<void> {
  return new Promise((resolve) => rounds.push(resolve));
}

for (const backend of BACKENDS) {
  describe(`the relay's job queue (${backend} PostgreSQL)`, () => {
    let db: QueueDatabase;
    let queue: JobQueue;

    before(async () => {
      db = await queueDatabase(backend);
      queue = new JobQueue(db.database.pool, POLICY);
    });
    after(() => db?.close());
    beforeEach(async () => {
      await db.database.pool.query("TRUNCATE jobs CASCADE; UPDATE relay_control SET draining = false");
    });

    /** Time passes: the job's backoff or lease is over. */
    const makeDue = (id: string) => db.database.pool.query("UPDATE jobs SET next_attempt_at = now(), lease_expires_at = now() - interval '1 second' WHERE id = $1", [id]);

    it("makes one job of ten concurrent submissions of the same nullifiers, in any order and case", async () => {
      const request = withdrawal(1);
      const variants = Array.from({ length: 10 }, (_, i) => ({ ...request, nullifiers: i % 2 ? [...request.nullifiers].reverse() : request.nullifiers.map((n) => n.toUpperCase().replace("0X", "0x")) }));
      const results = await Promise.all(variants.map((variant) => queue.enqueue(variant)));
      assert.equal(results.filter((result) => result.created).length, 1);
      assert.equal(new Set(results.map((result) => result.job.id)).size, 1);
      const { rows } = await db.database.pool.query<{ jobs: string; events: string }>("SELECT (SELECT count(*) FROM jobs) AS jobs, (SELECT count(*) FROM job_events) AS events");
      assert.deepEqual(rows[0], { jobs: "1", events: "1" });
      const job = results[0]!.job;
      assert.deepEqual([job.state, job.attempts, job.fee, job.nullifiers], ["queued", 0, request.fee, [...request.nullifiers].sort()]);
      assert.deepEqual(job.request, request.request);
    });

    it("retries a retryable failure after initial × multiplier^(attempt-1) and dead-letters it after the retries", async () => {
      const { job } = await queue.enqueue(withdrawal(2));
      const waits: number[] = [];
      for (let attempt = 1; attempt <= POLICY.retries + 1; attempt++) {
        const [claimed] = await queue.claim("worker-a", 1, 60_000);
        assert.equal(claimed?.attempts, attempt);
        const after = await queue.fail(claimed!, `nonce too low (attempt ${attempt})`, true);
        if (after.state === "queued") {
          waits.push(after.nextAttemptAt.getTime() - after.updatedAt.getTime());
          assert.deepEqual(await queue.claim("worker-a", 1, 60_000), [], "not due before its backoff");
          await makeDue(job.id);
        } else {
          assert.equal(attempt, POLICY.retries + 1);
          assert.deepEqual([after.state, after.reason, after.leaseOwner], ["dead", "nonce too low (attempt 4)", null]);
        }
      }
      assert.deepEqual(waits, [1000, 2000, 4000]);
      const history = await queue.history(job.id);
      assert.deepEqual(
        history.map((event) => [event.fromState, event.toState, event.detail]),
        [
          [null, "queued", "submitted"],
          ["queued", "processing", "attempt 1 claimed by worker-a"],
          ["processing", "queued", "attempt 1 failed: nonce too low (attempt 1) (retry after 1000 ms)"],
          ["queued", "processing", "attempt 2 claimed by worker-a"],
          ["processing", "queued", "attempt 2 failed: nonce too low (attempt 2) (retry after 2000 ms)"],
          ["queued", "processing", "attempt 3 claimed by worker-a"],
          ["processing", "queued", "attempt 3 failed: nonce too low (attempt 3) (retry after 4000 ms)"],
          ["queued", "processing", "attempt 4 claimed by worker-a"],
          ["processing", "dead", "attempt 4 failed: nonce too low (attempt 4) (no retries left)"],
        ],
      );
    });

    it("fails a non-retryable failure at once", async () => {
      await queue.enqueue(withdrawal(3));
      const [claimed] = await queue.claim("worker-a", 1, 60_000);
      const after = await queue.fail(claimed!, "the nullifier is already spent", false);
      assert.deepEqual([after.state, after.attempts, after.reason], ["failed", 1, "the nullifier is already spent"]);
    });

    it("requeues a dead job with the operator's reason and a fresh attempt count", async () => {
      const { job } = await queue.enqueue(withdrawal(4));
      await db.database.pool.query("UPDATE jobs SET state = 'dead', attempts = 4 WHERE id = $1", [job.id]);
      const requeued = await queue.requeue(job.id, "RPC endpoint fixed");
      assert.deepEqual([requeued.state, requeued.attempts, requeued.reason], ["queued", 0, "requeued by an operator: RPC endpoint fixed"]);
      assert.deepEqual((await queue.history(job.id)).at(-1)?.detail, "requeued by an operator: RPC endpoint fixed");
      assert.equal((await queue.claim("worker-a", 1, 60_000))[0]?.id, job.id);
    });

    it("refuses to requeue a confirmed job, naming its state", async () => {
      await queue.enqueue(withdrawal(5));
      const [claimed] = await queue.claim("worker-a", 1, 60_000);
      await queue.markConfirmed(claimed!);
      await assert.rejects(queue.requeue(claimed!.id, "again"), refusal(RelayErrorCode.JOB_NOT_REQUEUEABLE, `job ${claimed!.id} is confirmed; only failed or dead jobs can be requeued`));
    });

    it("refuses to requeue or cancel a job it does not know", async () => {
      const id = "4f1d2c3b-0000-4000-8000-000000000000";
      await assert.rejects(queue.requeue(id, "again"), refusal(RelayErrorCode.JOB_NOT_FOUND, `job ${id} not found`));
      await assert.rejects(queue.cancel("not-a-uuid"), refusal(RelayErrorCode.JOB_NOT_FOUND, "job not-a-uuid not found"));
    });

    it("cancels a queued job, which is then never claimed", async () => {
      const { job } = await queue.enqueue(withdrawal(6));
      const cancelled = await queue.cancel(job.id);
      assert.deepEqual([cancelled.state, cancelled.reason], ["cancelled", "cancelled by an operator"]);
      assert.deepEqual(await queue.claim("worker-a", 5, 60_000), []);
    });

    it("refuses to cancel a job a worker holds, naming its state", async () => {
      await queue.enqueue(withdrawal(7));
      const [claimed] = await queue.claim("worker-a", 1, 60_000);
      await assert.rejects(queue.cancel(claimed!.id), refusal(RelayErrorCode.JOB_NOT_CANCELLABLE, `job ${claimed!.id} is processing; only queued jobs can be cancelled`));
    });

    it("gives a crashed worker's job, once its lease expired, to another worker, and the first can no longer record it", async () => {
      await queue.enqueue(withdrawal(8));
      const [crashed] = await queue.claim("worker-a", 1, 60_000);
      await queue.markSent(crashed!, { txHash: "0xfeed", signedTx: "0x02f8", nonce: 7n, sender: "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65" });
      assert.deepEqual(await queue.claim("worker-b", 1, 60_000), [], "a held lease is not taken");
      await makeDue(crashed!.id);
      const [reclaimed] = await queue.claim("worker-b", 1, 60_000);
      assert.deepEqual(
        [reclaimed?.id, reclaimed?.state, reclaimed?.attempts, reclaimed?.leaseOwner, reclaimed?.txHash, reclaimed?.signedTx, reclaimed?.nonce],
        [crashed!.id, "processing", 2, "worker-b", "0xfeed", "0x02f8", 7n],
        "the write-ahead fields survive for the second handling",
      );
      assert.equal((await queue.history(crashed!.id)).at(-1)?.detail, "attempt 2 claimed by worker-b (the lease of worker-a expired)");
      const lost = `job ${crashed!.id}: attempt 1 of worker-a no longer holds the job (its lease expired and it was claimed again, or it ended)`;
      await assert.rejects(queue.heartbeat(crashed!, 60_000), refusal(RelayErrorCode.LEASE_LOST, lost));
      await assert.rejects(queue.markConfirmed(crashed!), refusal(RelayErrorCode.LEASE_LOST, lost));
      assert.equal((await queue.markConfirmed(reclaimed!)).state, "confirmed");
    });

    it("dead-letters a job whose lease expired after its last allowed attempt", async () => {
      const { job } = await queue.enqueue(withdrawal(9));
      await db.database.pool.query("UPDATE jobs SET attempts = $2 WHERE id = $1", [job.id, POLICY.retries]);
      await queue.claim("worker-a", 1, 60_000);
      await makeDue(job.id);
      assert.deepEqual(await queue.claim("worker-b", 1, 60_000), []);
      const dead = await queue.get(job.id);
      assert.deepEqual([dead?.state, dead?.attempts, dead?.reason], ["dead", POLICY.retries + 1, "the lease of worker-a expired after the last attempt"]);
    });

    it("counts jobs by state with the oldest queued job's age", async () => {
      for (let n = 10; n < 13; n++) await queue.enqueue(withdrawal(n));
      await db.database.pool.query("UPDATE jobs SET created_at = now() - interval '90 seconds', next_attempt_at = now() - interval '90 seconds' WHERE fee = $1", [(10n ** 15n + 10n).toString()]);
      await queue.claim("worker-a", 1, 60_000);
      const counts = await queue.counts();
      assert.deepEqual(counts.byState, { queued: 2, processing: 1, sent: 0, confirmed: 0, failed: 0, dead: 0, cancelled: 0 });
      assert.ok(counts.oldestQueuedAgeMs !== null && counts.oldestQueuedAgeMs >= 0 && counts.oldestQueuedAgeMs < 90_000, `the claimed job was the oldest: ${counts.oldestQueuedAgeMs}`);
      assert.deepEqual((await queue.list({ state: "processing" })).map((job) => job.fee), [10n ** 15n + 10n]);
    });

    it("ends an attempt over [workers] timeout as a retryable failure", { timeout: 60_000 }, async () => {
      const { job } = await queue.enqueue(withdrawal(14));
      let sawAbort: unknown;
      const pool = new WorkerPool({
        queue,
        owner: "worker-a",
        count: 1,
        timeoutMs: 300,
        pollMs: 20,
        handler: (_job, { signal }) =>
          new Promise((resolve) =>
            signal.addEventListener("abort", () => {
              sawAbort = signal.reason;
              resolve({ status: "confirmed" });
            }),
          ),
      });
      pool.start();
      // Its first attempt's end, whatever the pool did since (it may have started the next one).
      const timedOut = async () => (await queue.history(job.id)).find((event) => event.fromState === "processing");
      while (!(await timedOut())) await sleep(50);
      await pool.stop();
      assert.deepEqual((await timedOut())?.detail, "attempt 1 failed: ATTEMPT_TIMEOUT: attempt 1 exceeded 300 ms (retry after 1000 ms)");
      assert.ok(sawAbort instanceof RelayError && sawAbort.code === RelayErrorCode.ATTEMPT_TIMEOUT, "the handler's signal was aborted");
    });

    it("stops claiming while draining and lets the jobs in flight finish", { timeout: 60_000 }, async () => {
      const jobs = await Promise.all([15, 16, 17].map(async (n) => (await queue.enqueue(withdrawal(n))).job));
      const started: Job[] = [];
      const release: Array<() => void> = [];
      const claimRounds: Array<() => void> = [];
      const pool = new WorkerPool({
        queue,
        owner: "worker-a",
        count: 2,
        timeoutMs: 60_000,
        pollMs: 20,
        onClaim: () => claimRounds.splice(0).forEach((resolve) => resolve()),
        handler: (job) =>
          new Promise((resolve) => {
            started.push(job);
            release.push(() => resolve({ status: "confirmed" }));
          }),
      });
      pool.start();
      while (started.length < 2) await afterClaimRound(claimRounds);
      await queue.setDraining(true);
      assert.equal(await queue.draining(), true);
      release.splice(0).forEach((resolve) => resolve());
      // Both finish, then the pool, with free workers again, claims and gets nothing.
      while (pool.active > 0) await afterClaimRound(claimRounds);
      await afterClaimRound(claimRounds);
      const states = await Promise.all(jobs.map(async (job) => (await queue.get(job.id))?.state));
      assert.deepEqual(states.filter((state) => state === "confirmed").length, 2);
      assert.deepEqual(states.filter((state) => state === "queued").length, 1);
      assert.equal(started.length, 2);
      await queue.setDraining(false);
      while (started.length < 3) await afterClaimRound(claimRounds);
      release.splice(0).forEach((resolve) => resolve());
      await pool.stop();
      assert.deepEqual((await queue.counts()).byState.confirmed, 3);
    });

    it("claims a job its own process queued at once, without waiting for the next poll", { timeout: 60_000 }, async () => {
      const claimRounds: Array<() => void> = [];
      const claimed: string[] = [];
      const pool = new WorkerPool({
        queue,
        owner: "worker-a",
        count: 1,
        timeoutMs: 60_000,
        // Far longer than the test's timeout: only the wake-up can bring the job in.
        pollMs: 600_000,
        onClaim: (jobs) => {
          claimed.push(...jobs.map((job) => job.id));
          claimRounds.splice(0).forEach((resolve) => resolve());
        },
        handler: async () => ({ status: "confirmed" }),
      });
      const firstRound = afterClaimRound(claimRounds);
      pool.start();
      await firstRound;
      const { job } = await queue.enqueue(withdrawal(18));
      while (!claimed.includes(job.id)) await afterClaimRound(claimRounds);
      await pool.stop();
      assert.equal((await queue.get(job.id))?.state, "confirmed");
    });
  });
}
