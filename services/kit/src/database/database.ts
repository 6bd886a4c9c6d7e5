import { resolve } from "node:path";
import pg from "pg";
import { runner } from "node-pg-migrate";
import type { Logger } from "pino";
import type { BaseConfig } from "../config/schema.ts";
import { redactUrl } from "../config/redact.ts";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "./embedded.ts";

export interface Database {
  readonly pool: pg.Pool;
  /** Set when the service started its own embedded PostgreSQL (no DATABASE_URL). */
  readonly embedded: EmbeddedPostgres | undefined;
  /** `healthy` when a trivial query answers within the timeout, else `critical`. */
  check(): Promise<"healthy" | "critical">;
  migrate(direction: "up" | "down", count?: number): Promise<string[]>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  readonly service: string;
  readonly config: BaseConfig["database"];
  readonly logger: Logger;
  /** Folder of the service's migrations (node-pg-migrate files with `up` and `down`). */
  readonly migrationsDir?: string;
}

const MIGRATIONS_TABLE = "schema_migrations";

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const { config, logger } = options;
  const embedded = config.url ? undefined : await startEmbeddedPostgres(config.embedded_dir ?? `.data/${options.service}/postgres`, logger);
  const url = config.url ?? embedded!.url;
  const pool = new pg.Pool({
    connectionString: url,
    max: config.pool_size,
    connectionTimeoutMillis: config.timeout,
    statement_timeout: config.timeout,
    // Client-side too: a server that stops answering (hung, SIGSTOP, network) must not hang a query.
    query_timeout: config.timeout,
    maxLifetimeSeconds: Math.max(1, Math.round(config.max_lifetime / 1000)),
  });
  // An idle connection dropped by the server (restart, network) must not crash the process: the pool
  // replaces it, and /health reports the database while it cannot.
  pool.on("error", (error) => logger.warn({ err: error }, "database: idle connection lost"));
  logger.info({ database: redactUrl(url), embedded: Boolean(embedded) }, "database: pool opened");

  return {
    pool,
    embedded,
    async check() {
      let client: pg.PoolClient | undefined;
      // A connection the server drops while this holds it emits 'error' on the client, unheard once the
      // pool has handed it out: that would end the process just as the probe should answer "critical".
      const dropped = () => undefined;
      try {
        client = await pool.connect();
        client.on("error", dropped);
        await client.query("SELECT 1");
        client.release();
        return "healthy";
      } catch (error) {
        // A connection whose query timed out may still get the late answer: never reuse it.
        client?.release(error as Error);
        return "critical";
      } finally {
        client?.removeListener("error", dropped);
      }
    },
    async migrate(direction, count) {
      if (!options.migrationsDir) return [];
      const client = await pool.connect();
      try {
        const applied = await runner({
          dbClient: client,
          dir: resolve(options.migrationsDir),
          direction,
          count: count ?? (direction === "up" ? Infinity : 1),
          migrationsTable: MIGRATIONS_TABLE,
          singleTransaction: true,
          // Replicas starting together (a restart of several, a crash loop) queue on the lock; the
          // default, "fail", ended every one but the first, though the first's migrations serve all.
          advisoryLockMode: "wait",
          log: (message) => logger.debug({ migration: message }, "database: migration"),
        });
        const names = applied.map((migration) => migration.name);
        if (names.length > 0) logger.info({ direction, migrations: names }, "database: migrations applied");
        return names;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
      await embedded?.stop();
    },
  };
}
