// What the recovery commands start from: the kit's command context (config, database migrated up,
// stdout for results, CommandFailure for refusals) plus the pool and the tree hash.
import { getPoseidon, type PoseidonHasher } from "@cloak/sdk";
import { CommandFailure, runServiceCommand, type ServiceCommandContext } from "@cloak/service-kit";
import type pg from "pg";
import type { IndexerConfig } from "../config.ts";
import { WRITER_LOCK_KEY } from "../ingest/writer-lease.ts";
import { indexerService } from "../service.ts";
import { zeroHashes } from "../tree.ts";

export { CommandFailure };

export interface CommandContext extends ServiceCommandContext<IndexerConfig> {
  readonly db: pg.Pool;
  readonly poseidon: PoseidonHasher;
  readonly zeros: readonly bigint[];
}

/** The kit's command runner with what the indexer's commands add: the pool and the tree hash. */
export function runCommand(command: string, configFile: string | undefined, body: (context: CommandContext) => Promise<void>): Promise<never> {
  return runServiceCommand(indexerService, command, configFile, async (context) => {
    const poseidon = await getPoseidon();
    await body({ ...context, db: context.database.pool, poseidon, zeros: zeroHashes(poseidon) });
  });
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
