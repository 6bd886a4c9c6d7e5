import { toHex32 } from "@cloak/sdk";
import type pg from "pg";
import type { Logger } from "pino";
import { IndexerError, IndexerErrorCode } from "../errors.ts";
import type { PoolEvent, PoolEventBus } from "../events.ts";
import type { IndexerMetrics } from "../indexer-metrics.ts";
import type { ComputedRoot } from "../pool-trees.ts";
import type { IndexerState } from "../state.ts";
import { store } from "../store.ts";
import type { ChainCursor, ChainSource, PoolBatch, SourceStep } from "./types.ts";
import { WriterLease } from "./writer-lease.ts";

/** Blocks (EVM) or slots (Solana) behind the readable head at which an instance still counts as caught up. */
export const READY_LAG = { evm: 5, solana: 150 } as const;
/** The longest wait between failed rounds. */
const MAX_BACKOFF_MS = 5_000;

export interface IngestorOptions {
  readonly pool: pg.Pool;
  readonly state: IndexerState;
  readonly sources: readonly ChainSource[];
  readonly bus: PoolEventBus;
  readonly metrics: IndexerMetrics;
  readonly logger: Logger;
  /** `merkle.batch_size`: about this many commitments per committed batch. */
  readonly batchSize: number;
  /** `merkle.update_interval`: the pause when the chains have nothing new. */
  readonly intervalMs: number;
  /** Called after each commit by the writer (snapshots). */
  readonly afterCommit?: (pools: readonly string[]) => Promise<void>;
}

/**
 * The ingest loop. The instance holding the writer lease reads each chain past its cursors, applies
 * the transactions to the trees (every root checked against the chain's), and commits the batch with
 * its cursors in one database transaction; the others follow the database. A root mismatch stops
 * ingest for good (until an operator restores or replays); RPC and database failures are retried.
 */
export class Ingestor {
  readonly lease: WriterLease;
  readonly #options: IngestorOptions;
  #stopping = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  /** Chains whose source reported nothing new since this instance started (the writer's catch-up). */
  readonly #idleChains = new Set<string>();
  #lastError: string | null = null;
  #wasWriter = false;
  /** Rounds finished without an error since start. */
  #rounds = 0;

  constructor(options: IngestorOptions) {
    this.#options = options;
    this.lease = new WriterLease(options.pool, options.logger);
  }

  get isWriter(): boolean {
    return this.lease.client !== null;
  }

