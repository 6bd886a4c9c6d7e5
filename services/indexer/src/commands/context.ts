// What every recovery command starts from: the config as `start` reads it, the database migrated up,
// and a way to fail with a message and an exit code. Results go to stdout, logs to stderr.
import { getPoseidon, type PoseidonHasher } from "@cloak/sdk";
import { ConfigErrors, createLogger, EXIT, loadConfig, openDatabase, type Database } from "@cloak/service-kit";
import type pg from "pg";
import pino, { type Logger } from "pino";
import type { IndexerConfig } from "../config.ts";
import { WRITER_LOCK_KEY } from "../ingest/writer-lease.ts";
import { MIGRATIONS_DIR, indexerService } from "../service.ts";
import { zeroHashes } from "../tree.ts";

/** A refusal or failure a command reports as `<command>: <message>` and exits with. */
export class CommandFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = "CommandFailure";
  }
}

export interface CommandContext {
  readonly config: IndexerConfig;
  readonly logger: Logger;
  readonly database: Database;
  readonly db: pg.Pool;
  readonly poseidon: PoseidonHasher;
  readonly zeros: readonly bigint[];
  /** One line of the command's result, on stdout. */
  print(line: string): void;
}

/**
 * Runs `body` with the context, then closes the database (and an embedded server) and exits: 0, the
 * failure's exit code with `<command>: <message>` on stderr, or 2 for an invalid config.
 */
export async function runCommand(command: string, configFile: string | undefined, body: (context: CommandContext) => Promise<void>): Promise<never> {
  let config: IndexerConfig;
  try {
    config = loadConfig(indexerService, configFile ? { file: configFile } : {}).config;
  } catch (error) {
    if (!(error instanceof ConfigErrors)) throw error;
    for (const refusal of error.errors) process.stderr.write(`invalid config: ${refusal.message}\n`);
    process.exit(EXIT.invalidConfig);
  }
  const logger = createLogger({ service: indexerService.service, version: indexerService.version, logging: config.logging, destination: pino.destination({ dest: 2, sync: true }) });
  let database: Database | undefined;
  let code: number = EXIT.ok;
  try {
    database = await openDatabase({ service: indexerService.service, config: config.database, logger, migrationsDir: MIGRATIONS_DIR });
    await database.migrate("up");
    const poseidon = await getPoseidon();
    await body({ config, logger, database, db: database.pool, poseidon, zeros: zeroHashes(poseidon), print: (line) => process.stdout.write(`${line}\n`) });
  } catch (error) {
    code = error instanceof CommandFailure ? error.exitCode : EXIT.failure;
    process.stderr.write(`${command}: ${error instanceof Error ? error.message : String(error)}\n`);
  } finally {
    await database?.close().catch(() => undefined);
  }
  process.exit(code);
}

/**
 * Takes the writer lease for the command's changes, so no indexer ingests while they are made and none
 * starts half-way; refuses while an indexer holds it. Returns the connection holding it.
 */
export async function takeWriterLease(db: pg.Pool, command: string): Promise<pg.PoolClient & { releaseLease(): Promise<void> }> {
  const client = await db.connect();
  const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [WRITER_LOCK_KEY.toString()]);
  if (!rows[0]?.locked) {
    client.release();
    throw new CommandFailure(
      `refused: a running indexer holds the writer lease on this database (advisory lock ${WRITER_LOCK_KEY}); stop the indexer (every replica) first, then run ${command} again`,
    );
  }
  return Object.assign(client, {
    async releaseLease() {
      await client.query("SELECT pg_advisory_unlock($1)", [WRITER_LOCK_KEY.toString()]).catch(() => undefined);
      client.release();
    },
  });
}

/** Seconds, minutes, hours or days, as an operator reads an age. */
export function formatAge(from: Date | null, now = Date.now()): string {
  if (!from) return "unknown";
  const seconds = Math.max(0, Math.round((now - from.getTime()) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}
