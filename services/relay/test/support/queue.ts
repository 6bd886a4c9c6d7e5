import { join } from "node:path";
import { openDatabase, startEmbeddedPostgres, type Database } from "@cloak/service-kit";
import { freshServerDatabase, reachableTempDir } from "@cloak/service-testkit";
import { pino } from "pino";
import { MIGRATIONS_DIR } from "../../src/service.ts";

export const QUEUE_WORKER = new URL("./queue-worker.ts", import.meta.url).pathname;

/** A migrated relay database for one test file, reachable by URL so child processes can share it. */
export interface QueueDatabase {
  readonly url: string;
  readonly database: Database;
  close(): Promise<void>;
}

/**
 * `embedded`: a PostgreSQL server this test process runs (its children connect to it by URL);
 * `server`: a fresh database on DATABASE_URL's server.
 */
export async function queueDatabase(backend: "embedded" | "server", poolSize = 12): Promise<QueueDatabase> {
  const logger = pino({ level: "silent" });
  let url: string;
  let release: () => Promise<void>;
  if (backend === "server") {
    const created = await freshServerDatabase(process.env.DATABASE_URL!);
    url = created.url;
    release = created.drop;
  } else {
    const server = await startEmbeddedPostgres(join(await reachableTempDir("cloak-relay-queue-db"), "postgres"), logger);
    url = server.url;
    release = () => server.stop();
  }
  const database = await openDatabase({
    service: "relay",
    config: { url, pool_size: poolSize, timeout: 10_000, max_lifetime: 3_600_000 },
    logger,
    migrationsDir: MIGRATIONS_DIR,
  });
  await database.migrate("up");
  return {
    url,
    database,
    async close() {
      await database.close();
      await release();
    },
  };
}
