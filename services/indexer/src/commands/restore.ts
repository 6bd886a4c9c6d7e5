// `restore --file F`: the runbook's restore_snapshot, for a service whose database is the source of truth.
import { copyFile, mkdir, rename } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import type { serviceCli } from "@cloak/service-kit";
import { catalogue } from "../snapshots/catalogue.ts";
import { CHECKSUM_EXTENSION, checkSnapshot, listSnapshotFiles, parseSnapshotName, SNAPSHOT_EXTENSION } from "../snapshots/files.ts";
import { CommandFailure, runCommand, takeWriterLease, type CommandContext } from "./context.ts";

type Program = ReturnType<typeof serviceCli>;

/** Where restore moves the snapshots newer than the restored one, so the next start cannot prefer them. */
export const SET_ASIDE = "set-aside";

export const RESTORE_HELP = `
What restore means here: the database holds every leaf with its encrypted output, transaction and
block, and the roots the chain recorded; a snapshot holds one tree's hashes only. So the database stays
the source of truth and a snapshot can only stand for leaves the database already has. restore checks
the file (its .sha256, its contents, its root against the root the chain recorded at its size), copies
it into snapshots.dir, and moves any newer snapshot of the same tree to snapshots.dir/${SET_ASIDE}/, so
the next start loads exactly this tree and appends the stored leaves after it (each root checked).
It refuses a snapshot holding more leaves than the database (let the indexer ingest past them, or
restore an older one) and refuses while an indexer holds the writer lease (stop it first). To undo
leaves in the database itself, use replay --from.`;

/** Copies `from` to `to` through a temporary file and a rename, so `to` is never partial. */
async function copyAtomically(from: string, to: string): Promise<void> {
  const temp = `${to}.${process.pid}.tmp`;
  await copyFile(from, temp);
  await rename(temp, to);
}

async function restore(context: CommandContext, file: string): Promise<void> {
  const { config, db, poseidon, zeros, print } = context;
  const name = parseSnapshotName(file);
  if (!name) throw new CommandFailure(`refused: ${basename(file)} is not a snapshot name (<pool>-t<tree>-<size>${SNAPSHOT_EXTENSION})`);
  const lease = await takeWriterLease(db, "restore");
  try {
    const { rows } = await lease.query<{ size: number | null }>("SELECT max(size) AS size FROM roots WHERE pool = $1 AND tree = $2", [name.pool, name.tree]);
    const stored = rows[0]?.size ?? 0;
    if (stored < name.size) {
      throw new CommandFailure(
        `refused: ${file} holds ${name.size} leaves of pool ${name.pool} tree ${name.tree}, but the database has ${stored}; the database is the source of truth for leaves, so a snapshot cannot stand for leaves it does not hold: start the indexer to ingest past ${name.size} leaves, or restore an older snapshot`,
      );
    }
    const check = await checkSnapshot(file, lease, poseidon, zeros);
    if (!check.valid) throw new CommandFailure(`refused: ${file} is invalid: ${check.reason}`);

    const dir = config.snapshots.dir;
    await mkdir(dir, { recursive: true });
    const installed = join(dir, basename(file));
    if (resolve(file) !== resolve(installed)) {
      await copyAtomically(file, installed);
      await copyAtomically(`${file}${CHECKSUM_EXTENSION}`, `${installed}${CHECKSUM_EXTENSION}`);
    }
    await catalogue.record(lease, { ...name, file: installed, root: check.root, sha256: check.sha256 });
    const newer = (await listSnapshotFiles(dir)).filter((other) => other.pool === name.pool && other.tree === name.tree && other.size > name.size);
    if (newer.length > 0) await mkdir(join(dir, SET_ASIDE), { recursive: true });
    for (const other of newer) {
      const target = join(dir, SET_ASIDE, basename(other.file));
      await rename(`${other.file}${CHECKSUM_EXTENSION}`, `${target}${CHECKSUM_EXTENSION}`).catch(() => undefined);
      await rename(other.file, target);
      await catalogue.forget(lease, other.file);
      print(`set aside ${other.file} -> ${target} (newer than the restored snapshot)`);
    }
    print(
      `restored ${installed}: pool ${name.pool} tree ${name.tree}, ${name.size} leaves, root ${check.root}; the next start loads it and appends the ${stored - name.size} stored leaves after it`,
    );
  } finally {
    await lease.releaseLease();
  }
}

export function registerRestore(program: Program): void {
  program
    .command("restore")
    .description("install a verified snapshot as the tree the next start loads (the database stays the source of truth for leaves)")
    .requiredOption("--file <file>", "the snapshot file (its .sha256 beside it)")
    .option("--config <file>", "TOML file")
    .addHelpText("after", RESTORE_HELP)
    .action((options: { config?: string; file: string }) => runCommand("restore", options.config, (context) => restore(context, options.file)));
}
