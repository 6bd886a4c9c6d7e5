// Snapshot files: one tree of one pool, `IndexedTree.serialize()`'s bytes, beside a sha256sum-format
// checksum file. Validity is decided from the file, its checksum and the roots the chain recorded (the
// `roots` table), never from the catalogue row, so a file copied in from a backup is judged the same way.
import { createHash } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { toHex32, type PoseidonHasher } from "@cloak/sdk";
import type pg from "pg";
import { store } from "../store.ts";
import { IndexedTree } from "../tree.ts";

type Queryable = Pick<pg.Pool | pg.PoolClient | pg.Client, "query">;

export const SNAPSHOT_EXTENSION = ".tree";
export const CHECKSUM_EXTENSION = ".sha256";
const NAME = /^(.+)-t(\d+)-(\d+)\.tree$/;
const TEMP = /\.(\d+)\.tmp$/;

/** What a snapshot's file name says it holds. */
export interface SnapshotName {
  readonly pool: string;
  readonly tree: number;
  readonly size: number;
}

export interface SnapshotFile extends SnapshotName {
  /** The path, as found (the snapshot folder joined with the name). */
  readonly file: string;
}

export function snapshotFileName(pool: string, tree: number, size: number): string {
  return `${pool}-t${tree}-${size}${SNAPSHOT_EXTENSION}`;
}

export function parseSnapshotName(file: string): SnapshotName | null {
  const match = NAME.exec(basename(file));
  return match ? { pool: match[1]!, tree: Number(match[2]), size: Number(match[3]) } : null;
}

/** Every snapshot file in `dir` (no folder yet: none), by pool, then tree, then newest (largest) first. */
export async function listSnapshotFiles(dir: string): Promise<SnapshotFile[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [] as string[];
    throw error;
  });
  const files: SnapshotFile[] = [];
  for (const name of names) {
    const parsed = parseSnapshotName(name);
    if (parsed) files.push({ ...parsed, file: join(dir, name) });
  }
  return files.sort((a, b) => (a.pool < b.pool ? -1 : a.pool > b.pool ? 1 : a.tree - b.tree || b.size - a.size));
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A temporary file nobody wrote to for this long belongs to a writer that died (a live one writes continuously). */
const ABANDONED_AFTER_MS = 10 * 60_000;

/** Removes the temporary files of writers that died mid-write. */
export async function removeAbandonedTemps(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    if (!TEMP.test(name)) continue;
    const modified = await modifiedAt(join(dir, name));
    if (modified === null || Date.now() - modified.getTime() < ABANDONED_AFTER_MS) continue;
    await rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

export interface WrittenSnapshot extends SnapshotFile {
  readonly root: string;
  readonly sha256: string;
  readonly bytes: number;
}

/**
 * Writes `tree` as tree `number` of `pool`: the bytes to a temporary file, fsync, rename; then the
 * checksum file the same way. The checksum goes last, so a crash at any point leaves either the
 * previous state or a snapshot without a checksum, which never verifies. Each piece is written before
 * the next is encoded, so the event loop is free between pieces.
 */
export async function writeSnapshot(dir: string, pool: string, number: number, tree: IndexedTree): Promise<WrittenSnapshot> {
  await mkdir(dir, { recursive: true });
  const name = snapshotFileName(pool, number, tree.size);
  const file = join(dir, name);
  const checksumFile = `${file}${CHECKSUM_EXTENSION}`;
  const temp = `${file}.${process.pid}.tmp`;
  const hash = createHash("sha256");
  let bytes = 0;
  const handle = await open(temp, "w");
  try {
    for (const part of tree.serializeParts()) {
      hash.update(part);
      bytes += part.length;
      await handle.write(part);
    }
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  const sha256 = hash.digest("hex");
  // A checksum left from an earlier file of this name (another chain after a reorg) must not vouch for this one.
  await rm(checksumFile, { force: true });
  await rename(temp, file);
  const checksumTemp = `${checksumFile}.${process.pid}.tmp`;
  const sums = await open(checksumTemp, "w");
  try {
    await sums.writeFile(`${sha256}  ${name}\n`);
    await sums.sync();
  } finally {
    await sums.close();
  }
  await rename(checksumTemp, checksumFile);
  await fsyncDir(dir);
  return { pool, tree: number, size: tree.size, file, root: toHex32(tree.root), sha256, bytes };
}

/** Deletes a snapshot and its checksum file. */
export async function removeSnapshot(file: string): Promise<void> {
  await rm(`${file}${CHECKSUM_EXTENSION}`, { force: true });
  await rm(file, { force: true });
}

export type SnapshotCheck =
  | { readonly valid: true; readonly file: string; readonly name: SnapshotName; readonly tree: IndexedTree; readonly root: string; readonly sha256: string }
  | { readonly valid: false; readonly file: string; readonly name: SnapshotName | null; readonly reason: string };

/** The sha256 the checksum file gives for `file`, or why there is none. */
async function expectedChecksum(file: string): Promise<{ sha256: string } | { reason: string }> {
  const checksumFile = `${file}${CHECKSUM_EXTENSION}`;
  const text = await readFile(checksumFile, "utf8").catch(() => null);
  if (text === null) return { reason: `no checksum file ${checksumFile}` };
  const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(text.split("\n")[0] ?? "");
  if (!match) return { reason: `${checksumFile} is not in sha256sum format` };
  if (match[2] !== basename(file)) return { reason: `${checksumFile} is for ${match[2]}, not ${basename(file)}` };
  return { sha256: match[1]! };
}

/**
 * A snapshot is valid when its checksum file matches its bytes, the bytes deserialize to a tree of the
 * size its name says, and that tree's root is the root the chain recorded for (pool, tree, size).
 */
export async function checkSnapshot(file: string, db: Queryable, poseidon: PoseidonHasher, zeros: readonly bigint[]): Promise<SnapshotCheck> {
  const name = parseSnapshotName(file);
  const invalid = (reason: string): SnapshotCheck => ({ valid: false, file, name, reason });
  if (!name) return invalid(`${basename(file)} is not a snapshot name (<pool>-t<tree>-<size>${SNAPSHOT_EXTENSION})`);
  const expected = await expectedChecksum(file);
  if ("reason" in expected) return invalid(expected.reason);
  const data = await readFile(file).catch((error: NodeJS.ErrnoException) => error);
  if (data instanceof Error) return invalid(`cannot read: ${data.code ?? data.message}`);
  const actual = createHash("sha256").update(data).digest("hex");
  if (actual !== expected.sha256) return invalid(`checksum mismatch: the file's sha256 is ${actual}, ${basename(file)}${CHECKSUM_EXTENSION} says ${expected.sha256}`);
  let tree: IndexedTree;
  try {
    tree = IndexedTree.deserialize(data, poseidon, zeros);
  } catch (error) {
    return invalid(`does not deserialize: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (tree.size !== name.size) return invalid(`holds ${tree.size} leaves, its name says ${name.size}`);
  const root = toHex32(tree.root);
  const recorded = await store.rootAt(db, name.pool, name.tree, name.size);
  if (recorded !== root) {
    return invalid(`root ${root} is not the chain's: the database records ${recorded ?? "no root"} for pool ${name.pool} tree ${name.tree} at ${name.size} leaves`);
  }
  return { valid: true, file, name, tree, root, sha256: actual };
}

/** The file's modification time, for a snapshot the catalogue does not know (copied in from a backup). */
export async function modifiedAt(file: string): Promise<Date | null> {
  return (await stat(file).catch(() => null))?.mtime ?? null;
}
