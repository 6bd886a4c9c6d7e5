import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Child } from "@cloak/service-testkit";
import {
  assertExactlyOnceOnChain,
  corpus,
  nullifiersOf,
  postAll,
  relayDatabase,
  relaySetup,
  startRelay,
  startRelayChain,
  stopRelay,
  waitSettled,
  type RelayChain,
  type RelayDatabase,
} from "./support/relay-chain.ts";

describe("two cloak-relay processes on one PostgreSQL database, one relayer key, over a Hardhat node", () => {
  let chain: RelayChain;
  let database: RelayDatabase;
  const relays: Child[] = [];

  before(async () => {
    chain = await startRelayChain();
    database = await relayDatabase();
  });

  after(async () => {
    for (const relay of relays) await stopRelay(relay);
    await database?.close();
    await chain?.stop();
  });

  it("confirm the corpus's 50 withdrawals posted half to each, each submitted in exactly one transaction", async () => {
    const { section } = database;
    const setups = [await relaySetup(chain, "relay-a", section), await relaySetup(chain, "relay-b", section)];
    // One after the other: the first applies the migrations the second then finds done.
    for (const setup of setups) relays.push(await startRelay(chain, setup));
    const accepted = await postAll((index) => setups[index % 2]!.url, corpus.withdrawals);
    assert.equal(new Set(accepted.map((job) => job.id)).size, 50);

    const jobs = await waitSettled(database.pool, 50);
    assert.deepEqual(
      jobs.filter((job) => job.state !== "confirmed").map((job) => [job.id, job.state, job.reason]),
      [],
      "every job confirmed",
    );
    const mined = await assertExactlyOnceOnChain(chain, jobs);
    assert.equal(mined.length, 50, "one transaction per job, none else");
    const spent = mined.flatMap((tx) => tx.nullifiers).sort();
    assert.deepEqual(spent, corpus.withdrawals.flatMap(nullifiersOf).sort(), "each withdrawal's nullifiers spent once");

    // Both processes submitted: each job's transaction was stored by the one that claimed it.
    const claimers = await database.pool.query<{ owner: string }>("SELECT DISTINCT substring(detail from 'claimed by (\\S+)') AS owner FROM job_events WHERE detail LIKE 'attempt % claimed by %'");
    assert.equal(claimers.rows.length, 2, `both relays claimed jobs: ${JSON.stringify(claimers.rows)}`);
    const attempts = await database.pool.query<{ attempts: number }>("SELECT attempts FROM jobs");
    assert.deepEqual([...new Set(attempts.rows.map((row) => row.attempts))], [1], "each job claimed once");
  });
});
