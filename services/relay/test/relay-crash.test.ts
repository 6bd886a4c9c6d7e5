import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import type { Child } from "@cloak/service-testkit";
import {
  assertExactlyOnceOnChain,
  corpus,
  killRelay,
  postAll,
  relayDatabase,
  relaySetup,
  startRelay,
  startRelayChain,
  stopRelay,
  settledWithReasons,
  type RelayChain,
  type RelayDatabase,
} from "./support/relay-chain.ts";

const KILLS = 20;

describe("a cloak-relay process killed with SIGKILL again and again during a burst of withdrawals", () => {
  let chain: RelayChain;
  let database: RelayDatabase;
  const relays: Array<Promise<Child>> = [];

  before(async () => {
    chain = await startRelayChain();
    database = await relayDatabase();
  });

  after(async () => {
    for (const relay of relays) await stopRelay(await relay.catch(() => undefined));
    await database?.close();
    await chain?.stop();
  });

  it("leaves every accepted job confirmed or failed with a reason, no nullifier in two transactions and no nonce gap", async () => {
    // Two relays on one database, killed in turn: while one restarts the other takes the burst on.
    const { section } = database;
    const setups = [await relaySetup(chain, "relay-crashing-a", section), await relaySetup(chain, "relay-crashing-b", section)];
    for (const setup of setups) relays.push(Promise.resolve(await startRelay(chain, setup)));
    // Wallets keep posting while relays die and come back: each withdrawal until it gets its job, from
    // either relay.
    let posting = true;
    let asked = 0;
    const burst = postAll(() => setups[asked++ % 2]!.url, corpus.withdrawals, 2).finally(() => (posting = false));

    for (let kill = 0; kill < KILLS; kill++) {
      const target = kill % 2;
      const relay = await relays[target]!;
      // Some kills land just after a transaction is stored (before or while it is broadcast), the
      // others after a varying stretch of intake and sending.
      const stored = relay.waitForMessage("evm sender: transaction stored").catch(() => undefined);
      await Promise.race(kill % 3 === 0 && posting ? [stored, sleep(3000)] : [sleep(200 + (kill % 4) * 300)]);
      await killRelay(relay);
      relays[target] = startRelay(chain, setups[target]!);
    }
    await Promise.all(relays);
    const accepted = await burst;
    const jobs = await settledWithReasons(database.pool, accepted);
    const mined = await assertExactlyOnceOnChain(chain, jobs);
    // A job that did not confirm did not spend its nullifiers either: its record tells what the chain did.
    const spent = new Set(mined.filter((tx) => tx.status === 1).flatMap((tx) => tx.nullifiers));
    for (const job of jobs.filter((job) => job.state !== "confirmed")) {
      assert.deepEqual(job.nullifiers.filter((nullifier) => spent.has(nullifier)), [], `job ${job.id} (${job.state}: ${job.reason}) spent nothing`);
    }
    // The kills hit jobs in flight: some were taken over after their holder's lease expired.
    const takenOver = await database.pool.query("SELECT 1 FROM job_events WHERE detail LIKE '%(the lease of % expired)'");
    assert.ok(takenOver.rowCount! > 0, "a killed relay held jobs that a later one took over");
  });
});
