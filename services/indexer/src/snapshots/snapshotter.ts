import { basename } from "node:path";
import type { PoseidonHasher } from "@cloak/sdk";
import type pg from "pg";
import type { Logger } from "pino";
import type { IndexedPool } from "../ingest/types.ts";
import type { IndexerMetrics } from "../indexer-metrics.ts";
import type { IndexerState, SnapshotSource } from "../state.ts";
import { IndexedTree } from "../tree.ts";
import { catalogue } from "./catalogue.ts";
import { checkSnapshot, listSnapshotFiles, removeAbandonedTemps, removeSnapshot, writeSnapshot, type WrittenSnapshot } from "./files.ts";

type Queryable = Pick<pg.Pool | pg.PoolClient | pg.Client, "query">;

/** The `[snapshots]` keys (durations in ms). */
export interface SnapshotPolicy {
  readonly dir: string;
  readonly every_leaves: number;
  readonly interval: number;
  readonly keep: number;
}

/** Keeps the newest `keep` snapshots of (pool, tree) by size; deletes the rest, files and rows. */
export async function pruneSnapshots(db: Queryable, dir: string, pool: string, tree: number, keep: number): Promise<string[]> {
  const files = (await listSnapshotFiles(dir)).filter((file) => file.pool === pool && file.tree === tree);
  const removed: string[] = [];
  for (const old of files.slice(keep)) {
    await removeSnapshot(old.file);
    await catalogue.forget(db, old.file);
    removed.push(old.file);
  }
  return removed;
}

/** Writes the snapshot, records it in the catalogue, then applies retention. */
export async function takeSnapshot(db: Queryable, policy: Pick<SnapshotPolicy, "dir" | "keep">, pool: string, number: number, tree: IndexedTree): Promise<WrittenSnapshot & { pruned: string[] }> {
  const written = await writeSnapshot(policy.dir, pool, number, tree);
  await catalogue.record(db, written);
  return { ...written, pruned: await pruneSnapshots(db, policy.dir, pool, number, policy.keep) };
}

/** Start's snapshot source: the newest file that verifies, each skipped one logged with its reason. */
export function snapshotSource(dir: string, poseidon: PoseidonHasher, zeros: readonly bigint[], logger: Logger): SnapshotSource {
  return {
    async newestValid(db, pool, tree, size) {
      const candidates = (await listSnapshotFiles(dir)).filter((file) => file.pool === pool && file.tree === tree);
      for (const candidate of candidates) {
        if (candidate.size > size) {
          logger.info({ pool, tree, file: candidate.file }, `snapshot ${candidate.file} skipped: it holds ${candidate.size} leaves, the database ${size}`);
          continue;
        }
        const started = Date.now();
        const check = await checkSnapshot(candidate.file, db, poseidon, zeros);
        if (check.valid) {
          logger.info({ pool, tree, file: candidate.file, leaves: candidate.size, stored: size, ms: Date.now() - started }, `tree loaded from snapshot ${candidate.file}; ${size - candidate.size} stored leaves after it`);
          return { tree: check.tree, file: candidate.file };
        }
        logger.warn({ pool, tree, file: candidate.file, reason: check.reason }, `snapshot ${candidate.file} invalid, trying an older one: ${check.reason}`);
      }
      logger.info({ pool, tree, stored: size }, `no valid snapshot of pool ${pool} tree ${tree}: rebuilding it from the database`);
      return null;
    },
    rejected(file, reason) {
      logger.warn({ file, reason }, `snapshot ${file} not used, rebuilding from the database: ${reason}`);
    },
  };
}

interface Newest {
  size: number;
  at: number;
}

export interface SnapshotterOptions {
  readonly db: pg.Pool;
  readonly policy: SnapshotPolicy;
  readonly state: IndexerState;
  readonly metrics: IndexerMetrics;
  readonly logger: Logger;
  /** True while this instance ingests (only the writer takes snapshots). */
  readonly isWriter: () => boolean;
}

/** How often the age gauge is refreshed, and a follower rereads the catalogue. */
const REFRESH_MS = 5_000;

/**
 * The writer's automatic snapshots. After each commit a tree is snapshotted when it grew by
 * `every_leaves` since its newest snapshot, or `interval` passed since then and it grew. The tree is
 * copied level by level at once (references to immutable BigInts: ~20 ms for 1M leaves), and the copy
 * is written in the background while ingest goes on; one snapshot is written at a time.
 */