  start(): void {
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
    await this.lease.release();
    for (const source of this.#options.sources) await source.close();
  }

  /** Why this instance should not serve yet; empty when it can. */
  notReady(): string[] {
    const { state, sources } = this.#options;
    const reasons: string[] = [];
    if (state.mismatch) reasons.push(`root mismatch, ingest stopped: ${state.mismatch}`);
    // Until a round has run, this instance does not know whether it is the writer: neither a writer's
    // catch-up nor a follower's view of the database has been checked yet.
    if (this.#rounds === 0) reasons.push("starting: the first ingest round has not finished");
    for (const source of sources) {
      if (source.health() === "critical") reasons.push(`${source.chain} RPC unreachable`);
      const head = state.heads.get(source.chain);
      if (head === undefined) {
        reasons.push(`${source.chain}: chain head not read yet`);
        continue;
      }
      for (const pool of source.pools) {
        // No cursor: nothing was ever read for this pool (the writer records one even for a quiet pool).
        if (!state.pool(pool.id)?.cursor) {
          reasons.push(`catching up: ${pool.label} has not been read yet`);
          continue;
        }
        const lag = head - (state.pool(pool.id)?.published.block ?? 0);
        if (lag > READY_LAG[source.chain]) reasons.push(`catching up: ${pool.label} is ${lag} ${source.chain === "evm" ? "blocks" : "slots"} behind`);
      }
      if (this.isWriter && !this.#idleChains.has(source.chain)) reasons.push(`catching up: ${source.chain} not read to its head yet`);
    }
    if (this.#lastError) reasons.push(`last ingest round failed: ${this.#lastError}`);
    return reasons;
  }

  async #sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = null;
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopping) {
      let busy = false;
      try {
        busy = await this.#round();
        this.#rounds += 1;
        failures = 0;
        this.#lastError = null;
      } catch (error) {
        failures += 1;
        this.#lastError = error instanceof Error ? error.message : String(error);
        this.#options.logger.warn({ err: error, failures }, "ingest round failed; retrying");
      }
      if (this.#stopping) break;
      if (!busy) await this.#sleep(failures === 0 ? this.#options.intervalMs : Math.min(MAX_BACKOFF_MS, this.#options.intervalMs * 2 ** failures));
    }
  }

  /** One round; true when there is more to read right away. */
  async #round(): Promise<boolean> {
    const { state, sources } = this.#options;
    for (const source of sources) {
      try {
        state.heads.set(source.chain, await source.head());
      } catch (error) {
        this.#options.metrics.ingestErrorsTotal.inc({ chain: source.chain });
        throw error;
      }
    }
    this.#updateLag();
    if (state.mismatch) return false;
    let holding: boolean;
    try {
      holding = await this.lease.tryAcquire();
    } catch (error) {
      throw new Error(`database: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    this.#options.metrics.writer.set(holding ? 1 : 0);
    // A follower, and a new writer before its first write, first catch up with what the database holds.
    if (!holding || !this.#wasWriter) {
      const events = await state.follow(this.#options.pool);
      for (const [pool, list] of events) this.#options.bus.publish(pool, list);
      this.#updateLag();
    }
    this.#wasWriter = holding;
    if (!holding) {
      this.#idleChains.clear();
      return false;
    }
    let busy = false;
    for (const source of sources) {
      const cursors = new Map<string, ChainCursor | null>(source.pools.map((pool) => [pool.id, state.pool(pool.id)!.cursor]));
      let step: SourceStep;
      try {
        step = await source.next(cursors, this.#options.batchSize);
      } catch (error) {
        this.#options.metrics.ingestErrorsTotal.inc({ chain: source.chain });
        throw error;
      }
      if (step.kind === "reorg") await this.#rollBack(source, step.toBlock, step.reason);
      else if (step.kind === "batch") await this.#apply(source, step.batches, step.blocks);
      else await this.#idle(source);
      if (step.kind !== "idle") busy = true;
      if (state.mismatch) return false;
    }
    this.#updateLag();
    return busy;
  }

  /** Runs a write on the lease's connection; a failure drops the lease (the session may be gone). */
  async #write(run: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = this.lease.client;
    if (!client) throw new Error("writer lease lost before the write");
    try {
      await run(client);
    } catch (error) {
      this.lease.lost(error);
      this.#wasWriter = false;
      throw error;
    }
  }

  async #idle(source: ChainSource): Promise<void> {
    this.#idleChains.add(source.chain);
    const { state } = this.#options;
    if (source.chain === "evm") {
      // An EVM source is idle when every pool is read to the head; a pool deployed at the head itself
      // has not had a block to read, and gets its cursor here: read up to the block before its deployment.
      const unread = source.pools.filter((pool) => !state.pool(pool.id)!.cursor);
      for (const pool of unread) {
        await this.#write((client) => store.advanceCursors(client, [pool.id], pool.startBlock - 1));
        state.pool(pool.id)!.cursor = { block: pool.startBlock - 1, blockHash: null, signature: null };
      }
      state.publish(unread.map((pool) => pool.id));
      return;
    }
    // A quiet Solana pool has no transaction to move its cursor: record that it was read to the head.
    const head = state.heads.get("solana");
    if (head === undefined) return;
    const behind = source.pools.filter((pool) => (state.pool(pool.id)!.cursor?.block ?? -1) < head);
    if (behind.length === 0) return;
    await this.#write((client) => store.advanceCursors(client, behind.map((pool) => pool.id), head));
    for (const pool of behind) {
      const entry = state.pool(pool.id)!;
      entry.cursor = { block: head, blockHash: null, signature: entry.cursor?.signature ?? null };
    }
    state.publish(behind.map((pool) => pool.id));
  }

  async #rollBack(source: ChainSource, toBlock: number, reason: string): Promise<void> {
    const { state, logger, metrics } = this.#options;
    const pools = source.pools.map((pool) => pool.id);
    logger.warn({ chain: source.chain, toBlock, reason }, "reorg: rolling back");
    await this.#write((client) => store.rollback(client, pools, toBlock, source.chain));
    for (const pool of pools) await state.resetTo(this.lease.client ?? this.#options.pool, pool);
    metrics.reorgsTotal.inc({ chain: source.chain });
    this.#idleChains.delete(source.chain);
  }

  async #apply(source: ChainSource, batches: readonly PoolBatch[], blocks: readonly { number: number; hash: string }[]): Promise<void> {
    const { state, logger, metrics, bus } = this.#options;
    const before = new Map(batches.map((batch) => [batch.pool, state.pool(batch.pool)!.trees.sizes()]));
    const undo = () => {
      for (const [pool, sizes] of before) state.pool(pool)!.trees.restore(sizes);
    };
    const roots = new Map<string, ComputedRoot[]>();
    try {
      for (const batch of batches) roots.set(batch.pool, state.pool(batch.pool)!.trees.apply(batch.transactions));
    } catch (error) {
      undo();
      if (error instanceof IndexerError && (error.code === IndexerErrorCode.ROOT_MISMATCH || error.code === IndexerErrorCode.OUT_OF_ORDER)) {
        state.mismatch = error.message;
        metrics.rootMismatch.set(1);
        logger.error({ code: error.code, chain: source.chain }, `root mismatch: ingest stopped: ${error.message}`);
        return;
      }
      throw error;
    }
    try {
      await this.#write((client) => store.applyBatches(client, batches, roots, blocks));
    } catch (error) {
      undo();
      throw error;
    }
    for (const batch of batches) {
      const entry = state.pool(batch.pool)!;
      entry.cursor = batch.cursor;
      const events: PoolEvent[] = [];
      for (const transaction of batch.transactions) {
        if (transaction.commitments.length > 0) metrics.merkleUpdatesTotal.inc({ pool: batch.pool });
        if (transaction.extAmount > 0n) metrics.depositsTotal.inc({ pool: batch.pool });
        metrics.commitmentsTotal.inc({ pool: batch.pool }, transaction.commitments.length);
        metrics.nullifiersTotal.inc({ pool: batch.pool }, transaction.nullifiers.length);
        for (const c of transaction.commitments) {
          events.push({ type: "commitment", data: { tree: c.tree, index: c.index, commitment: toHex32(c.commitment), encryptedOutput: `0x${Buffer.from(c.encryptedOutput).toString("hex")}`, tx: transaction.tx, block: transaction.block } });
        }
        for (const n of transaction.nullifiers) events.push({ type: "nullifier", data: { nullifier: toHex32(n), tx: transaction.tx, block: transaction.block } });
      }
      for (const root of roots.get(batch.pool) ?? []) events.push({ type: "root", data: { tree: root.tree, root: toHex32(root.root), block: root.block } });
      entry.nullifierSeq = Math.max(entry.nullifierSeq, ...(batch.transactions.some((t) => t.nullifiers.length > 0) ? [await this.#nullifierSeq(batch.pool)] : []));
      bus.publish(batch.pool, events);
    }
    state.publish(batches.map((batch) => batch.pool));
    await this.#options.afterCommit?.(batches.map((batch) => batch.pool));
  }

  async #nullifierSeq(pool: string): Promise<number> {
    const { rows } = await this.#options.pool.query<{ seq: string | null }>("SELECT max(seq) AS seq FROM nullifiers WHERE pool = $1", [pool]);
    return rows[0]?.seq ? Number(rows[0].seq) : 0;
  }

  #updateLag(): void {
    const { state, metrics } = this.#options;
    for (const entry of state.pools) {
      const head = state.heads.get(entry.pool.chain);
      const block = entry.published.block;
      (entry.pool.chain === "evm" ? metrics.lastBlock : metrics.lastSlot).set({ pool: entry.pool.id }, Math.max(0, block));
      if (head !== undefined) metrics.lag.set({ pool: entry.pool.id, chain: entry.pool.chain }, Math.max(0, head - block));
    }
  }
}
