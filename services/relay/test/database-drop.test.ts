import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { inTransaction } from "../src/senders/database.ts";
import { queueDatabase, type QueueDatabase } from "./support/queue.ts";

describe("a database connection dropped by the server while the relay holds it", () => {
  let db: QueueDatabase;
  let admin: pg.Pool;

  before(async () => {
    db = await queueDatabase(process.env.DATABASE_URL ? "server" : "embedded");
    admin = new pg.Pool({ connectionString: db.url, max: 1 });
    // The test's own pool: its idle connection ends with the server at the end of the file.
    admin.on("error", () => undefined);
  });
  after(async () => {
    await admin?.end();
    await db?.close();
  });

  it("fails the transaction that held it, and the process lives on to run the next one", async () => {
    // Unhandled, pg's 'error' event on a handed-out connection ended the relay when its PostgreSQL stopped.
    await assert.rejects(
      inTransaction(db.database.pool, async (client) => {
        const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
        await admin.query("SELECT pg_terminate_backend($1)", [rows[0]!.pid]);
        // The drop arrives while no query runs on the connection: only the 'error' event tells of it.
        await sleep(300);
        await client.query("SELECT 1");
      }),
      (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, /^(Connection terminated unexpectedly|terminating connection due to administrator command|Client has encountered a connection error and is not queryable)$/);
        return true;
      },
    );
    assert.deepEqual(await inTransaction(db.database.pool, async (client) => (await client.query<{ one: number }>("SELECT 1 AS one")).rows), [{ one: 1 }]);
  });
});
