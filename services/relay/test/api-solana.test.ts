import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Keypair as SolanaKeypair } from "@solana/web3.js";
import { JsonRpcProvider } from "ethers";
import { pino } from "pino";
import { createMetrics, createServer, type ServiceServer } from "@cloak/service-kit";
import { releaseProvingResources } from "@cloak/sdk";
import { NATIVE_MINT, addRelayerInstruction } from "@cloak/sdk/solana";
import { SOLANA_CORPUS_RELAYER, startSolanaCloak, submitSolanaCorpus, type SolanaCloak } from "@cloak/service-testkit";
import { registerRelayRoutes, type SolanaApiOptions } from "../src/api/routes.ts";
import { EvmIntake, SolanaIntake, bundledVerificationKey, quoteSolana, solanaIntakeDeployment, type SolanaIntakeDeployment } from "../src/intake/index.ts";
import { JobQueue, retryPolicy } from "../src/queue/index.ts";
import { relayMetrics } from "../src/relay-metrics.ts";
import { workersSection } from "../src/config.ts";
import { queueDatabase, type QueueDatabase } from "./support/queue.ts";
import { asAuthority, solanaCorpus as corpus, solanaRequestOf as requestOf } from "./support/solana.ts";

// The API's Solana side on a real local node, a real queue database and the real intake: the routes a
// wallet calls (info, quote, transact), with the corpus's relayed withdrawals. The EVM side is present
// but serves no pool here; its own tests cover it.

const FEES = { margin_percent: 20, quote_ttl: 60_000, token_prices: {} };
const TRANSACTION = { compute_budget_cu: 400_000, priority_fee_microlamports: 1000 };

/** The relay's routes on the kit's server; EVM present but serving no pool (an unreachable endpoint the Solana requests must never touch). */
async function apiServer(queue: JobQueue, solana?: SolanaApiOptions): Promise<ServiceServer> {
  const metrics = createMetrics();
  const server = await createServer({
    service: "relay",
    version: "0.1.0",
    server: { port: 0, host: "127.0.0.1", workers: 1, rate_limit_per_ip: 1000, rate_limit_window: 60_000, cors_origins: [] },
    logger: pino({ level: "silent" }),
    metrics,
    probes: {},
  });
  const noEvmPool = () => Promise.reject(new Error("no EVM pool"));
  const evmRelayer = "0x0000000000000000000000000000000000000003";
  registerRelayRoutes({
    app: server.app,
    queue,
    intake: new EvmIntake({
      provider: new JsonRpcProvider("http://127.0.0.1:9"),
      deployment: { chainId: 1n, orchestrator: "0x0000000000000000000000000000000000000001", verifier: "0x0000000000000000000000000000000000000002", pools: [] },
      relayer: evmRelayer,
      verificationKey: bundledVerificationKey(),
      quote: noEvmPool,
    }),
    pools: [],
    relayer: evmRelayer,
    chainId: 1n,
    quote: noEvmPool,
    metrics: relayMetrics(metrics, queue),
    version: "0.1.0",
    limits: { max_body_bytes: 65_536 },
    ...(solana ? { solana } : {}),
  });
  await server.app.ready();
  return server;
}

