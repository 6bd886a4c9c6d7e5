/**
 * Commits rows into the embedded PostgreSQL as fast as it can and prints each id once its commit is
 * acknowledged, until it is killed. The crash test kills it (and the server) with SIGKILL mid-commit.
 */
import pg from "pg";
import pino from "pino";
import { startEmbeddedPostgres } from "../../src/index.ts";

const [dataDir] = process.argv.slice(2);
const startedAt = performance.now();
const embedded = await startEmbeddedPostgres(dataDir!, pino({ level: "silent" }));
const pool = new pg.Pool({ connectionString: embedded.url, max: 4 });
await pool.query("CREATE TABLE IF NOT EXISTS acknowledged (id bigint PRIMARY KEY)");
let next = Number((await pool.query("SELECT coalesce(max(id), 0) AS last FROM acknowledged")).rows[0].last) + 1;
process.stdout.write(`${JSON.stringify({ msg: "ready", serverPid: embedded.pid, startMs: Math.round(performance.now() - startedAt) })}\n`);

async function commitForever(): Promise<never> {
  for (;;) {
    const id = next++;
    await pool.query("INSERT INTO acknowledged (id) VALUES ($1)", [id]);
    process.stdout.write(`${JSON.stringify({ msg: "ack", id })}\n`);
  }
}
await Promise.all([commitForever(), commitForever(), commitForever(), commitForever()]);
