import { toHex32, type PoseidonHasher } from "@cloak/sdk";
import type pg from "pg";
import { IndexerError, IndexerErrorCode } from "./errors.ts";
import type { PoolEvent } from "./events.ts";
import type { Chain, ChainCursor, IndexedPool } from "./ingest/types.ts";
import { PoolTrees } from "./pool-trees.ts";
import { store } from "./store.ts";
import { IndexedTree } from "./tree.ts";

type Queryable = Pick<pg.Pool | pg.PoolClient | pg.Client, "query">;

/** Builds a tree from its leaves (the rebuild at start; a faster builder may be passed in). */
export type TreeBuilder = (leaves: readonly bigint[]) => Promise<IndexedTree>;

/** Where a start finds a tree without rehashing it: the newest valid snapshot (src/snapshots). */
export interface SnapshotSource {
  /** The newest snapshot of (pool, tree) with at most `size` leaves that verifies, or null. */
  newestValid(db: Queryable, pool: string, tree: number, size: number): Promise<{ tree: IndexedTree; file: string } | null>;
  /** The snapshot verified, but with the stored leaves after it appended the root is not the recorded one. */
  rejected(file: string, reason: string): void;
}

/** What the API serves about a pool: one consistent cut, replaced whole after each commit. */
export interface PublishedPool {
  readonly trees: number;
  /** Leaves of the current tree. */
  readonly leaves: number;
  readonly root: string;
  /** The last block (slot) whose effects are all in the database. */
  readonly block: number;
}

export interface PoolState {
  readonly pool: IndexedPool;
  readonly trees: PoolTrees;
  cursor: ChainCursor | null;
  published: PublishedPool;
  /** The newest nullifier sequence number applied (followers page the table by it). */
  nullifierSeq: number;
}

function publish(state: PoolState): void {
  const current = state.trees.current;
  state.published = {
    trees: state.trees.trees.length,
    leaves: current.size,
    root: toHex32(current.root),
    block: state.cursor?.block ?? state.pool.startBlock - 1,
  };
}

/** Leaves per tree as the database has them (from the roots table: one row per transaction's new size). */
export async function storedSizes(db: Queryable, pool: string): Promise<number[]> {
  const { rows } = await db.query<{ tree: number; size: number }>("SELECT tree, max(size) AS size FROM roots WHERE pool = $1 GROUP BY tree ORDER BY tree", [pool]);
  const sizes: number[] = [];
  for (const row of rows) sizes[row.tree] = row.size;
  return Array.from({ length: Math.max(1, sizes.length) }, (_, tree) => sizes[tree] ?? 0);
}

async function maxNullifierSeq(db: Queryable, pool: string): Promise<number> {
  const { rows } = await db.query<{ seq: string | null }>("SELECT max(seq) AS seq FROM nullifiers WHERE pool = $1", [pool]);
  return rows[0]?.seq ? Number(rows[0].seq) : 0;
}

/**
 * Every pool's trees in memory, built from the database (every tree's root checked against the roots
 * the chain recorded), and what the API publishes of them. The writer changes it by applying chain
 * batches; a follower by reading back what the writer committed (`follow`).
 */
export class IndexerState {
  readonly #pools = new Map<string, PoolState>();
  readonly poseidon: PoseidonHasher;
  readonly zeros: readonly bigint[];
  /** Chain head (block or slot) last seen, per chain. */
  readonly heads = new Map<Chain, number>();
  /** Set when a computed root differed from the chain's: ingest stops until an operator acts. */
  mismatch: string | null = null;

  private constructor(poseidon: PoseidonHasher, zeros: readonly bigint[]) {
    this.poseidon = poseidon;
    this.zeros = zeros;
  }

  /**
   * Every pool's trees from the database. With `snapshots`, each tree starts from its newest valid
   * snapshot and only the stored leaves after it are hashed; without one (or if the result does not
   * reach the recorded root) it is rebuilt from all its stored leaves.
   */
  static async load(db: Queryable, pools: readonly IndexedPool[], poseidon: PoseidonHasher, zeros: readonly bigint[], build: TreeBuilder, snapshots?: SnapshotSource): Promise<IndexerState> {
    const state = new IndexerState(poseidon, zeros);
    const cursors = await store.cursors(db);
    for (const pool of pools) {
      const sizes = await storedSizes(db, pool.id);
      const trees: IndexedTree[] = [];
      for (const [number, size] of sizes.entries()) {
        const fromSnapshot = snapshots && size > 0 ? await state.#fromSnapshot(db, pool.id, number, size, snapshots) : null;
        trees.push(fromSnapshot ?? (await state.#buildStoredTree(db, pool.id, number, size, build)));
      }
      const entry: PoolState = { pool, trees: new PoolTrees(pool.id, poseidon, zeros, trees), cursor: cursors.get(pool.id) ?? null, published: { trees: 0, leaves: 0, root: "", block: 0 }, nullifierSeq: await maxNullifierSeq(db, pool.id) };
      publish(entry);
      state.#pools.set(pool.id, entry);
    }
    return state;
  }

  /** The newest valid snapshot of the tree with the stored leaves after it appended, if that reaches the recorded root. */
  async #fromSnapshot(db: Queryable, pool: string, number: number, size: number, snapshots: SnapshotSource): Promise<IndexedTree | null> {
    const found = await snapshots.newestValid(db, pool, number, size);
    if (!found) return null;
    const { tree } = found;
    for await (const chunk of store.leaves(db, pool, number, tree.size)) {
      tree.append(chunk.slice(0, size - tree.size));
      if (tree.size >= size) break;
    }
    const recorded = await store.rootAt(db, pool, number, size);
    if (tree.size !== size || recorded !== toHex32(tree.root)) {
      snapshots.rejected(found.file, `with the stored leaves up to ${size} appended it has ${tree.size} leaves and root ${toHex32(tree.root)}, but the chain recorded ${recorded ?? "no root"}`);
      return null;
    }
    return tree;
  }

  /** One tree from its stored leaves, checked against the root the chain recorded at that size. */
  async #buildStoredTree(db: Queryable, pool: string, number: number, size: number, build: TreeBuilder): Promise<IndexedTree> {
    const leaves: bigint[] = [];
    for await (const chunk of store.leaves(db, pool, number, 0)) for (const leaf of chunk) leaves.push(leaf);
    if (leaves.length < size) {
      throw new IndexerError(IndexerErrorCode.ROOT_MISMATCH, `pool ${pool}: tree ${number} has ${leaves.length} stored leaves but its roots reach size ${size}`);
    }
    leaves.length = size;
    const tree = await build(leaves);
    await this.#checkStoredRoot(db, pool, number, tree);
    return tree;
  }

