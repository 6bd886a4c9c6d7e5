import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { RelayConfig } from "../config.ts";
import { RelayError, RelayErrorCode } from "../errors.ts";

export const JOB_STATES = ["queued", "processing", "sent", "confirmed", "failed", "dead", "cancelled"] as const;
export type JobState = (typeof JOB_STATES)[number];
export type Chain = "evm" | "solana";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What the intake hands the queue: a checked withdrawal. */
export interface JobRequest {
  readonly chain: Chain;
  readonly pool: string;
  /** The proof's input nullifiers: the job's idempotency key (order and the case of hex do not matter). */
  readonly nullifiers: readonly string[];
  readonly fee: bigint;
  /** The withdrawal as the sender needs it (proof, public signals, extData). */
  readonly request: JsonValue;
}

export interface Job {
  readonly id: string;
  readonly chain: Chain;
  readonly pool: string;
  readonly nullifiers: string[];
  readonly request: JsonValue;
  readonly fee: bigint;
  readonly state: JobState;
  /** Attempts started so far (a claim starts one). */
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: Date | null;
  readonly reason: string | null;
  readonly signedTx: string | null;
  readonly txHash: string | null;
  readonly nonce: bigint | null;
  readonly sender: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface JobEvent {
  readonly at: Date;
  readonly fromState: JobState | null;
  readonly toState: JobState;
  readonly detail: string | null;
}

/** The sender's write-ahead: recorded before (or as) the transaction is broadcast. */
export interface SentFields {
  readonly txHash: string;
  readonly signedTx?: string;
  readonly nonce?: bigint;
  readonly sender?: string;
}

export interface QueueCounts {
  readonly byState: Record<JobState, number>;
  /** Age of the oldest queued job (ms), null when none is queued. */
  readonly oldestQueuedAgeMs: number | null;
}

/** The `[workers]` retry schedule, in milliseconds. */
export interface RetryPolicy {
  /** Further attempts after a failed one; then the job is dead. */
  readonly retries: number;
  readonly initialBackoffMs: number;
  readonly backoffMultiplier: number;
}

/** The policy `[workers]` configures. */
export function retryPolicy(workers: RelayConfig["workers"]): RetryPolicy {
  return { retries: workers.retries, initialBackoffMs: workers.initial_backoff, backoffMultiplier: workers.backoff_multiplier };
}

/** The claim a worker holds on a job: the owner and attempt number it was claimed with. */
export type JobLease = Pick<Job, "id" | "leaseOwner" | "attempts">;

interface JobRow {
  id: string;
  chain: Chain;
  pool: string;
  nullifiers: string[];
  request: JsonValue;
  fee: string;
  state: JobState;
  attempts: number;
  next_attempt_at: Date;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  reason: string | null;
  signed_tx: string | null;
  tx_hash: string | null;
  nonce: string | null;
  sender: string | null;
  created_at: Date;
  updated_at: Date;
}

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    chain: row.chain,
    pool: row.pool,
    nullifiers: row.nullifiers,
    request: row.request,
    fee: BigInt(row.fee),
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    reason: row.reason,
    signedTx: row.signed_tx,
    txHash: row.tx_hash,
    nonce: row.nonce === null ? null : BigInt(row.nonce),
    sender: row.sender,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^0x[0-9a-f]+$/i;

/** A job's key: the nullifiers deduplicated and sorted; hex (EVM) lower-cased, base58 (Solana, case matters) as is. */
function nullifierKey(nullifiers: readonly string[]): string[] {
  return [...new Set(nullifiers.map((nullifier) => (HEX.test(nullifier) ? nullifier.toLowerCase() : nullifier)))].sort();
}
const HELD = "('processing', 'sent')";

/** Backoff before the retry that follows failed attempt `attempt` (1-based): initial × multiplier^(attempt-1). */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.round(policy.initialBackoffMs * policy.backoffMultiplier ** (attempt - 1));
}

/**
 * The relay's durable job queue on PostgreSQL. Every state change is one transaction (mostly one
 * statement) together with its job_events row; the database's clock is the only clock, so processes on
 * several machines agree on leases and backoff.
 */
