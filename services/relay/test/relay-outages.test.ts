import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import type { Child } from "@cloak/service-testkit";
import {
  assertExactlyOnceOnChain,
  corpus,
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
import { startRpcProxy } from "./support/rpc-proxy.ts";

async function readiness(relay: Child, url: string, ready: boolean): Promise<{ status: number; reasons: string[] }> {
  // A bound so a relay that never turns fails the test instead of hanging it.
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (relay.process.exitCode !== null || relay.process.signalCode !== null) {
      throw new Error(`the relay exited (${relay.process.exitCode ?? relay.process.signalCode}): ${relay.stderr.slice(-2000)} ${relay.stdoutText.slice(-5).join("\n")}`);
    }
    const answer = await fetch(`${url}/ready`).catch(() => undefined);
    if (answer) {
      const body = (await answer.json()) as { ready: boolean; reasons?: string[] };
      if (body.ready === ready) return { status: answer.status, reasons: body.reasons ?? [] };
    }
    if (Date.now() > deadline) throw new Error(`/ready never answered ready = ${ready}`);
    await sleep(200);
  }
}

describe("cloak-relay through outages of its RPC endpoint and its database, over a Hardhat node", () => {
  let chain: RelayChain;
  const relays: Child[] = [];
  const databases: RelayDatabase[] = [];

  before(async () => {
    chain = await startRelayChain();
  });

  after(async () => {
    for (const relay of relays) await stopRelay(relay);
    for (const database of databases) await database.close();
    await chain?.stop();
  });

  it("fails over to its second RPC URL when the first dies mid-burst, and confirms every job", async () => {
    const database = await relayDatabase();
    databases.push(database);
    const primary = await startRpcProxy(chain.node.port);
    const setup = await relaySetup(chain, "relay-failover", database.section, { rpcUrls: [primary.url, chain.node.url], evm: { timeout: "2s", retries: 3 } });
    const relay = await startRelay(chain, setup);
    relays.push(relay);
    const entries = corpus.withdrawals.slice(0, 25);
    const burst = postAll(() => setup.url, entries, 2);
    // Bounded, so a relay that confirms nothing fails the test instead of hanging it.
    const deadline = Date.now() + 90_000;
    while (Number((await database.pool.query("SELECT count(*) FROM jobs WHERE state = 'confirmed'")).rows[0].count) < 3) {
      if (Date.now() > deadline) throw new Error("no job confirmed before the primary was to be killed");
      await sleep(100);
    }
    await primary.kill();
    const acceptedBeforeKill = Number((await database.pool.query("SELECT count(*) FROM jobs")).rows[0].count);
    assert.ok(acceptedBeforeKill < entries.length, "the primary died mid-burst");

    const accepted = await burst;
    const jobs = await waitSettled(database.pool, entries.length);
    assert.deepEqual(jobs.map((job) => job.id).sort(), accepted.map((job) => job.id).sort());
    assert.deepEqual(
      jobs.filter((job) => job.state !== "confirmed").map((job) => [job.id, job.state, job.reason]),
      [],
      "every job confirmed",
    );
    await assertExactlyOnceOnChain(chain, jobs);
    assert.ok(
      relay.lines.some((line) => line.msg === "rpc endpoint failing: circuit open" && line.endpoint === `${primary.url}/`),
      "the dead primary's circuit opened: calls went to the second URL",
    );
  });

  it("answers /ready 503 naming the database while its PostgreSQL is stopped, then ready again and confirms every job taken before", async () => {
    // The test's own server: stopping CI's shared one would pull it from under every other test.
    const owned = await relayDatabase({ owned: true });
    databases.push(owned);
    // The kit's connect timeout from sharedDatabase (3 s): /ready answers soon while the server is away.
    const setup = await relaySetup(chain, "relay-db-restart", owned.shared.section);
    const relay = await startRelay(chain, setup);
    relays.push(relay);
    const accepted = await postAll(() => setup.url, corpus.withdrawals.slice(25), 2);

    await owned.shared.stopServer!();
    const down = await readiness(relay, setup.url, false);
    assert.deepEqual(down, { status: 503, reasons: ["database unavailable"] });
    await sleep(2000);
    await owned.shared.startServer!();
    assert.deepEqual(await readiness(relay, setup.url, true), { status: 200, reasons: [] });

    const jobs = await waitSettled(owned.pool, accepted.length);
    assert.deepEqual(jobs.map((job) => job.id).sort(), accepted.map((job) => job.id).sort(), "no job lost");
    assert.deepEqual(
      jobs.filter((job) => job.state !== "confirmed").map((job) => [job.id, job.state, job.reason]),
      [],
      "every job confirmed",
    );
    await assertExactlyOnceOnChain(chain, jobs);
  });
});
