import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import type { Child } from "@cloak/service-testkit";
import { killRelay, postAll, relayDatabase, settledWithReasons, startRelay, stopRelay, waitSettled, type RelayDatabase } from "./support/relay-chain.ts";
import { assertOneLandingPerJob, mineClaims, relaySolanaSetup, solanaNullifiersOf, startEvmSide, startRelaySolanaChain, type EvmSide, type RelaySolanaChain } from "./support/relay-solana-chain.ts";
import { solanaCorpus, solanaRequestOf } from "./support/solana.ts";

const WITHDRAWALS = solanaCorpus.withdrawals;
const KILLS = 12;

// Each scenario spends the corpus's withdrawals on a Solana node of its own; the two are made ready
// together (one Hardhat node for both relays' idle EVM side).
let evmSide: EvmSide;
let chains: RelaySolanaChain[] = [];

before(async () => {
  evmSide = await startEvmSide();
  chains = await Promise.all([startRelaySolanaChain(evmSide), startRelaySolanaChain(evmSide)]);
});

after(async () => {
  for (const chain of chains) await chain.stop();
  await evmSide?.stop();
});

describe("two cloak-relay processes on one PostgreSQL database, one Solana relayer key, over the local Solana node", () => {
  let chain: RelaySolanaChain;
  let database: RelayDatabase;
  const relays: Child[] = [];

  before(async () => {
    chain = chains[0]!;
    await mineClaims(chain);
    database = await relayDatabase();
  });

  after(async () => {
    for (const relay of relays) await stopRelay(relay);
    await database?.close();
  });

  it("confirm the corpus's 24 Solana withdrawals posted half to each, each submitted in exactly one transaction", async () => {
    const { section } = database;
    const setups = [await relaySolanaSetup(chain, "relay-a", section), await relaySolanaSetup(chain, "relay-b", section)];
    // One after the other: the first applies the migrations the second then finds done.
    for (const setup of setups) relays.push(await startRelay(chain, setup));
    const accepted = await postAll((index) => setups[index % 2]!.url, WITHDRAWALS, 4, solanaRequestOf);
    assert.equal(new Set(accepted.map((job) => job.id)).size, WITHDRAWALS.length);

    const jobs = await waitSettled(database.pool, WITHDRAWALS.length);
    assert.deepEqual(
      jobs.filter((job) => job.state !== "confirmed").map((job) => [job.id, job.state, job.reason]),
      [],
      "every job confirmed",
    );
    const landed = await assertOneLandingPerJob(chain, database.pool, jobs);
    assert.equal(landed.length, WITHDRAWALS.length, "one transaction per job landed, none else");
    assert.deepEqual(landed.flatMap((tx) => tx.nullifiers).sort(), WITHDRAWALS.flatMap(solanaNullifiersOf).sort(), "each withdrawal's nullifiers recorded once");

    const claimers = await database.pool.query<{ owner: string }>("SELECT DISTINCT substring(detail from 'claimed by (\\S+)') AS owner FROM job_events WHERE detail LIKE 'attempt % claimed by %'");
    assert.equal(claimers.rows.length, 2, `both relays claimed jobs: ${JSON.stringify(claimers.rows)}`);
  });
});

describe("a Solana-serving cloak-relay process killed with SIGKILL again and again during a burst of withdrawals", () => {
  let chain: RelaySolanaChain;
  let database: RelayDatabase;
  const relays: Array<Promise<Child>> = [];

  before(async () => {
    chain = chains[1]!;
    await mineClaims(chain);
    database = await relayDatabase();
  });

  after(async () => {
    for (const relay of relays) await stopRelay(await relay.catch(() => undefined));
    await database?.close();
  });

  it("leaves every accepted job confirmed or failed with a reason, no nullifier in two transactions and no job landed twice", async (t) => {
    // Two relays on one database, killed in turn: while one restarts the other takes the burst on.
    const { section } = database;
    const setups = [await relaySolanaSetup(chain, "relay-crashing-a", section), await relaySolanaSetup(chain, "relay-crashing-b", section)];
    for (const setup of setups) relays.push(Promise.resolve(await startRelay(chain, setup)));
    let posting = true;
    let asked = 0;
    const burst = postAll(() => setups[asked++ % 2]!.url, WITHDRAWALS, 2, solanaRequestOf).finally(() => (posting = false));

    const unsettled = async () => (await database.pool.query("SELECT 1 FROM jobs WHERE state IN ('queued', 'processing', 'sent')")).rowCount! > 0;
    let killsInFlight = 0;
    for (let kills = 0; kills < KILLS; kills++) {
      const target = kills % 2;
      const relay = await relays[target]!;
      // Some kills land just after a transaction is stored (before or while it is broadcast), the
      // others after a varying stretch of intake and sending.
      const stored = relay.waitForMessage("solana sender: transaction stored").catch(() => undefined);
      await Promise.race(kills % 3 === 0 && posting ? [stored, sleep(3000)] : [sleep(200 + (kills % 4) * 300)]);
      if (posting || (await unsettled())) killsInFlight++;
      await killRelay(relay);
      relays[target] = startRelay(chain, setups[target]!);
    }
    // How many of the kills met withdrawals not yet posted or jobs not yet settled.
    t.diagnostic(`${killsInFlight} of ${KILLS} kills during the burst`);
    await Promise.all(relays);
    const accepted = await burst;
    const jobs = await settledWithReasons(database.pool, accepted);
    t.diagnostic(`${jobs.filter((job) => job.state === "confirmed").length} of ${jobs.length} jobs confirmed`);
    for (const job of jobs.filter((job) => job.state !== "confirmed")) t.diagnostic(`${job.state}: ${job.reason}`);
    await assertOneLandingPerJob(chain, database.pool, jobs);
    const takenOver = await database.pool.query("SELECT 1 FROM job_events WHERE detail LIKE '%(the lease of % expired)'");
    assert.ok(takenOver.rowCount! > 0, "a killed relay held jobs that a later one took over");
  });
});