describe("the relay API serving Solana", () => {
  let cloak: SolanaCloak;
  let deployment: SolanaIntakeDeployment;
  let db: QueueDatabase;
  let server: ServiceServer;
  let withoutSolana: ServiceServer;
  const relayer = SOLANA_CORPUS_RELAYER.publicKey;
  const solPool = () => deployment.pools.find((pool) => pool.mint === NATIVE_MINT.toBase58())!;
  const quote = () => quoteSolana({ connection: cloak.node.connection, fees: FEES, transaction: TRANSACTION, deployment, pool: solPool() });

  before(async () => {
    cloak = await startSolanaCloak({ tokenMint: null, powRequired: false });
    deployment = solanaIntakeDeployment(cloak.deploymentFile);
    await asAuthority(cloak, await addRelayerInstruction({ programId: deployment.shieldPool, admin: cloak.node.authority.publicKey, relayer }));
    await submitSolanaCorpus(cloak);
    db = await queueDatabase(process.env.DATABASE_URL ? "server" : "embedded", 4);
    const queue = new JobQueue(db.database.pool, retryPolicy(workersSection.parse({})));
    const solanaIntake = new SolanaIntake({ connection: cloak.node.connection, deployment, relayer, verificationKey: bundledVerificationKey(), quote });
    server = await apiServer(queue, { intake: solanaIntake, relayer: relayer.toBase58(), program: deployment.shieldPool.toBase58(), quote: () => quote() });
    withoutSolana = await apiServer(queue);
  });

  after(async () => {
    await server?.app.close();
    await withoutSolana?.app.close();
    await db?.close();
    await cloak?.node.stop();
    await releaseProvingResources();
  });

  it("names the Solana program, this relay's key and the SOL pool in /api/v1/info", async () => {
    const response = await server.app.inject({ method: "GET", url: "/api/v1/info" });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json().chains.solana, { program: corpus.header.shieldPoolProgram, relayer: relayer.toBase58(), pools: [{ address: corpus.header.pool, mint: NATIVE_MINT.toBase58() }] });
  });

  it("quotes the SOL pool by its base58 account with its compute budget and priority fee", async () => {
    const expected = await quote();
    const response = await server.app.inject({ method: "GET", url: `/api/v1/quote?pool=${corpus.header.pool}` });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.deepEqual({ ...body, expiresAt: undefined }, { pool: corpus.header.pool, chain: "solana", kind: "withdraw", fee: expected.fee.toString(), expiresAt: undefined, computeUnits: "400000", priorityFeeMicrolamports: "1000" });
  });

  it("accepts a corpus withdrawal as a queued Solana job, and answers the same job when it is posted again", async () => {
    const request = requestOf(corpus.withdrawals[0]!);
    const first = await server.app.inject({ method: "POST", url: "/api/v1/transact", payload: request });
    assert.equal(first.statusCode, 202);
    const { job, created } = first.json();
    assert.equal(created, true);
    assert.deepEqual({ chain: job.chain, pool: job.pool, state: job.state }, { chain: "solana", pool: corpus.header.pool, state: "queued" });
    const again = await server.app.inject({ method: "POST", url: "/api/v1/transact", payload: request });
    assert.equal(again.statusCode, 200);
    assert.deepEqual({ id: again.json().job.id, created: again.json().created }, { id: job.id, created: false });
  });

  it("answers 400 with the intake's code and reason for a withdrawal naming another relayer", async () => {
    const request = requestOf(corpus.withdrawals[1]!);
    const other = SolanaKeypair.generate().publicKey.toBase58();
    request.extData.relayer = other;
    const response = await server.app.inject({ method: "POST", url: "/api/v1/transact", payload: request });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json(), { error: "WRONG_RELAYER", message: `extData.relayer: ${other} is not this relay (${relayer.toBase58()}), so it would not earn the fee` });
  });

  it("answers 400 for a Solana withdrawal when the relay does not serve Solana", async () => {
    const response = await withoutSolana.app.inject({ method: "POST", url: "/api/v1/transact", payload: requestOf(corpus.withdrawals[1]!) });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json(), { error: "INVALID_REQUEST", message: "chain: this relay does not serve Solana" });
  });

  it("leaves Solana out of /api/v1/info when the relay does not serve it", async () => {
    const response = await withoutSolana.app.inject({ method: "GET", url: "/api/v1/info" });
    assert.equal(response.json().chains.solana, undefined);
  });

  it("answers 503 DRAINING for a new withdrawal while the relay drains, and still answers a known withdrawal's job", async () => {
    const known = await server.app.inject({ method: "POST", url: "/api/v1/transact", payload: requestOf(corpus.withdrawals[0]!) });
    await db.database.pool.query("UPDATE relay_control SET draining = true");
    try {
      const refused = await server.app.inject({ method: "POST", url: "/api/v1/transact", payload: requestOf(corpus.withdrawals[2]!) });
      assert.equal(refused.statusCode, 503);
      assert.deepEqual(refused.json(), { error: "DRAINING", message: "the relay is draining and takes no new withdrawals; try another relay, or later" });
      const again = await server.app.inject({ method: "POST", url: "/api/v1/transact", payload: requestOf(corpus.withdrawals[0]!) });
      assert.deepEqual([again.statusCode, again.json().job.id], [200, known.json().job.id]);
    } finally {
      await db.database.pool.query("UPDATE relay_control SET draining = false");
    }
  });

  it("answers 413 for a body over limiter.max_body_bytes, before reading it as a withdrawal", async () => {
    const request = requestOf(corpus.withdrawals[3]!);
    const oversized = JSON.stringify({ ...request, padding: "x".repeat(65_536) });
    const response = await server.app.inject({ method: "POST", url: "/api/v1/transact", payload: oversized, headers: { "content-type": "application/json" } });
    assert.equal(response.statusCode, 413);
    assert.deepEqual(response.json(), { error: "BODY_TOO_LARGE", field: "body", message: "body: larger than this route's limit of 65536 bytes" });
  });
});