export class JobQueue {
  readonly #enqueued = new Set<() => void>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly policy: RetryPolicy,
  ) {}

  /**
   * Calls `listener` whenever this process queues a new job (a worker pool claims it at once instead of
   * at its next poll; other processes find it at theirs). Returns the unsubscribe function.
   */
  onEnqueued(listener: () => void): () => void {
    this.#enqueued.add(listener);
    return () => this.#enqueued.delete(listener);
  }

  /**
   * Queues a withdrawal, or answers the job already holding its nullifiers (`created: false`). The
   * UNIQUE constraint decides between concurrent submissions: ON CONFLICT waits for the other insert's
   * transaction, so the losing call then reads the winner's row.
   */
  async enqueue(input: JobRequest): Promise<{ job: Job; created: boolean }> {
    if (input.nullifiers.length === 0) throw new RelayError(RelayErrorCode.INVALID_JOB, "a job needs at least one nullifier");
    if (input.fee < 0n) throw new RelayError(RelayErrorCode.INVALID_JOB, `a job's fee cannot be negative (got ${input.fee})`);
    // Hex (EVM) is case-insensitive; base58 (Solana) is not, so only hex is lower-cased.
    const nullifiers = nullifierKey(input.nullifiers);
    for (;;) {
      const inserted = await this.pool.query<JobRow>(
        `WITH job AS (
           INSERT INTO jobs (id, chain, pool, nullifiers, request, fee) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT ON CONSTRAINT jobs_nullifiers_key DO NOTHING
           RETURNING *
         ), event AS (
           INSERT INTO job_events (job, from_state, to_state, detail) SELECT id, NULL, 'queued', 'submitted' FROM job
         )
         SELECT * FROM job`,
        [randomUUID(), input.chain, input.pool, nullifiers, JSON.stringify(input.request), input.fee.toString()],
      );
      if (inserted.rows[0]) {
        for (const listener of this.#enqueued) listener();
        return { job: toJob(inserted.rows[0]), created: true };
      }
      const existing = await this.pool.query<JobRow>("SELECT * FROM jobs WHERE chain = $1 AND pool = $2 AND nullifiers = $3", [input.chain, input.pool, nullifiers]);
      // Only a job deleted between the two statements (never done today) leaves nothing: try again.
      if (existing.rows[0]) return { job: toJob(existing.rows[0]), created: false };
    }
  }

  /**
   * Claims up to `max` jobs for `owner` and starts an attempt on each: queued jobs that are due, and
   * held jobs whose lease expired (their worker crashed or hung). SKIP LOCKED lets concurrent claimers
   * take disjoint jobs without waiting on each other. Nothing is claimed while the relay drains. A held
   * job whose lease expired after its last allowed attempt goes to dead instead.
   */
  async claim(owner: string, max: number, leaseMs: number): Promise<Job[]> {
    const { rows } = await this.pool.query<JobRow & { from_state: JobState; from_owner: string | null }>(
      `WITH picked AS (
         SELECT id, state AS from_state, lease_owner AS from_owner FROM jobs
         WHERE NOT (SELECT draining FROM relay_control)
           AND ((state = 'queued' AND next_attempt_at <= now()) OR (state IN ${HELD} AND lease_expires_at <= now()))
         ORDER BY next_attempt_at, created_at
         LIMIT $2
         FOR UPDATE SKIP LOCKED
       ), updated AS (
         UPDATE jobs SET
           state = CASE WHEN picked.from_state = 'queued' OR jobs.attempts <= $4 THEN 'processing' ELSE 'dead' END,
           attempts = CASE WHEN picked.from_state = 'queued' OR jobs.attempts <= $4 THEN jobs.attempts + 1 ELSE jobs.attempts END,
           lease_owner = CASE WHEN picked.from_state = 'queued' OR jobs.attempts <= $4 THEN $1 END,
           lease_expires_at = CASE WHEN picked.from_state = 'queued' OR jobs.attempts <= $4 THEN now() + $3::float8 * interval '1 millisecond' END,
           reason = CASE WHEN picked.from_state = 'queued' OR jobs.attempts <= $4 THEN jobs.reason
                         ELSE 'the lease of ' || picked.from_owner || ' expired after the last attempt' END,
           updated_at = now()
         FROM picked WHERE jobs.id = picked.id
         RETURNING jobs.*, picked.from_state, picked.from_owner
       ), events AS (
         INSERT INTO job_events (job, from_state, to_state, detail)
         SELECT id, from_state, state,
           CASE WHEN from_state = 'queued' THEN 'attempt ' || attempts || ' claimed by ' || lease_owner
                WHEN state = 'dead' THEN reason
                ELSE 'attempt ' || attempts || ' claimed by ' || lease_owner || ' (the lease of ' || from_owner || ' expired)' END
         FROM updated
       )
       SELECT * FROM updated ORDER BY next_attempt_at, created_at`,
      [owner, max, leaseMs, this.policy.retries],
    );
    return rows.filter((row) => row.state === "processing").map(toJob);
  }

  /** Extends a held lease; LEASE_LOST when the job was claimed again meanwhile (or finished). */
  async heartbeat(lease: JobLease, leaseMs: number): Promise<void> {
    const { rowCount } = await this.pool.query(
      `UPDATE jobs SET lease_expires_at = now() + $4::float8 * interval '1 millisecond'
       WHERE id = $1 AND lease_owner = $2 AND attempts = $3 AND state IN ${HELD}`,
      [lease.id, lease.leaseOwner, lease.attempts, leaseMs],
    );
    if (rowCount === 0) throw this.leaseLost(lease);
  }

  /** processing → sent, with the sender's write-ahead fields. */
  markSent(lease: JobLease, fields: SentFields): Promise<Job> {
    return this.transition(lease, "sent", `sent ${fields.txHash}`, {
      tx_hash: fields.txHash,
      signed_tx: fields.signedTx ?? null,
      nonce: fields.nonce === undefined ? null : fields.nonce.toString(),
      sender: fields.sender ?? null,
    });
  }

  /** → confirmed: the withdrawal is on chain. The lease is released. */
  markConfirmed(lease: JobLease, detail = "confirmed"): Promise<Job> {
    return this.transition(lease, "confirmed", detail, { lease_owner: null, lease_expires_at: null });
  }

  /**
   * Ends the attempt as failed. A retryable failure is queued again after the backoff until `retries`
   * further attempts were made, then the job is dead (dead-letter, for an operator); a non-retryable one
   * is failed at once.
   */
  async fail(lease: JobLease, reason: string, retryable: boolean): Promise<Job> {
    const { rows } = await this.pool.query<JobRow>(
      `WITH updated AS (
         UPDATE jobs SET
           state = CASE WHEN NOT $4::boolean THEN 'failed' WHEN attempts > $5 THEN 'dead' ELSE 'queued' END,
           next_attempt_at = CASE WHEN $4::boolean AND attempts <= $5
             THEN now() + round($6::float8 * power($7::float8, attempts - 1)) * interval '1 millisecond' ELSE next_attempt_at END,
           reason = $8::text, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
         WHERE id = $1 AND lease_owner = $2 AND attempts = $3 AND state IN ${HELD}
         RETURNING *
       ), event AS (
         INSERT INTO job_events (job, from_state, to_state, detail)
         SELECT id, (SELECT state FROM jobs WHERE id = $1), state,
           'attempt ' || attempts || ' failed: ' || $8 ||
           CASE WHEN state = 'queued' THEN ' (retry after ' || round($6::float8 * power($7::float8, attempts - 1)) || ' ms)'
                WHEN state = 'dead' THEN ' (no retries left)' ELSE '' END
         FROM updated
       )
       SELECT * FROM updated`,
      [lease.id, lease.leaseOwner, lease.attempts, retryable, this.policy.retries, this.policy.initialBackoffMs, this.policy.backoffMultiplier, reason],
    );
    if (!rows[0]) throw this.leaseLost(lease);
    return toJob(rows[0]);
  }

  /** An operator's retry of a failed or dead job: queued again now, with a fresh attempt count. */
  requeue(id: string, reason: string): Promise<Job> {
    return this.operatorChange(id, ["failed", "dead"], "queued", `requeued by an operator: ${reason}`, (state) =>
      new RelayError(RelayErrorCode.JOB_NOT_REQUEUEABLE, `job ${id} is ${state}; only failed or dead jobs can be requeued`),
    );
  }

  /** Withdraws a job no worker has started. */
  cancel(id: string, reason = "cancelled by an operator"): Promise<Job> {
    return this.operatorChange(id, ["queued"], "cancelled", reason, (state) =>
      new RelayError(RelayErrorCode.JOB_NOT_CANCELLABLE, `job ${id} is ${state}; only queued jobs can be cancelled`),
    );
  }

  /** The job holding these nullifiers in `pool`, if any (a resubmission is answered with it). */
  async findByNullifiers(chain: Chain, pool: string, nullifiers: readonly string[]): Promise<Job | undefined> {
    const { rows } = await this.pool.query<JobRow>("SELECT * FROM jobs WHERE chain = $1 AND pool = $2 AND nullifiers = $3", [chain, pool, nullifierKey(nullifiers)]);
    return rows[0] ? toJob(rows[0]) : undefined;
  }

  async get(id: string): Promise<Job | undefined> {
    if (!UUID.test(id)) return undefined;
    const { rows } = await this.pool.query<JobRow>("SELECT * FROM jobs WHERE id = $1", [id]);
    return rows[0] ? toJob(rows[0]) : undefined;
  }

  /** A job's history, oldest first. */
  async history(id: string): Promise<JobEvent[]> {
    if (!UUID.test(id)) return [];
    const { rows } = await this.pool.query<{ at: Date; from_state: JobState | null; to_state: JobState; detail: string | null }>(
      "SELECT at, from_state, to_state, detail FROM job_events WHERE job = $1 ORDER BY seq",
      [id],
    );
    return rows.map((row) => ({ at: row.at, fromState: row.from_state, toState: row.to_state, detail: row.detail }));
  }

  /** Newest first. */
  async list(options: { state?: JobState; limit?: number } = {}): Promise<Job[]> {
    const { rows } = await this.pool.query<JobRow>(
      "SELECT * FROM jobs WHERE $1::text IS NULL OR state = $1 ORDER BY created_at DESC, id LIMIT $2",
      [options.state ?? null, options.limit ?? 100],
    );
    return rows.map(toJob);
  }

  async counts(): Promise<QueueCounts> {
    const { rows } = await this.pool.query<{ state: JobState; count: string; oldest_ms: string | null }>(
      `SELECT state, count(*) AS count,
         CASE WHEN state = 'queued' THEN floor(extract(epoch FROM now() - min(created_at)) * 1000) END AS oldest_ms
       FROM jobs GROUP BY state`,
    );
    const byState = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobState, number>;
    let oldestQueuedAgeMs: number | null = null;
    for (const row of rows) {
      byState[row.state] = Number(row.count);
      if (row.oldest_ms !== null) oldestQueuedAgeMs = Number(row.oldest_ms);
    }
    return { byState, oldestQueuedAgeMs };
  }

  /** Draining: no process of this relay claims jobs; those in flight finish. */
  async setDraining(draining: boolean): Promise<void> {
    await this.pool.query("UPDATE relay_control SET draining = $1, updated_at = now()", [draining]);
  }

  async draining(): Promise<boolean> {
    const { rows } = await this.pool.query<{ draining: boolean }>("SELECT draining FROM relay_control");
    return rows[0]?.draining ?? false;
  }

  private async transition(lease: JobLease, to: JobState, detail: string, columns: Record<string, string | null>): Promise<Job> {
    const names = Object.keys(columns);
    const sets = names.map((name, index) => `${name} = $${index + 5}`).join(", ");
    const { rows } = await this.pool.query<JobRow>(
      `WITH before AS (
         SELECT state FROM jobs WHERE id = $1
       ), updated AS (
         UPDATE jobs SET state = $4, ${sets}, updated_at = now()
         WHERE id = $1 AND lease_owner = $2 AND attempts = $3 AND state IN ${HELD}
         RETURNING *
       ), event AS (
         INSERT INTO job_events (job, from_state, to_state, detail)
         SELECT updated.id, before.state, updated.state, $${names.length + 5} FROM updated, before
       )
       SELECT * FROM updated`,
      [lease.id, lease.leaseOwner, lease.attempts, to, ...Object.values(columns), detail],
    );
    if (!rows[0]) throw this.leaseLost(lease);
    return toJob(rows[0]);
  }

  private async operatorChange(id: string, from: JobState[], to: JobState, detail: string, refusal: (state: JobState) => RelayError): Promise<Job> {
    if (!UUID.test(id)) throw new RelayError(RelayErrorCode.JOB_NOT_FOUND, `job ${id} not found`);
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      // The row lock orders this against a claim of the same job: either the claim saw it queued, or
      // this sees it processing.
      const current = await client.query<{ state: JobState }>("SELECT state FROM jobs WHERE id = $1 FOR UPDATE", [id]);
      const state = current.rows[0]?.state;
      if (state === undefined) throw new RelayError(RelayErrorCode.JOB_NOT_FOUND, `job ${id} not found`);
      if (!from.includes(state)) throw refusal(state);
      const { rows } = await client.query<JobRow>(
        `UPDATE jobs SET state = $2, reason = $3, attempts = CASE WHEN $2 = 'queued' THEN 0 ELSE attempts END,
           next_attempt_at = now(), lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
         WHERE id = $1 RETURNING *`,
        [id, to, detail],
      );
      await client.query("INSERT INTO job_events (job, from_state, to_state, detail) VALUES ($1, $2, $3, $4)", [id, state, to, detail]);
      await client.query("COMMIT");
      return toJob(rows[0]!);
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private leaseLost(lease: JobLease): RelayError {
    return new RelayError(RelayErrorCode.LEASE_LOST, `job ${lease.id}: attempt ${lease.attempts} of ${lease.leaseOwner} no longer holds the job (its lease expired and it was claimed again, or it ended)`);
  }
}