  async #checkStoredRoot(db: Queryable, pool: string, number: number, tree: IndexedTree): Promise<void> {
    if (tree.size === 0) return;
    const recorded = await store.rootAt(db, pool, number, tree.size);
    if (recorded !== toHex32(tree.root)) {
      throw new IndexerError(
        IndexerErrorCode.ROOT_MISMATCH,
        `pool ${pool}: tree ${number}'s ${tree.size} stored leaves hash to ${toHex32(tree.root)}, but the chain recorded ${recorded ?? "no root"} at that size`,
      );
    }
  }

  get pools(): PoolState[] {
    return [...this.#pools.values()];
  }

  pool(id: string): PoolState | undefined {
    return this.#pools.get(id);
  }

  /** Makes what was just committed for `pools` visible to the API. */
  publish(pools: Iterable<string>): void {
    for (const id of pools) {
      const entry = this.#pools.get(id);
      if (entry) publish(entry);
    }
  }

  /** Back to what the database holds for `pool` (after a rollback): trees truncated, cursor reread. */
  async resetTo(db: Queryable, id: string): Promise<void> {
    const entry = this.#pools.get(id)!;
    entry.trees.restore(await storedSizes(db, id));
    entry.cursor = (await store.cursors(db)).get(id) ?? null;
    entry.nullifierSeq = await maxNullifierSeq(db, id);
    publish(entry);
  }

  /**
   * A follower's step: applies to the trees whatever the writer committed since the last call (new
   * leaves, or a rollback) and returns the new events per pool. Every tree's root is checked against
   * the stored one, so a follower never serves a tree the writer did not commit.
   */
  async follow(db: Queryable): Promise<Map<string, PoolEvent[]>> {
    const cursors = await store.cursors(db);
    const events = new Map<string, PoolEvent[]>();
    for (const entry of this.#pools.values()) {
      const cursor = cursors.get(entry.pool.id) ?? null;
      if (cursor?.block === entry.cursor?.block && cursor?.signature === entry.cursor?.signature) continue;
      const sizes = await storedSizes(db, entry.pool.id);
      const mine = entry.trees.sizes();
      const out: PoolEvent[] = [];
      // A rollback shows as fewer leaves (or another root at the same size): go back to what both agree on.
      let rolledBack = sizes.length < mine.length;
      for (const [number, size] of mine.entries()) {
        const stored = sizes[number] ?? 0;
        if (stored < size || (stored === size && size > 0 && (await store.rootAt(db, entry.pool.id, number, size)) !== toHex32(entry.trees.trees[number]!.root))) rolledBack = true;
      }
      if (rolledBack) {
        entry.trees.restore(mine.map((size, number) => Math.min(size, sizes[number] ?? 0)));
        // A reorg may have replaced leaves at the same indexes: rebuild such trees from the database.
        for (const [number, tree] of entry.trees.trees.entries()) {
          if (tree.size > 0 && (await store.rootAt(db, entry.pool.id, number, tree.size)) !== toHex32(tree.root)) {
            entry.trees.trees[number] = await this.#buildStoredTree(db, entry.pool.id, number, tree.size, async (leaves) => {
              const rebuilt = new IndexedTree(this.poseidon, this.zeros);
              rebuilt.append(leaves);
              return rebuilt;
            });
          }
        }
        entry.nullifierSeq = Math.min(entry.nullifierSeq, await maxNullifierSeq(db, entry.pool.id));
      }
      for (const [number, size] of sizes.entries()) {
        if (number >= entry.trees.trees.length) entry.trees.trees.push(new IndexedTree(this.poseidon, this.zeros));
        const tree = entry.trees.trees[number]!;
        if (size <= tree.size) continue;
        const rows = await store.commitments(db, entry.pool.id, number, tree.size, size - tree.size);
        tree.append(rows.map((row) => BigInt(row.commitment)));
        await this.#checkStoredRoot(db, entry.pool.id, number, tree);
        for (const row of rows) out.push({ type: "commitment", data: { tree: number, index: row.index, commitment: row.commitment, encryptedOutput: row.encryptedOutput, tx: row.tx, block: row.block } });
        out.push({ type: "root", data: { tree: number, root: toHex32(tree.root), block: rows.at(-1)?.block ?? cursor?.block ?? 0 } });
      }
      for (const nullifier of await store.nullifiers(db, entry.pool.id, entry.nullifierSeq + 1, 100_000)) {
        out.push({ type: "nullifier", data: { nullifier: nullifier.nullifier, tx: nullifier.tx, block: nullifier.block } });
        entry.nullifierSeq = nullifier.seq;
      }
      entry.cursor = cursor;
      publish(entry);
      if (out.length > 0) events.set(entry.pool.id, out);
    }
    return events;
  }
}
