import type { Logger } from "pino";
import { RelayError, RelayErrorCode } from "../errors.ts";
import type { Job, JobQueue } from "./queue.ts";

/** How a handler ended its attempt; the pool records it (a thrown error counts as a retryable failure). */
export type JobOutcome = { readonly status: "confirmed"; readonly detail?: string } | { readonly status: "failed"; readonly reason: string; readonly retryable: boolean };

export interface JobContext {
  /** Aborted when the attempt times out or its lease is lost (stopping the pool lets attempts finish). */
  readonly signal: AbortSignal;
  readonly queue: JobQueue;
}

export type JobHandler = (job: Job, context: JobContext) => Promise<JobOutcome>;

export interface WorkerPoolOptions {
  readonly queue: JobQueue;
  /** This process's name in leases (unique among the relay's processes). */
  readonly owner: string;
  readonly handler: JobHandler;
  /** `[workers] count`: jobs handled at once. */
  readonly count: number;
  /** `[workers] timeout`: one attempt's limit. */
  readonly timeoutMs: number;
  /** How long a claim holds without renewal: after a crash, the job waits this long before another worker takes it. */
  readonly leaseMs?: number;
  /** Wait between claims when nothing was due. */
  readonly pollMs?: number;
  readonly logger?: Logger;
  /** Called after every claim round with what it claimed (for tests and metrics). */
  readonly onClaim?: (jobs: readonly Job[]) => void;
}

const DEFAULT_LEASE_MS = 30_000;
const DEFAULT_POLL_MS = 500;

/**
 * Runs the queue's jobs: claims as many as it has free workers, renews their leases while they run,
 * ends an attempt that exceeds the timeout, and stops claiming when the relay drains or the pool stops,
 * letting the jobs in flight finish.
 */
export class WorkerPool {
  private readonly inFlight = new Set<Promise<void>>();
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly leaseMs: number;
  private readonly pollMs: number;

  constructor(private readonly options: WorkerPoolOptions) {
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  }

  /** Jobs being handled now. */
  get active(): number {
    return this.inFlight.size;
  }

  start(): void {
    // A job queued by this process is claimed at once rather than at the next poll.
    this.unsubscribe ??= this.options.queue.onEnqueued(() => this.wake?.());
    this.loop ??= this.run();
  }

  /** Stops claiming and waits for the jobs in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.wake?.();
    await this.loop;
    await Promise.all(this.inFlight);
  }

  private async run(): Promise<void> {
    const { queue, owner, count, logger } = this.options;
    while (!this.stopping) {
      const free = count - this.inFlight.size;
      let claimed: Job[] = [];
      if (free > 0) {
        try {
          claimed = await queue.claim(owner, free, this.leaseMs);
          this.options.onClaim?.(claimed);
        } catch (error) {
          // The database is away: keep the jobs in flight and try again later.
          logger?.warn({ err: error }, "queue: claim failed");
        }
      }
      for (const job of claimed) {
        const running = this.handle(job).finally(() => {
          this.inFlight.delete(running);
          this.wake?.();
        });
        this.inFlight.add(running);
      }
      // A full round may have left more due jobs: claim again at once if a worker is free.
      if (claimed.length > 0 && claimed.length === free) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.pollMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wake = done;
      });
      this.wake = undefined;
    }
  }

  private async handle(job: Job): Promise<void> {
    const { queue, handler, timeoutMs, logger } = this.options;
    const controller = new AbortController();
    const heartbeat = setInterval(() => {
      queue.heartbeat(job, this.leaseMs).catch((error: unknown) => {
        if (error instanceof RelayError && error.code === RelayErrorCode.LEASE_LOST) controller.abort(error);
        else logger?.warn({ err: error, job: job.id }, "queue: lease renewal failed");
      });
    }, Math.max(1, Math.floor(this.leaseMs / 3)));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<JobOutcome>((resolve) => {
      timer = setTimeout(() => {
        const reason = `${RelayErrorCode.ATTEMPT_TIMEOUT}: attempt ${job.attempts} exceeded ${timeoutMs} ms`;
        // Settled before the abort, so a handler that answers its abort does not win the race.
        resolve({ status: "failed", reason, retryable: true });
        controller.abort(new RelayError(RelayErrorCode.ATTEMPT_TIMEOUT, reason));
      }, timeoutMs);
    });
    let outcome: JobOutcome;
    try {
      outcome = await Promise.race([handler(job, { signal: controller.signal, queue }), timedOut]);
    } catch (error) {
      outcome = { status: "failed", reason: error instanceof Error ? error.message : String(error), retryable: true };
    } finally {
      clearInterval(heartbeat);
      clearTimeout(timer);
    }
    try {
      if (controller.signal.aborted && controller.signal.reason instanceof RelayError && controller.signal.reason.code === RelayErrorCode.LEASE_LOST) return;
      if (outcome.status === "confirmed") await queue.markConfirmed(job, outcome.detail);
      else await queue.fail(job, outcome.reason, outcome.retryable);
    } catch (error) {
      // Lost meanwhile: another worker owns the job now, and its record stands.
      logger?.warn({ err: error, job: job.id }, "queue: could not record the attempt's outcome");
    }
  }
}
