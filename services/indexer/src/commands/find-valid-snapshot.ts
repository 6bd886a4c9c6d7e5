// `find-valid-snapshot [--verify-all]`: the runbook's "identify last good state", per tree.
import type { serviceCli } from "@cloak/service-kit";
import { catalogue } from "../snapshots/catalogue.ts";
import { checkSnapshot, listSnapshotFiles, type SnapshotFile } from "../snapshots/files.ts";
import { CommandFailure, formatAge, runCommand, type CommandContext } from "./context.ts";
import { takenAt } from "./snapshot.ts";

type Program = ReturnType<typeof serviceCli>;

async function findValid(context: CommandContext, verifyAll: boolean): Promise<void> {
  const { config, db, poseidon, zeros, print } = context;
  const files = await listSnapshotFiles(config.snapshots.dir);
  if (files.length === 0) throw new CommandFailure(`no snapshots in ${config.snapshots.dir}`);
  const rows = await catalogue.rows(db);
  const groups = new Map<string, SnapshotFile[]>();
  for (const file of files) groups.set(`${file.pool}\0${file.tree}`, [...(groups.get(`${file.pool}\0${file.tree}`) ?? []), file]);
  const missing: string[] = [];
  const invalid: string[] = [];
  for (const group of groups.values()) {
    const { pool, tree } = group[0]!;
    let found = false;
    // Newest first: without --verify-all the search stops at the first valid one.
    for (const candidate of group) {
      if (found && !verifyAll) break;
      const check = await checkSnapshot(candidate.file, db, poseidon, zeros);
      if (!check.valid) {
        invalid.push(candidate.file);
        print(`invalid: ${candidate.file}: ${check.reason}`);
      } else if (!found) {
        found = true;
        print(`pool ${pool} tree ${tree}: ${candidate.file} (${candidate.size} leaves, root ${check.root}, taken ${formatAge(await takenAt(candidate.file, rows))} ago)`);
      } else print(`valid: ${candidate.file}`);
    }
    if (!found) missing.push(`pool ${pool} tree ${tree}`);
  }
  if (verifyAll) print(`${files.length} snapshots checked, ${invalid.length} invalid`);
  if (missing.length > 0) throw new CommandFailure(`no valid snapshot of ${missing.join(", ")}: a start rebuilds those trees from the database`);
}

export function registerFindValidSnapshot(program: Program): void {
  program
    .command("find-valid-snapshot")
    .description("the newest valid snapshot of each tree (the one a start would use); --verify-all checks every file and lists the invalid ones; exit 1 if a tree has none")
    .option("--config <file>", "TOML file")
    .option("--verify-all", "check every snapshot, not only down to the newest valid one")
    .action((options: { config?: string; verifyAll?: boolean }) => runCommand("find-valid-snapshot", options.config, (context) => findValid(context, Boolean(options.verifyAll))));
}