export class Snapshotter {
  readonly #options: SnapshotterOptions;
  /** Newest snapshot per "pool/tree". */
  readonly #newest = new Map<string, Newest>();
  readonly #startedAt = Date.now();
  #writing: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: SnapshotterOptions) {
    this.#options = options;
  }

  /** Reads what the catalogue has, clears temporaries of dead writers, starts the gauges' refresh. */
  async start(): Promise<void> {
    const removed = await removeAbandonedTemps(this.#options.policy.dir);
    if (removed.length > 0) this.#options.logger.info({ removed }, "snapshots: removed partial files of an interrupted write");
    await this.#readCatalogue();
    this.#updateMetrics();
    this.#timer = setInterval(() => {
      void (this.#options.isWriter() ? Promise.resolve() : this.#readCatalogue())
        .then(() => this.#updateMetrics())
        .catch((error: unknown) => this.#options.logger.debug({ err: error }, "snapshots: catalogue not readable"));
    }, REFRESH_MS);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#writing;
  }

  async #readCatalogue(): Promise<void> {
    for (const row of (await catalogue.rows(this.#options.db)).values()) {
      const key = `${row.pool}/${row.tree}`;
      const known = this.#newest.get(key);
      if (!known || row.size > known.size || (row.size === known.size && row.createdAt.getTime() > known.at)) this.#newest.set(key, { size: row.size, at: row.createdAt.getTime() });
    }
  }

  /** Per pool: leaves indexed since the newest snapshot (over all its trees) and that snapshot's age. */
  figures(pool: string): { snapshot_lag: number; snapshot_age: number | null } {
    const entry = this.#options.state.pool(pool);
    if (!entry) return { snapshot_lag: 0, snapshot_age: null };
    let lag = 0;
    let newestAt: number | null = null;
    for (const [number, tree] of entry.trees.trees.entries()) {
      const newest = this.#newest.get(`${pool}/${number}`);
      lag += Math.max(0, tree.size - (newest?.size ?? 0));
      if (newest && (newestAt === null || newest.at > newestAt)) newestAt = newest.at;
    }
    return { snapshot_lag: lag, snapshot_age: newestAt === null ? null : Math.max(0, Math.round((Date.now() - newestAt) / 1000)) };
  }

  #updateMetrics(): void {
    for (const entry of this.#options.state.pools) {
      const { snapshot_lag, snapshot_age } = this.figures(entry.pool.id);
      this.#options.metrics.snapshotLag.set({ pool: entry.pool.id }, snapshot_lag);
      if (snapshot_age !== null) this.#options.metrics.snapshotAge.set({ pool: entry.pool.id }, snapshot_age);
    }
  }

  /** The Ingestor's afterCommit: starts a snapshot if one is due; never waits for the write. */
  async afterCommit(pools: readonly string[]): Promise<void> {
    this.#updateMetrics();
    if (this.#writing) return;
    const { policy, state } = this.#options;
    const now = Date.now();
    for (const id of pools) {
      const entry = state.pool(id);
      if (!entry) continue;
      for (const [number, tree] of entry.trees.trees.entries()) {
        const newest = this.#newest.get(`${id}/${number}`);
        const grown = tree.size - (newest?.size ?? 0);
        if (grown <= 0) continue;
        const byCount = policy.every_leaves > 0 && grown >= policy.every_leaves;
        const byTime = now - (newest?.at ?? this.#startedAt) >= policy.interval;
        if (!byCount && !byTime) continue;
        const copy = new IndexedTree(state.poseidon, state.zeros, Array.from({ length: tree.depth + 1 }, (_, level) => tree.nodes(level).slice()));
        this.#writing = this.#write(entry.pool, number, copy).finally(() => {
          this.#writing = null;
        });
        return;
      }
    }
  }

  async #write(pool: IndexedPool, number: number, tree: IndexedTree): Promise<void> {
    const { db, policy, logger } = this.#options;
    const started = Date.now();
    try {
      const written = await takeSnapshot(db, policy, pool.id, number, tree);
      this.#newest.set(`${pool.id}/${number}`, { size: written.size, at: Date.now() });
      this.#updateMetrics();
      logger.info(
        { pool: pool.id, tree: number, leaves: written.size, file: basename(written.file), bytes: written.bytes, ms: Date.now() - started, pruned: written.pruned.map((file) => basename(file)) },
        "snapshot taken",
      );
    } catch (error) {
      logger.warn({ err: error, pool: pool.id, tree: number }, "snapshot failed; the next commit tries again");
    }
  }
}
