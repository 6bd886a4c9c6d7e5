// What the relay's robustness tests share: one Hardhat node per test file with Cloak deployed and the
// corpus's 512 deposits in (so its 50 withdrawals are valid), real `cloak-relay` processes started as an
// operator starts them, the corpus's withdrawals posted to them, and an audit of what reached the chain.
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Interface, JsonRpcProvider, getAddress, type TransactionResponse } from "ethers";
import pg from "pg";
import { stringify } from "smol-toml";
import {
  EVM_RELAYER,
  deployEvm,
  freePort,
  reachableTempDir,
  runTs,
  sharedDatabase,
  startHardhatNode,
  submitEvmCorpus,
  type Child,
  type EvmCorpusEntry,
  type EvmDeployment,
  type HardhatNode,
  type SharedDatabase,
} from "@cloak/service-testkit";
import { corpus, requestOf, writeRelayerKeystore } from "./evm.ts";

const RELAY_MAIN = new URL("../../src/main.ts", import.meta.url).pathname;

const TRANSACT = new Interface([
  "function transact((uint256[2] pA, uint256[2][2] pB, uint256[2] pC, bytes32 root, bytes32[2] inputNullifiers, bytes32[2] outputCommitments) proof, (uint256 chainId, address pool, address recipient, int256 extAmount, address relayer, uint256 fee, bytes encryptedOutput1, bytes encryptedOutput2) extData) payable",
]);

export interface RelayChain {
  readonly node: HardhatNode;
  readonly deployment: EvmDeployment;
  readonly provider: JsonRpcProvider;
  readonly dir: string;
  /** The head when the relay's work begins: the audit reads the relayer's transactions from here on. */
  readonly startBlock: number;
  /** The relayer's nonce then: its transactions from here on must use the nonces that follow, each once. */
  readonly startNonce: number;
  stop(): Promise<void>;
}

