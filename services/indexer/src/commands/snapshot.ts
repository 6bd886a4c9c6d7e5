// `snapshot create|list|verify`: the runbook's capture_snapshot and verify_backups, for tree snapshots.
import { existsSync } from "node:fs";
import { basename } from "node:path";
import type { serviceCli } from "@cloak/service-kit";
import { treeBuilder } from "../service.ts";
import { catalogue, type CatalogueRow } from "../snapshots/catalogue.ts";
import { checkSnapshot, listSnapshotFiles, modifiedAt, type SnapshotCheck } from "../snapshots/files.ts";
import { snapshotSource, takeSnapshot } from "../snapshots/snapshotter.ts";
import { IndexerState } from "../state.ts";
import { store } from "../store.ts";
import { CommandFailure, formatAge, runCommand, type CommandContext } from "./context.ts";

type Program = ReturnType<typeof serviceCli>;

/** Checks each file (the folder's, by pool, tree and newest first, or the ones given). */
export async function checkFiles(context: CommandContext, files?: readonly string[]): Promise<SnapshotCheck[]> {
  const paths = files ?? (await listSnapshotFiles(context.config.snapshots.dir)).map((found) => found.file);
  const checks: SnapshotCheck[] = [];
  for (const file of paths) {
    checks.push(existsSync(file) ? await checkSnapshot(file, context.db, context.poseidon, context.zeros) : { valid: false, file, name: null, reason: "no such file" });
  }
  return checks;
}

/** When a snapshot was taken: its catalogue row's time, else (copied in) its file's modification time. */
export async function takenAt(file: string, rows: ReadonlyMap<string, CatalogueRow>): Promise<Date | null> {
  return rows.get(basename(file))?.createdAt ?? (await modifiedAt(file));
}

async function create(context: CommandContext, only: string | undefined): Promise<void> {
  const { db, config, poseidon, zeros, logger, print } = context;
  const all = await store.pools(db);
  const pools = only === undefined ? all : all.filter((pool) => pool.id === only || pool.label === only);
  if (all.length === 0) throw new CommandFailure("nothing to snapshot: the database has no pools yet (start the indexer once)");
  if (pools.length === 0) throw new CommandFailure(`no pool ${only} in the database (pools: ${all.map((pool) => `${pool.label} ${pool.id}`).join(", ")})`);
  // The trees as a start would have them: from the committed leaves (and the newest valid snapshot), every root checked.
  const state = await IndexerState.load(db, pools, poseidon, zeros, treeBuilder(poseidon, zeros), snapshotSource(config.snapshots.dir, poseidon, zeros, logger));
  for (const entry of state.pools) {
    for (const [number, tree] of entry.trees.trees.entries()) {
      if (tree.size === 0) {
        print(`pool ${entry.pool.label} (${entry.pool.id}) tree ${number}: no leaves, nothing to snapshot`);
        continue;
      }
      const written = await takeSnapshot(db, config.snapshots, entry.pool.id, number, tree);
      print(`created ${written.file}: pool ${entry.pool.label} (${entry.pool.id}) tree ${number}, ${written.size} leaves, root ${written.root}, sha256 ${written.sha256}`);
      for (const file of written.pruned) print(`removed ${file} (more than snapshots.keep = ${config.snapshots.keep})`);
    }
  }
}

async function list(context: CommandContext): Promise<void> {
  const checks = await checkFiles(context);
  if (checks.length === 0) return context.print(`no snapshots in ${context.config.snapshots.dir}`);
  const rows = await catalogue.rows(context.db);
  context.print(["pool", "tree", "size", "root", "age", "file", "valid"].join("\t"));
  for (const check of checks) {
    const name = check.name!;
    const root = check.valid ? check.root : (rows.get(basename(check.file))?.root ?? "?");
    context.print([name.pool, name.tree, name.size, root, formatAge(await takenAt(check.file, rows)), check.file, check.valid ? "yes" : `no: ${check.reason}`].join("\t"));
  }
}

async function verify(context: CommandContext, file: string | undefined): Promise<void> {
  const checks = await checkFiles(context, file === undefined ? undefined : [file]);
  if (checks.length === 0) throw new CommandFailure(`no snapshots in ${context.config.snapshots.dir}`);
  for (const check of checks) {
    context.print(check.valid ? `ok ${check.file}: ${check.name.size} leaves, root ${check.root}` : `INVALID ${check.file}: ${check.reason}`);
  }
  const invalid = checks.filter((check) => !check.valid);
  if (invalid.length > 0) throw new CommandFailure(`${invalid.length} of ${checks.length} snapshots invalid: ${invalid.map((check) => check.file).join(", ")}`);
}

export function registerSnapshotCommands(program: Program): void {
  const snapshot = program.command("snapshot").description("tree snapshots: create, list, verify (files in snapshots.dir, each with a .sha256)");
  snapshot
    .command("create")
    .description("snapshot every tree (or one pool's) from the database's committed leaves, each checked against the chain's recorded root; applies snapshots.keep")
    .option("--config <file>", "TOML file")
    .option("--pool <pool>", "only this pool (id or label)")
    .action((options: { config?: string; pool?: string }) => runCommand("snapshot create", options.config, (context) => create(context, options.pool)));
  snapshot
    .command("list")
    .description("every snapshot: pool, tree, size, root, age, file, and whether it is valid (checksum, contents, root)")
    .option("--config <file>", "TOML file")
    .action((options: { config?: string }) => runCommand("snapshot list", options.config, list));
  snapshot
    .command("verify")
    .description("check every snapshot (or --file): its .sha256 matches, it deserializes, its root is the one the chain recorded at its size; exit 1 if any is invalid")
    .option("--config <file>", "TOML file")
    .option("--file <file>", "only this snapshot file")
    .action((options: { config?: string; file?: string }) => runCommand("snapshot verify", options.config, (context) => verify(context, options.file)));
}
