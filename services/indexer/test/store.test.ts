import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openDatabase, type Database } from "@cloak/service-kit";
import { reachableTempDir } from "@cloak/service-testkit";
import { pino } from "pino";
import { IndexerError, IndexerErrorCode } from "../src/errors.ts";
import type { IndexedPool } from "../src/ingest/types.ts";
import { MIGRATIONS_DIR } from "../src/service.ts";
import { store } from "../src/store.ts";

const solPool: IndexedPool = { id: "SoLPooL1111111111111111111111111111111111111", chain: "solana", address: "SoLPooL1111111111111111111111111111111111111", asset: "So11111111111111111111111111111111111111112", label: "sol", startBlock: 5, network: "solana:GenesisA" };

describe("the indexer's pool register", () => {
  let database: Database;

  before(async () => {
    const dir = await reachableTempDir("cloak-indexer-store");
    database = await openDatabase({
      service: "indexer",
      config: { embedded_dir: join(dir, "postgres"), pool_size: 2, timeout: 10_000, max_lifetime: 3_600_000 },
      logger: pino({ level: "silent" }),
      migrationsDir: MIGRATIONS_DIR,
    });
    await database.migrate("up");
  });

  after(() => database?.close());

  it("takes the same pool on the same network again", async () => {
    await store.registerPools(database.pool, [solPool]);
    await store.registerPools(database.pool, [{ ...solPool, label: "sol (renamed)" }]);
    assert.deepEqual((await store.pools(database.pool)).map((pool) => [pool.label, pool.network]), [["sol (renamed)", "solana:GenesisA"]]);
  });

  it("refuses a pool id it indexed on another network (a chain restarted from genesis), naming both", async () => {
    await assert.rejects(store.registerPools(database.pool, [{ ...solPool, network: "solana:GenesisB" }]), (error: unknown) => {
      assert.ok(error instanceof IndexerError);
      assert.equal(error.code, IndexerErrorCode.CHAIN_MISMATCH);
      assert.match(error.message, /^pool sol \(SoLPooL1{37}\): the database indexed it on solana:GenesisA, the deployment is on solana:GenesisB/);
      return true;
    });
    assert.deepEqual((await store.pools(database.pool)).map((pool) => [pool.label, pool.network]), [["sol (renamed)", "solana:GenesisA"]], "nothing was changed");
  });
});