/** A Hardhat node with Cloak deployed and the corpus's deposits in: the withdrawals' root is on chain. */
export async function startRelayChain(): Promise<RelayChain> {
  const dir = mkdtempSync(join(tmpdir(), "cloak-relay-robust-"));
  const node = await startHardhatNode();
  const deployment = await deployEvm(node.url, dir);
  await submitEvmCorpus(node.url, deployment, { concurrency: 4 });
  const provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  const startBlock = await provider.getBlockNumber();
  const startNonce = await provider.getTransactionCount(EVM_RELAYER, "latest");
  return {
    node,
    deployment,
    provider,
    dir,
    startBlock,
    startNonce,
    async stop() {
      provider.destroy();
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The relays' shared PostgreSQL database, with a connection of the test's own to read their jobs. */
export interface RelayDatabase {
  readonly shared: SharedDatabase;
  readonly pool: pg.Pool;
  /** The relays' `[database]` section (the connect timeout at the default: a loaded machine takes a while). */
  readonly section: Record<string, unknown>;
  close(): Promise<void>;
}

/** DATABASE_URL's server on CI (else one this test runs); `owned`: always the test's own, which it can stop. */
export async function relayDatabase(options: { owned?: boolean } = {}): Promise<RelayDatabase> {
  const shared = await sharedDatabase(options);
  const pool = new pg.Pool({ connectionString: shared.url, max: 2 });
  // A stopped server's lost connections are reported here, not thrown.
  pool.on("error", () => undefined);
  return {
    shared,
    pool,
    section: { ...shared.section, timeout: "30s" },
    async close() {
      await pool.end();
      await shared.drop();
    },
  };
}

/** One relay's configuration file and where it listens. */
export interface RelaySetup {
  readonly configFile: string;
  readonly port: number;
  readonly url: string;
}

/**
 * Writes a relay configuration: `database` is the `[database]` section (several relays may share one),
 * `rpcUrls` the EVM endpoints in order of preference.
 */
export async function relaySetup(chain: RelayChain, name: string, database: Record<string, unknown>, options: { rpcUrls?: string[]; workers?: Record<string, unknown>; evm?: Record<string, unknown> } = {}): Promise<RelaySetup> {
  const keys = await writeRelayerKeystore(await reachableTempDir("cloak-relay-keys"));
  const port = await freePort();
  const configFile = join(chain.dir, `${name}.toml`);
  const config = {
    server: { port, rate_limit_per_ip: 100_000 },
    database,
    evm: { rpc_urls: options.rpcUrls ?? [chain.node.url], chain_id: Number(chain.deployment.chainId), confirmations: 0, deployment: chain.deployment.path, ...options.evm },
    keys: { evm_keystore: keys.keystore, evm_password_file: keys.passwordFile },
    // The corpus pays 1e14 wei: quote at 0.1 gwei a gas so its fee covers the quote.
    fees: { evm_gas_price_wei: "100000000" },
    workers: { initial_backoff: "200ms", ...options.workers },
  };
  writeFileSync(configFile, stringify(config));
  return { configFile, port, url: `http://127.0.0.1:${port}` };
}

/** `cloak-relay start --config <file>`, once it says it started. */
export async function startRelay(chain: Pick<RelayChain, "dir">, setup: RelaySetup): Promise<Child> {
  const relay = runTs(RELAY_MAIN, ["start", "--config", setup.configFile], { cwd: chain.dir });
  if (process.env.RELAY_TEST_LOG) relay.process.stdout!.on("data", (chunk: Buffer) => appendFileSync(process.env.RELAY_TEST_LOG!, chunk));
  await relay.waitForMessage("relay: started");
  return relay;
}

export async function stopRelay(relay: Child | undefined): Promise<void> {
  if (!relay || relay.process.exitCode !== null || relay.process.signalCode !== null) return;
  relay.process.kill("SIGTERM");
  await relay.exited;
}

export async function killRelay(relay: Child): Promise<void> {
  if (relay.process.exitCode !== null || relay.process.signalCode !== null) return;
  relay.process.kill("SIGKILL");
  await relay.exited;
}

/** The answer of POST /api/v1/transact when it took the withdrawal (202 new, 200 the same job again). */
export interface Accepted<Entry = EvmCorpusEntry> {
  readonly id: string;
  readonly entry: Entry;
}

/** The wallet's request for an entry; the EVM corpus's unless a test posts another chain's. */
type RequestOf<Entry> = (entry: Entry) => unknown;
const evmRequestOf = (entry: unknown): unknown => requestOf(entry as EvmCorpusEntry);

/**
 * Posts a corpus withdrawal to the relay at `url()` until it answers with a job: a relay that is down
 * or restarting (connection refused or reset) is asked again, as a wallet would; any other answer fails.
 */
export async function postUntilAccepted<Entry = EvmCorpusEntry>(url: () => string, entry: Entry, deadlineMs = 120_000, request: RequestOf<Entry> = evmRequestOf): Promise<Accepted<Entry>> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    let answer: Response | undefined;
    try {
      answer = await fetch(`${url()}/api/v1/transact`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(request(entry)) });
    } catch {
      // Down (connection refused, or reset by a kill): ask again.
    }
    if (answer) {
      const body = (await answer.json().catch(() => ({}))) as { job?: { id?: string }; code?: string; message?: string };
      if ((answer.status === 202 || answer.status === 200) && body.job?.id) return { id: body.job.id, entry };
      // A relay whose chain or database does not answer yet says 503: ask again.
      if (answer.status !== 503) throw new Error(`transact answered ${answer.status}: ${JSON.stringify(body)}`);
    }
    if (Date.now() > deadline) throw new Error("the relay never took the withdrawal");
    await sleep(100);
  }
}

/** Posts every entry with postUntilAccepted, `concurrency` at a time (a steady burst, as wallets would send). */
export async function postAll<Entry = EvmCorpusEntry>(url: (index: number) => string, entries: readonly Entry[], concurrency = 4, request: RequestOf<Entry> = evmRequestOf): Promise<Array<Accepted<Entry>>> {
  const accepted: Array<Accepted<Entry>> = new Array(entries.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < entries.length; index = next++) accepted[index] = await postUntilAccepted(() => url(index), entries[index]!, undefined, request);
    }),
  );
  return accepted;
}

export interface JobRecord {
  id: string;
  state: string;
  reason: string | null;
  tx_hash: string | null;
  nullifiers: string[];
}

/** The jobs as the relay's database holds them. */
export async function jobRecords(database: pg.Pool): Promise<JobRecord[]> {
  return (await database.query<JobRecord>("SELECT id, state, reason, tx_hash, nullifiers FROM jobs ORDER BY created_at")).rows;
}

/** Waits until no job is queued, processing or sent (a bound so a lost job fails instead of hanging). */
export async function waitSettled(database: pg.Pool, count: number, timeoutMs = 150_000): Promise<JobRecord[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await jobRecords(database);
    if (jobs.length >= count && jobs.every((job) => ["confirmed", "failed", "dead", "cancelled"].includes(job.state))) return jobs;
    if (Date.now() > deadline) throw new Error(`jobs not settled: ${JSON.stringify(jobs.map((job) => job.state))}`);
    await sleep(250);
  }
}

