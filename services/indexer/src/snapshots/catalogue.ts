import { basename } from "node:path";
import type pg from "pg";
import type { WrittenSnapshot } from "./files.ts";

type Queryable = Pick<pg.Pool | pg.PoolClient | pg.Client, "query">;

export interface CatalogueRow {
  readonly pool: string;
  readonly tree: number;
  readonly size: number;
  readonly root: string;
  /** The file's name in the snapshot folder. */
  readonly file: string;
  readonly sha256: string;
  readonly createdAt: Date;
}

/**
 * The `snapshots` table: which snapshots were taken and when (their age). It records, it does not
 * vouch: whether a snapshot may be used is checked from its file every time (files.ts checkSnapshot).
 */
export const catalogue = {
  async record(db: Queryable, snapshot: Pick<WrittenSnapshot, "pool" | "tree" | "size" | "root" | "file" | "sha256">): Promise<void> {
    const file = basename(snapshot.file);
    await db.query("DELETE FROM snapshots WHERE file = $1", [file]);
    await db.query("INSERT INTO snapshots (pool, tree, size, root, file, sha256) VALUES ($1, $2, $3, $4, $5, $6)", [
      snapshot.pool,
      snapshot.tree,
      snapshot.size,
      snapshot.root,
      file,
      snapshot.sha256,
    ]);
  },

  async forget(db: Queryable, file: string): Promise<void> {
    await db.query("DELETE FROM snapshots WHERE file = $1", [basename(file)]);
  },

  /** Every row by file name. */
  async rows(db: Queryable): Promise<Map<string, CatalogueRow>> {
    const { rows } = await db.query<{ pool: string; tree: number; size: number; root: string; file: string; sha256: string; created_at: Date }>(
      "SELECT pool, tree, size, root, file, sha256, created_at FROM snapshots ORDER BY id",
    );
    return new Map(rows.map((row) => [row.file, { pool: row.pool, tree: row.tree, size: row.size, root: row.root, file: row.file, sha256: row.sha256, createdAt: row.created_at }]));
  },
};
