// The recovery commands run as an operator runs them (a child process of src/main.ts), and the
// database opened directly where a test has to damage it.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadConfig, openDatabase, type Database } from "@cloak/service-kit";
import { runTs, type HardhatNode } from "@cloak/service-testkit";
import pino from "pino";
import { MIGRATIONS_DIR, indexerService } from "../../src/service.ts";
import { INDEXER_MAIN, type IndexerProcess, type TestDatabase } from "./indexer.ts";

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string[];
  /** stderr lines that are not JSON log lines (the command's own failure message). */
  readonly errors: string[];
}

export async function runCli(args: string[], cwd: string): Promise<CliResult> {
  const child = runTs(INDEXER_MAIN, args, { cwd });
  const { code } = await child.exited;
  const errors = child.stderr.split("\n").filter((line) => line !== "" && !line.startsWith("{") && !line.startsWith("bigint:"));
  return { code, stdout: child.stdoutText, errors };
}

/**
 * The database a config file names (the indexer must be stopped when it is the embedded one). The
 * file alone, as the children read it: the test's own DATABASE_URL must not redirect it.
 */
export async function openConfiguredDatabase(configFile: string): Promise<Database> {
  const { config } = loadConfig(indexerService, { file: configFile, env: {} });
  return openDatabase({ service: "indexer", config: config.database, logger: pino({ level: "silent" }), migrationsDir: MIGRATIONS_DIR });
}

/** Inverts one byte of a file, as disk corruption would. */
export function flipByte(file: string, offset: number): void {
  const data = readFileSync(file);
  data[offset] = data[offset]! ^ 0xff;
  writeFileSync(file, data);
}

/** Stops whatever a test file started, in order, and removes its folder. */
export async function tearDown(started: { indexer?: IndexerProcess; node?: HardhatNode; database?: TestDatabase; dir?: string }): Promise<void> {
  await started.indexer?.stop();
  await started.node?.stop();
  await started.database?.drop();
  if (started.dir) rmSync(started.dir, { recursive: true, force: true });
}
