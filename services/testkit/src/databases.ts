// Databases for the services' tests: one per test on the embedded default or DATABASE_URL's server, and
// one several processes share (replicas), which a test can stop and start (an outage).
import { join } from "node:path";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "@cloak/service-kit";
import { pino } from "pino";
import { freshServerDatabase, reachableTempDir } from "./processes.ts";

export type Backend = "embedded" | "server";

/** A database for one test: an embedded PostgreSQL folder, or a fresh database on DATABASE_URL's server. */
export interface TestDatabase {
  readonly backend: Backend;
  /** The `[database]` section pointing at it. */
  readonly section: Record<string, unknown>;
  drop(): Promise<void>;
}

export async function testDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === "server") {
    const created = await freshServerDatabase(process.env.DATABASE_URL!);
    return { backend, section: { url: created.url, pool_size: 5 }, drop: created.drop };
  }
  const dir = await reachableTempDir("cloak-test-db");
  return { backend, section: { embedded_dir: join(dir, "postgres"), pool_size: 5 }, drop: async () => undefined };
}

/**
 * One PostgreSQL several service processes share (replicas): DATABASE_URL's server when set, else a
 * server this test process runs itself (embedded binaries). `restart` is only for the latter: it stops
 * the server, waits, and starts it again on the same port (an outage the services must ride out).
 * `owned` always runs the test's own server (an outage test must not stop CI's shared one).
 */
export interface SharedDatabase extends TestDatabase {
  readonly url: string;
  /** Stops the server (when this test owns it); `start` brings it back on the same port. */
  stopServer?(): Promise<void>;
  startServer?(): Promise<void>;
}

export async function sharedDatabase(options: { owned?: boolean } = {}): Promise<SharedDatabase> {
  if (process.env.DATABASE_URL && !options.owned) {
    const created = await freshServerDatabase(process.env.DATABASE_URL);
    return { backend: "server", url: created.url, section: { url: created.url, pool_size: 5, timeout: "3s" }, drop: created.drop };
  }
  const dir = await reachableTempDir("cloak-test-shared-db");
  const logger = pino({ level: "silent" });
  let server: EmbeddedPostgres = await startEmbeddedPostgres(join(dir, "postgres"), logger);
  const port = Number(new URL(server.url).port);
  return {
    backend: "server",
    url: server.url,
    section: { url: server.url, pool_size: 5, timeout: "3s" },
    drop: () => server.stop(),
    stopServer: () => server.stop(),
    async startServer() {
      server = await startEmbeddedPostgres(join(dir, "postgres"), logger, { port });
    },
  };
}

