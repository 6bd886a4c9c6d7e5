import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pino from "pino";
import { openDatabase, type Database } from "../src/index.ts";
import { BACKENDS, freshServerDatabase, reachableTempDir } from "./support/processes.ts";

const MIGRATIONS = new URL("./example/migrations", import.meta.url).pathname;
const quiet = pino({ level: "silent" });

async function tableExists(database: Database, table: string): Promise<boolean> {
  const result = await database.pool.query("SELECT to_regclass($1) IS NOT NULL AS exists", [table]);
  return result.rows[0].exists as boolean;
}

for (const backend of BACKENDS) {
  describe(`database on the ${backend === "embedded" ? "embedded default" : "PostgreSQL server in DATABASE_URL"}`, () => {
    let database: Database;
    let dropServerDatabase: (() => Promise<void>) | undefined;

    before(async () => {
      let url: string | undefined;
      if (backend === "server") {
        const fresh = await freshServerDatabase(process.env.DATABASE_URL!);
        url = fresh.url;
        dropServerDatabase = fresh.drop;
      }
      const config = { pool_size: 4, timeout: 10_000, max_lifetime: 60_000, ...(url ? { url } : { embedded_dir: join(await reachableTempDir("kit-db"), "postgres") }) };
      database = await openDatabase({ service: "example", config, logger: quiet, migrationsDir: MIGRATIONS });
    });
    after(async () => {
      await database?.close();
      await dropServerDatabase?.();
    });

    it("migrates up, down and up again, recording each step", async () => {
      assert.deepEqual(await database.migrate("up"), ["1765000000000_entries"]);
      assert.equal(await tableExists(database, "entries"), true);
      assert.deepEqual(await database.migrate("up"), []);
      assert.deepEqual(await database.migrate("down"), ["1765000000000_entries"]);
      assert.equal(await tableExists(database, "entries"), false);
      assert.deepEqual(await database.migrate("up"), ["1765000000000_entries"]);
      const recorded = await database.pool.query("SELECT name FROM schema_migrations");
      assert.deepEqual(recorded.rows, [{ name: "1765000000000_entries" }]);
    });

    it("lets two migrations started at once both succeed, the second waiting for the first's", async () => {
      assert.deepEqual(await database.migrate("down"), ["1765000000000_entries"]);
      const results = await Promise.all([database.migrate("up"), database.migrate("up")]);
      assert.deepEqual(results.map((names) => names.join()).sort(), ["", "1765000000000_entries"]);
      assert.equal(await tableExists(database, "entries"), true);
    });

    it("reports the database healthy while it answers", async () => {
      assert.equal(await database.check(), "healthy");
    });
  });
}