/**
 * After a burst with crashes: waits until the accepted jobs settle, and checks that each withdrawal has
 * its one job and that every job not confirmed failed (or died) with a reason. Returns the jobs.
 */
export async function settledWithReasons(database: pg.Pool, accepted: ReadonlyArray<{ readonly id: string }>): Promise<JobRecord[]> {
  const jobs = await waitSettled(database, accepted.length);
  assert.deepEqual(
    jobs.map((job) => job.id).sort(),
    accepted.map((job) => job.id).sort(),
    "every withdrawal got one job",
  );
  for (const job of jobs) {
    if (job.state === "confirmed") continue;
    assert.ok(["failed", "dead"].includes(job.state), `job ${job.id} ${job.state}`);
    assert.match(job.reason ?? "", /\S/, `job ${job.id} ${job.state} with a reason`);
  }
  return jobs;
}

/** One transaction the relayer's account got mined, with the nullifiers its call spends (none for a transfer). */
export interface MinedRelayerTx {
  readonly hash: string;
  readonly nonce: number;
  readonly status: number;
  readonly nullifiers: readonly string[];
}

/** Every transaction of the relayer mined after `chain.startBlock`, in chain order. */
export async function relayerTransactions(chain: RelayChain): Promise<MinedRelayerTx[]> {
  const head = await chain.provider.getBlockNumber();
  const mined: MinedRelayerTx[] = [];
  for (let number = chain.startBlock + 1; number <= head; number++) {
    const block = (await chain.provider.getBlock(number, true))!;
    for (const tx of block.prefetchedTransactions as TransactionResponse[]) {
      if (getAddress(tx.from) !== EVM_RELAYER) continue;
      const receipt = (await chain.provider.getTransactionReceipt(tx.hash))!;
      const call = tx.to && getAddress(tx.to) === getAddress(chain.deployment.pool) ? TRANSACT.parseTransaction({ data: tx.data }) : null;
      const nullifiers = call ? (call.args[0].inputNullifiers as string[]).map((nullifier) => nullifier.toLowerCase()) : [];
      mined.push({ hash: tx.hash, nonce: tx.nonce, status: receipt.status ?? 0, nullifiers });
    }
  }
  return mined;
}

/** A corpus withdrawal's nullifiers as the pool and the queue write them (0x, 32 bytes, lower case). */
export function nullifiersOf(entry: EvmCorpusEntry): string[] {
  return [entry.publicSignals[3]!, entry.publicSignals[4]!].map((signal) => `0x${BigInt(signal).toString(16).padStart(64, "0")}`);
}

/**
 * What exactly-once means on chain: the relayer's transactions since the start use the nonces after
 * `startNonce` each once with none skipped (the account's nonce is their count, nothing left pending),
 * no nullifier is in two of them, and every confirmed job's transaction is mined, succeeded and spends
 * that job's nullifiers. Returns the mined transactions.
 */
export async function assertExactlyOnceOnChain(chain: RelayChain, jobs: readonly JobRecord[]): Promise<MinedRelayerTx[]> {
  const mined = await relayerTransactions(chain);
  assert.deepEqual(
    mined.map((tx) => tx.nonce),
    mined.map((_, index) => chain.startNonce + index),
    "the relayer's nonces follow each other, each used once",
  );
  const latest = await chain.provider.getTransactionCount(EVM_RELAYER, "latest");
  assert.equal(latest, chain.startNonce + mined.length, "the account's nonce is the number of its mined transactions");
  assert.equal(await chain.provider.getTransactionCount(EVM_RELAYER, "pending"), latest, "nothing left pending behind a gap");
  const spentIn = new Map<string, string>();
  for (const tx of mined) {
    for (const nullifier of tx.nullifiers) {
      assert.equal(spentIn.get(nullifier), undefined, `nullifier ${nullifier} in ${spentIn.get(nullifier)} and again in ${tx.hash}`);
      spentIn.set(nullifier, tx.hash);
    }
  }
  const byHash = new Map(mined.map((tx) => [tx.hash, tx]));
  for (const job of jobs.filter((job) => job.state === "confirmed")) {
    const tx = byHash.get(job.tx_hash ?? "");
    assert.ok(tx, `confirmed job ${job.id}: its transaction ${job.tx_hash} is the relayer's, mined`);
    assert.equal(tx.status, 1, `confirmed job ${job.id}: ${tx.hash} succeeded`);
    assert.deepEqual([...tx.nullifiers].sort(), [...job.nullifiers].sort(), `confirmed job ${job.id}: ${tx.hash} spends its nullifiers`);
  }
  return mined;
}

export { corpus };
