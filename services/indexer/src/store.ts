import { toHex32 } from "@cloak/sdk";
import type pg from "pg";
import { IndexerError, IndexerErrorCode } from "./errors.ts";
import type { ComputedRoot } from "./pool-trees.ts";
import type { Chain, ChainCursor, IndexedPool, PoolBatch } from "./ingest/types.ts";

type Queryable = Pick<pg.Pool | pg.PoolClient | pg.Client, "query">;

/** EVM block hashes kept for reorg detection: deeper reorgs than this are not followed. */
export const KEPT_BLOCK_HASHES = 256;

export interface StoredCommitment {
  index: number;
  commitment: string;
  encryptedOutput: string;
  tx: string;
  block: number;
}

export interface StoredNullifier {
  seq: number;
  nullifier: string;
  tx: string;
  block: number;
}

const hexOf = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString("hex")}`;

/** The indexer's SQL, one function per question; writes take the client that holds the writer lease. */
export const store = {
  /**
   * Records the pools to index. A pool id the database already holds for another network (a local chain
   * restarted from genesis reuses addresses) is refused: its rows describe a chain that is gone.
   */
  async registerPools(db: Queryable, pools: readonly IndexedPool[]): Promise<void> {
    for (const pool of pools) {
      const { rows } = await db.query<{ network: string | null }>("SELECT network FROM pools WHERE id = $1", [pool.id]);
      const recorded = rows[0]?.network;
      if (recorded && recorded !== pool.network) {
        throw new IndexerError(
          IndexerErrorCode.CHAIN_MISMATCH,
          `pool ${pool.label} (${pool.id}): the database indexed it on ${recorded}, the deployment is on ${pool.network} (a chain restarted from genesis?): its rows describe a chain that is gone; start on a fresh database (database.url, or a new database.embedded_dir)`,
        );
      }
      await db.query(
        `INSERT INTO pools (id, chain, address, asset, label, start_block, network) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET label = EXCLUDED.label, network = EXCLUDED.network`,
        [pool.id, pool.chain, pool.address, pool.asset, pool.label, pool.startBlock, pool.network],
      );
    }
  },

  async pools(db: Queryable): Promise<IndexedPool[]> {
    const { rows } = await db.query<{ id: string; chain: Chain; address: string; asset: string; label: string; start_block: string; network: string | null }>(
      "SELECT id, chain, address, asset, label, start_block, network FROM pools ORDER BY chain, label",
    );
    return rows.map((row) => ({ id: row.id, chain: row.chain, address: row.address, asset: row.asset, label: row.label, startBlock: Number(row.start_block), network: row.network ?? "" }));
  },

  async cursors(db: Queryable): Promise<Map<string, ChainCursor>> {
    const { rows } = await db.query<{ pool: string; block: string; block_hash: string | null; signature: string | null }>("SELECT pool, block, block_hash, signature FROM cursors");
    return new Map(rows.map((row) => [row.pool, { block: Number(row.block), blockHash: row.block_hash, signature: row.signature }]));
  },

  /** One transaction: the batches' rows, their roots, their cursors, and the EVM block hashes seen. */
  async applyBatches(
    client: pg.Client | pg.PoolClient,
    batches: readonly PoolBatch[],
    roots: ReadonlyMap<string, readonly ComputedRoot[]>,
    blocks: readonly { number: number; hash: string }[],
  ): Promise<void> {
    await client.query("BEGIN");
    try {
      for (const batch of batches) {
        const commitments = batch.transactions.flatMap((tx) => tx.commitments.map((c) => ({ ...c, tx: tx.tx, block: tx.block })));
        if (commitments.length > 0) {
          await client.query(
            `INSERT INTO commitments (pool, tree, leaf_index, commitment, encrypted_output, tx, block)
             SELECT $1, * FROM unnest($2::int[], $3::int[], $4::text[], $5::bytea[], $6::text[], $7::bigint[])`,
            [
              batch.pool,
              commitments.map((c) => c.tree),
              commitments.map((c) => c.index),
              commitments.map((c) => toHex32(c.commitment)),
              commitments.map((c) => Buffer.from(c.encryptedOutput)),
              commitments.map((c) => c.tx),
              commitments.map((c) => c.block),
            ],
          );
        }
        const nullifiers = batch.transactions.flatMap((tx) => tx.nullifiers.map((n) => ({ nullifier: toHex32(n), tx: tx.tx, block: tx.block })));
        if (nullifiers.length > 0) {
          await client.query(
            `INSERT INTO nullifiers (pool, nullifier, tx, block) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[])`,
            [batch.pool, nullifiers.map((n) => n.nullifier), nullifiers.map((n) => n.tx), nullifiers.map((n) => n.block)],
          );
        }
        const poolRoots = roots.get(batch.pool) ?? [];
        if (poolRoots.length > 0) {
          await client.query(
            `INSERT INTO roots (pool, tree, size, root, tx, block) SELECT $1, * FROM unnest($2::int[], $3::int[], $4::text[], $5::text[], $6::bigint[])`,
            [batch.pool, poolRoots.map((r) => r.tree), poolRoots.map((r) => r.size), poolRoots.map((r) => toHex32(r.root)), poolRoots.map((r) => r.tx), poolRoots.map((r) => r.block)],
          );
        }
        await client.query(
          `INSERT INTO cursors (pool, block, block_hash, signature, updated_at) VALUES ($1, $2, $3, $4, now())
           ON CONFLICT (pool) DO UPDATE SET block = $2, block_hash = $3, signature = $4, updated_at = now()`,
          [batch.pool, batch.cursor.block, batch.cursor.blockHash, batch.cursor.signature],
        );
      }
      if (blocks.length > 0) {
        await client.query(
          `INSERT INTO evm_blocks (number, hash) SELECT * FROM unnest($1::bigint[], $2::text[]) ON CONFLICT (number) DO UPDATE SET hash = EXCLUDED.hash`,
          [blocks.map((b) => b.number), blocks.map((b) => b.hash)],
        );
        await client.query("DELETE FROM evm_blocks WHERE number <= $1", [Math.max(...blocks.map((b) => b.number)) - KEPT_BLOCK_HASHES]);
      }
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
  },

  /** Records that `pools` were read up to `block` with nothing new (Solana: a quiet pool's cursor still moves). */
  async advanceCursors(client: pg.Client | pg.PoolClient, pools: readonly string[], block: number): Promise<void> {
    await client.query(
      `INSERT INTO cursors (pool, block, block_hash, signature, updated_at) SELECT unnest($1::text[]), $2, NULL, NULL, now()
       ON CONFLICT (pool) DO UPDATE SET block = EXCLUDED.block, updated_at = now() WHERE cursors.block < EXCLUDED.block`,
      [pools, block],
    );
  },

  async evmBlockHash(db: Queryable, number: number): Promise<string | null> {
    const { rows } = await db.query<{ hash: string }>("SELECT hash FROM evm_blocks WHERE number = $1", [number]);
    return rows[0]?.hash ?? null;
  },

  async evmBlocksFrom(db: Queryable, below: number, count: number): Promise<{ number: number; hash: string }[]> {
    const { rows } = await db.query<{ number: string; hash: string }>("SELECT number, hash FROM evm_blocks WHERE number <= $1 ORDER BY number DESC LIMIT $2", [below, count]);
    return rows.map((row) => ({ number: Number(row.number), hash: row.hash }));
  },

  /** Undoes everything of `pools` recorded after block `toBlock` (a reorg, or `replay --from`). */
  async rollback(client: pg.Client | pg.PoolClient, pools: readonly string[], toBlock: number, chain: Chain): Promise<void> {
    await client.query("BEGIN");
    try {
      for (const table of ["commitments", "nullifiers", "roots"]) {
        await client.query(`DELETE FROM ${table} WHERE pool = ANY($1) AND block > $2`, [pools, toBlock]);
      }
      const hash = chain === "evm" ? await store.evmBlockHash(client, toBlock) : null;
      // A Solana cursor's `until` signature is dropped: the next read lists back to the pool's start slot
      // filter, and transactions at or below toBlock are skipped by slot.
      await client.query("UPDATE cursors SET block = $2, block_hash = $3, signature = NULL, updated_at = now() WHERE pool = ANY($1) AND block > $2", [pools, toBlock, hash]);
      if (chain === "evm") await client.query("DELETE FROM evm_blocks WHERE number > $1", [toBlock]);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
  },

  async treeCount(db: Queryable, pool: string): Promise<number> {
    const { rows } = await db.query<{ trees: number | null }>("SELECT max(tree) AS trees FROM commitments WHERE pool = $1", [pool]);
    return rows[0]?.trees === null || rows[0]?.trees === undefined ? 0 : rows[0].trees + 1;
  },

  /** Commitments of one tree as bigints from leaf `from`, in chunks (a 1M-leaf tree is read in pieces). */
  async *leaves(db: Queryable, pool: string, tree: number, from: number, chunk = 100_000): AsyncGenerator<bigint[]> {
    let next = from;
    for (;;) {
      const { rows } = await db.query<{ commitment: string }>(
        "SELECT commitment FROM commitments WHERE pool = $1 AND tree = $2 AND leaf_index >= $3 AND leaf_index < $4 ORDER BY leaf_index",
        [pool, tree, next, next + chunk],
      );
      if (rows.length === 0) return;
      yield rows.map((row) => BigInt(row.commitment));
      next += rows.length;
      if (rows.length < chunk) return;
    }
  },

  async rootAt(db: Queryable, pool: string, tree: number, size: number): Promise<string | null> {
    const { rows } = await db.query<{ root: string }>("SELECT root FROM roots WHERE pool = $1 AND tree = $2 AND size = $3", [pool, tree, size]);
    return rows[0]?.root ?? null;
  },

  async roots(db: Queryable, pool: string, tree: number, limit: number): Promise<{ root: string; block: number; tx: string; size: number }[]> {
    const { rows } = await db.query<{ root: string; block: string; tx: string; size: number }>(
      "SELECT root, block, tx, size FROM roots WHERE pool = $1 AND tree = $2 ORDER BY size DESC LIMIT $3",
      [pool, tree, limit],
    );
    return rows.map((row) => ({ root: row.root, block: Number(row.block), tx: row.tx, size: row.size }));
  },

  async commitments(db: Queryable, pool: string, tree: number, from: number, limit: number): Promise<StoredCommitment[]> {
    const { rows } = await db.query<{ leaf_index: number; commitment: string; encrypted_output: Buffer; tx: string; block: string }>(
      "SELECT leaf_index, commitment, encrypted_output, tx, block FROM commitments WHERE pool = $1 AND tree = $2 AND leaf_index >= $3 ORDER BY leaf_index LIMIT $4",
      [pool, tree, from, limit],
    );
    return rows.map((row) => ({ index: row.leaf_index, commitment: row.commitment, encryptedOutput: hexOf(row.encrypted_output), tx: row.tx, block: Number(row.block) }));
  },

  async nullifiers(db: Queryable, pool: string, from: number, limit: number): Promise<StoredNullifier[]> {
    const { rows } = await db.query<{ seq: string; nullifier: string; tx: string; block: string }>(
      "SELECT seq, nullifier, tx, block FROM nullifiers WHERE pool = $1 AND seq >= $2 ORDER BY seq LIMIT $3",
      [pool, from, limit],
    );
    return rows.map((row) => ({ seq: Number(row.seq), nullifier: row.nullifier, tx: row.tx, block: Number(row.block) }));
  },

  async nullifierStatus(db: Queryable, pool: string, nullifiers: readonly string[]): Promise<Map<string, { tx: string; block: number }>> {
    const { rows } = await db.query<{ nullifier: string; tx: string; block: string }>(
      "SELECT nullifier, tx, block FROM nullifiers WHERE pool = $1 AND nullifier = ANY($2)",
      [pool, nullifiers],
    );
    return new Map(rows.map((row) => [row.nullifier, { tx: row.tx, block: Number(row.block) }]));
  },

  async counts(db: Queryable): Promise<Map<string, { commitments: number; nullifiers: number }>> {
    const { rows } = await db.query<{ pool: string; commitments: string; nullifiers: string }>(
      `SELECT p.id AS pool,
              (SELECT count(*) FROM commitments c WHERE c.pool = p.id) AS commitments,
              (SELECT count(*) FROM nullifiers n WHERE n.pool = p.id) AS nullifiers
       FROM pools p`,
    );
    return new Map(rows.map((row) => [row.pool, { commitments: Number(row.commitments), nullifiers: Number(row.nullifiers) }]));
  },
};
