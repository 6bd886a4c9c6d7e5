import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import pg from "pg";
import pino from "pino";
import { startEmbeddedPostgres } from "../src/index.ts";
import { reachableTempDir, runTs } from "./support/processes.ts";

const WRITER = new URL("./support/crash-writer.ts", import.meta.url).pathname;
const ROUNDS = 6;
const ACKS_PER_ROUND = 40;

describe("embedded PostgreSQL under kill -9", () => {
  it("keeps every acknowledged commit when the service, or the service and its server, are killed mid-commit", async (t) => {
    const dataDir = join(await reachableTempDir("kit-crash"), "postgres");
    const acknowledged = new Set<number>();
    for (let round = 0; round < ROUNDS; round++) {
      const writer = runTs(WRITER, ["embedded-postgres", dataDir], { cwd: process.cwd() });
      const ready = await writer.waitForMessage("ready");
      const before = acknowledged.size;
      await writer.waitFor((line) => {
        if (line.msg === "ack") acknowledged.add(line.id as number);
        return acknowledged.size - before >= ACKS_PER_ROUND;
      });
      // Odd rounds leave the server running, orphaned, as a killed service does; the next start must stop it.
      const killServer = round % 2 === 0;
      writer.process.kill("SIGKILL");
      if (killServer) process.kill(ready.serverPid as number, "SIGKILL");
      await writer.exited;
      for (const line of writer.lines) if (line.msg === "ack") acknowledged.add(line.id as number);
      t.diagnostic(`round ${round}: start ${ready.startMs} ms, killed the service${killServer ? " and its server" : ""} after ${acknowledged.size - before} acknowledged commits`);
    }

    const embedded = await startEmbeddedPostgres(dataDir, pino({ level: "silent" }));
    const client = new pg.Client({ connectionString: embedded.url });
    await client.connect();
    const stored = new Set((await client.query("SELECT id FROM acknowledged")).rows.map((row) => Number(row.id)));
    await client.end();
    await embedded.stop();
    const lost = [...acknowledged].filter((id) => !stored.has(id));
    assert.deepEqual(lost, []);
    assert.ok(acknowledged.size >= ROUNDS * ACKS_PER_ROUND);
  });
});
