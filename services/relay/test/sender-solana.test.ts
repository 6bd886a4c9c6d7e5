import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createMetrics } from "@cloak/service-kit";
import { publicInputsOf } from "@cloak/sdk";
import {
  NATIVE_MINT,
  SHIELD_POOL_IDL,
  addRelayerInstruction,
  fetchRegistry,
  fetchClaim,
  fetchConfig,
  mineAndRevealClaim,
  powBatchHash,
  registerMinerInstruction,
  sendSolanaInstructions,
  SolanaTransactionError,
  fetchCommitmentTree,
  poolPda,
  rootIndexOf,
  transactInstruction,
  transactLookupTableAddresses,
  treePda,
  type SolanaProgramIds,
} from "@cloak/sdk/solana";
import { SOLANA_CORPUS_RELAYER, loadSolanaCorpus, solanaExtDataOf, startSolanaCloak, submitSolanaCorpus, type SolanaCloak, type SolanaCorpusEntry } from "@cloak/service-testkit";
import { Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram } from "@solana/web3.js";
import { pino } from "pino";
import { RelayError, RelayErrorCode } from "../src/errors.ts";
import { JobQueue, retryPolicy, type Job } from "../src/queue/index.ts";
import { relayMetrics } from "../src/relay-metrics.ts";
import { CLAIM_MARGIN_SLOTS, PowClaims, SolanaSender, type SolanaTxBuilder } from "../src/senders/solana/index.ts";
import { solanaJobHandler, type SolanaJob } from "../src/solana-handler.ts";
import { workersSection } from "../src/config.ts";
import { queueDatabase, type QueueDatabase } from "./support/queue.ts";

const silent = pino({ level: "silent" });
const corpus = loadSolanaCorpus();

/** The shield pool's message for an error, as the SDK names it in a job's reason. */
function shieldPoolError(name: string): { code: number; msg: string } {
  const found = SHIELD_POOL_IDL.errors.find((error) => error.name === name);
  assert.ok(found, `the shield pool defines ${name}`);
  return found;
}

/** A job's stored request in these tests: which corpus entry it submits (deposits are paid by the relayer key, fee 0). */
const entryRequest = (entry: SolanaCorpusEntry) => ({ pool: corpus.header.pool, kind: entry.kind, index: entry.index });
const parseEntry = (request: unknown): SolanaJob => {
  const { pool, kind, index } = request as ReturnType<typeof entryRequest>;
  const entry = (kind === "deposit" ? corpus.deposits : corpus.withdrawals)[index]!;
  return { pool: new PublicKey(pool), proof: entry.proof, publicSignals: entry.publicSignals.map((signal) => BigInt(signal)), extData: solanaExtDataOf(entry.extData) };
};

describe("the Solana sender", () => {
  let cloak: SolanaCloak;
  let db: QueueDatabase;
  let relayer: Keypair;
  let programIds: Required<SolanaProgramIds>;
  const senders: SolanaSender[] = [];

  before(async () => {
    cloak = await startSolanaCloak({ tokenMint: null });
    programIds = { shieldPool: new PublicKey(cloak.deployment.programs.shieldPool), scrambleRegistry: new PublicKey(cloak.deployment.programs.scrambleRegistry) };
    db = await queueDatabase(process.env.DATABASE_URL ? "server" : "embedded", 6);
    // The corpus' withdrawals name this key as their relayer; registered like any relay's key.
    relayer = SOLANA_CORPUS_RELAYER;
    await cloak.node.airdrop(relayer.publicKey, 100 * LAMPORTS_PER_SOL);
    await sendSolanaInstructions(
      cloak.node.connection,
      { payer: cloak.node.authority, instructions: [await addRelayerInstruction({ programId: programIds.shieldPool, admin: cloak.node.authority.publicKey, relayer: relayer.publicKey })] },
      { programIds },
    );
    // Deposit 0 lands outside the relay: the job replaying it below meets a spent nullifier.
    await submitSolanaCorpus(cloak, { corpus, to: 1 });
  });

  after(async () => {
    for (const sender of senders) sender.close();
    await db?.close();
    await cloak?.node.stop();
  });

  const connection = () => cloak.node.connection;
  const sender = (endpoints: { rpcUrls?: string[]; retries?: number } = {}) => {
    const created = new SolanaSender({
      database: db.database.pool,
      rpcUrls: endpoints.rpcUrls ?? [cloak.node.rpcUrl],
      solana: { timeout: 10_000, retries: endpoints.retries ?? 1, commitment: "confirmed" },
      transaction: { compute_budget_cu: 200_000, priority_fee_microlamports: 1_000 },
      keypair: relayer,
      logger: silent,
      programIds,
      pollIntervalMs: 50,
    });
    senders.push(created);
    return created;
  };
  const transfer =
    (to: PublicKey, lamports: number): SolanaTxBuilder =>
    async () => ({ instructions: [SystemProgram.transfer({ fromPubkey: relayer.publicKey, toPubkey: to, lamports })] });
  const statusOf = async (signature: string) => (await connection().getSignatureStatuses([signature], { searchTransactionHistory: true })).value[0];
  /** The local node passes one block per cloak_advanceSlots call, whatever the slot count. */
  const passBlockHeight = async (height: number) => {
    while ((await connection().getBlockHeight("finalized")) <= height) await cloak.node.advanceSlots(1);
  };

  it("rebroadcasts the transaction stored before a crash instead of signing another, and it lands once", async () => {
    const recipient = Keypair.generate().publicKey;
    const crashed = await sender().prepare("crash", transfer(recipient, 1_000_000));
    assert.equal(await statusOf(crashed.signature), null, "stored, never broadcast");
    const restarted = sender();
    const resent = await restarted.submit("crash", transfer(recipient, 1_000_000));
    assert.deepEqual([resent.signature, resent.rawTx, resent.blockhash], [crashed.signature, crashed.rawTx, crashed.blockhash]);
    const confirmed = await restarted.waitConfirmed("crash", 30_000);
    assert.equal(confirmed.signature, crashed.signature);
    const again = await sender().submit("crash", transfer(recipient, 1_000_000));
    assert.equal(again.signature, crashed.signature, "a retry after landing sends nothing new");
    assert.equal((await restarted.transactions("crash")).length, 1);
    assert.equal(await connection().getBalance(recipient), 1_000_000);
  });

  it("re-signs a job only after its blockhash expired with its signature absent, and the old transaction can no longer land", async () => {
    const recipient = Keypair.generate().publicKey;
    const first = await sender().prepare("expiry", transfer(recipient, 1_000_000));
    await passBlockHeight(first.lastValidBlockHeight);
    const waiting = sender();
    await assert.rejects(waiting.waitConfirmed("expiry", 30_000), (error: unknown) => {
      assert.ok(error instanceof RelayError);
      assert.equal(error.code, RelayErrorCode.SOLANA_BLOCKHASH_EXPIRED);
      assert.match(error.message, new RegExp(`^job expiry: ${first.signature} did not land before block height ${first.lastValidBlockHeight} \\(now \\d+\\); it will be re-signed$`));
      return true;
    });
    const resigned = await sender().submit("expiry", transfer(recipient, 1_000_000));
    assert.notEqual(resigned.signature, first.signature);
    assert.notEqual(resigned.blockhash, first.blockhash);
    assert.deepEqual(
      (await waiting.transactions("expiry")).map((stored) => [stored.signature, stored.replacedBy]),
      [
        [first.signature, resigned.signature],
        [resigned.signature, null],
      ],
    );
    assert.equal((await waiting.waitConfirmed("expiry", 30_000)).signature, resigned.signature);
    await assert.rejects(connection().sendRawTransaction(Buffer.from(first.rawTx, "base64"), { skipPreflight: true, maxRetries: 0 }), /Blockhash not found/);
    assert.equal(await statusOf(first.signature), null);
    assert.equal(await connection().getBalance(recipient), 1_000_000, "paid once");
  });

  it("fails over to the next endpoint when the first does not answer, and reports itself degraded", async () => {
    const recipient = Keypair.generate().publicKey;
    // Nothing listens on port 1: its circuit opens after five failed attempts, then the node answers.
    const failing = sender({ rpcUrls: ["http://127.0.0.1:1", cloak.node.rpcUrl], retries: 6 });
    const sent = await failing.submit("failover", transfer(recipient, 1_000_000));
    assert.equal((await failing.waitConfirmed("failover", 30_000)).signature, sent.signature);
    assert.equal(failing.health(), "degraded");
    assert.equal(await connection().getBalance(recipient), 1_000_000);
  });

  it("creates the relayer's lookup table once and reuses it after a restart", async () => {
    const addresses = transactLookupTableAddresses({ mint: NATIVE_MINT, programId: programIds.shieldPool, registryProgramId: programIds.scrambleRegistry, relayers: [relayer.publicKey], pow: true });
    const table = await sender().lookupTable(addresses);
    const signaturesBefore = (await connection().getSignaturesForAddress(relayer.publicKey)).length;
    const restarted = await sender().lookupTable(addresses);
    assert.equal(restarted.key.toBase58(), table.key.toBase58());
    assert.deepEqual(restarted.state.addresses.map(String), table.state.addresses.map(String));
    assert.equal((await connection().getSignaturesForAddress(relayer.publicKey)).length, signaturesBefore, "nothing sent on the restart");
    const { rows } = await db.database.pool.query<{ address: string }>("SELECT address FROM solana_lookup_tables WHERE authority = $1", [relayer.publicKey.toBase58()]);
    assert.deepEqual(rows, [{ address: table.key.toBase58() }]);
  });

  it("finds a miner's revealed claim for a withdrawal, and refuses when none is usable or it expired", async () => {
    const registryProgramId = programIds.scrambleRegistry;
    const claims = new PowClaims({ read: (call) => call(connection()), registryProgramId, pow: { claim_cache_ttl: 60_000, search_timeout: 300 }, commitment: "confirmed", logger: silent, pollIntervalMs: 50 });
    const batch = powBatchHash([1n, 2n]);
    const none = `no claim of registry ${registryProgramId.toBase58()} usable by this withdrawal (revealed, not fully consumed, for its batch or any, valid ${CLAIM_MARGIN_SLOTS} more slots) within 300 ms`;
    await assert.rejects(claims.find(batch), { name: "RelayError", code: RelayErrorCode.POW_CLAIM_NOT_FOUND, message: none });
    const miner = await cloak.node.fundedKeypair(1);
    await sendSolanaInstructions(connection(), { payer: miner, instructions: [await registerMinerInstruction({ programId: registryProgramId, authority: miner.publicKey })] }, { programIds });
    const mined = await mineAndRevealClaim(connection(), miner, { registryProgramId, programIds });
    const found = await claims.find(batch);
    assert.deepEqual([found.claim.toBase58(), found.minerAuthority.toBase58()], [mined.claim.toBase58(), miner.publicKey.toBase58()]);
    const claim = (await fetchClaim(connection(), mined.claim, { programId: registryProgramId }))!;
    await cloak.node.advanceSlots(Number(claim.expiresAtSlot - CLAIM_MARGIN_SLOTS) - (await connection().getSlot()) + 1);
    claims.invalidate();
    await assert.rejects(claims.find(batch), { name: "RelayError", code: RelayErrorCode.POW_CLAIM_NOT_FOUND, message: none });
  });

  it("fails a job whose transaction landed with a program error, naming the program and the error", async () => {
    const entry = corpus.deposits[1]!;
    const build = depositTransact(entry);
    // Both stored while neither has landed (each simulates cleanly), then both sent: the second meets the first's nullifiers.
    const racing = sender();
    const first = await racing.prepare("race-first", build);
    // A new blockhash, or the two would be the same bytes and signature.
    await cloak.node.advanceSlots(1);
    const second = await racing.prepare("race-second", build);
    await racing.submit("race-first", build);
    await racing.submit("race-second", build);
    assert.equal((await racing.waitConfirmed("race-first", 30_000)).signature, first.signature);
    const spent = shieldPoolError("NullifierAlreadySpent");
    await assert.rejects(racing.waitConfirmed("race-second", 30_000), (error: unknown) => {
      assert.ok(error instanceof SolanaTransactionError);
      assert.equal(error.message, `shield_pool error ${spent.code} NullifierAlreadySpent (instruction 2): ${spent.msg} [confirm ${second.signature}]`);
      assert.equal(error.programId?.toBase58(), programIds.shieldPool.toBase58());
      return true;
    });
  });

  describe("the job handler", () => {
    let queue: JobQueue;
    let metrics: ReturnType<typeof relayMetrics>;
    let registry: ReturnType<typeof createMetrics>["registry"];

    before(() => {
      queue = new JobQueue(db.database.pool, retryPolicy(workersSection.parse({})));
      const service = createMetrics();
      registry = service.registry;
      metrics = relayMetrics(service, queue);
    });

    const claims = () => new PowClaims({ read: (call) => call(connection()), registryProgramId: programIds.scrambleRegistry, pow: { claim_cache_ttl: 60_000, search_timeout: 5_000 }, commitment: "confirmed", logger: silent, pollIntervalMs: 50 });
    const handler = (options: { pow?: PowClaims | null } = {}) =>
      solanaJobHandler({
        queue,
        sender: sender(),
        parse: parseEntry,
        programId: programIds.shieldPool,
        registryProgramId: programIds.scrambleRegistry,
        commitment: "confirmed",
        pow: options.pow === undefined ? claims() : options.pow,
        timeoutMs: 30_000,
        metrics,
        logger: silent,
        isLastAttempt: () => false,
      });
    const claimJob = async (entry: SolanaCorpusEntry): Promise<Job> => {
      const { job } = await queue.enqueue({ chain: "solana", pool: corpus.header.pool, nullifiers: entry.publicSignals.slice(3, 5), fee: BigInt(entry.extData.fee), request: entryRequest(entry) });
      const [claimed] = await queue.claim("test", 1, 60_000);
      assert.equal(claimed?.id, job.id);
      return claimed!;
    };
    const run = async (job: Job, pow?: PowClaims | null) => handler({ pow })(job, { signal: new AbortController().signal, queue });

    it("confirms a job, records its signature as sent and observes its compute units", async () => {
      const job = await claimJob(corpus.deposits[2]!);
      const outcome = await run(job);
      const sent = await queue.get(job.id);
      assert.equal(sent?.state, "sent");
      const stored = await sender().transactions(job.id);
      assert.equal(stored.length, 1);
      assert.deepEqual(outcome, { status: "confirmed", detail: `${stored[0]!.signature} in slot ${(await statusOf(stored[0]!.signature))!.slot}` });
      assert.equal(sent?.txHash, stored[0]!.signature);
      assert.match(await registry.metrics(), /^relay_solana_compute_units_count 1$/m);
    });

    it("fails a job whose transaction the program refuses, for good, with the program's error as the reason", async () => {
      const job = await claimJob(corpus.deposits[0]!);
      const outcome = await run(job);
      const spent = shieldPoolError("NullifierAlreadySpent");
      assert.deepEqual(outcome, { status: "failed", reason: `shield_pool error ${spent.code} NullifierAlreadySpent (instruction 2): ${spent.msg} [simulate]`, retryable: false });
      assert.deepEqual(await sender().transactions(job.id), [], "nothing stored or sent");
    });

    it("consumes a miner's revealed claim with a relayed withdrawal when the pool requires it: recipient, relayer and miner paid exactly", async () => {
      // The withdrawals are proven against the root after every deposit; 0-2 landed above.
      await submitSolanaCorpus(cloak, { corpus, from: 3 });
      const registryProgramId = programIds.scrambleRegistry;
      assert.equal((await fetchConfig(connection(), { programId: programIds.shieldPool }))?.powRequired, 1);
      const miner = await cloak.node.fundedKeypair(1);
      await sendSolanaInstructions(connection(), { payer: miner, instructions: [await registerMinerInstruction({ programId: registryProgramId, authority: miner.publicKey })] }, { programIds });
      const mined = await mineAndRevealClaim(connection(), miner, { registryProgramId, programIds });
      const withdrawal = corpus.withdrawals[0]!;
      const { recipient, extAmount, fee } = solanaExtDataOf(withdrawal.extData);
      // A new miner's accounts join the lookup table first (its rent is the table's, not the withdrawal's).
      await sender().lookupTable(transactLookupTableAddresses({ mint: NATIVE_MINT, programId: programIds.shieldPool, registryProgramId, relayers: [relayer.publicKey], miners: [miner.publicKey] }));
      const balances = () => Promise.all([recipient, relayer.publicKey, miner.publicKey].map((key) => connection().getBalance(key)));
      const before = await balances();
      const job = await claimJob(withdrawal);
      const outcome = await run(job);
      assert.equal(outcome.status, "confirmed", JSON.stringify(outcome));
      const [stored] = await sender().transactions(job.id);
      const landed = await connection().getTransaction(stored!.signature, { maxSupportedTransactionVersion: 0, commitment: "confirmed" });
      const share = (fee * BigInt((await fetchRegistry(connection(), { programId: registryProgramId }))!.minerFeeShareBps)) / 10_000n;
      const rent = BigInt(await connection().getMinimumBalanceForRentExemption(40));
      const after = await balances();
      assert.deepEqual(
        after.map((balance, i) => BigInt(balance - before[i]!)),
        [-extAmount, fee - share - BigInt(landed!.meta!.fee) - 2n * rent, share],
      );
      assert.equal((await fetchClaim(connection(), mined.claim, { programId: registryProgramId }))?.consumedCount, 1);
      const exposition = await registry.metrics();
      assert.match(exposition, /^pow_claims_found_total 1$/m);
      assert.match(exposition, /^pow_claims_consumed_total 1$/m);
    });

    it("fails a withdrawal for good when the pool requires proof of work but [pow] is disabled", async () => {
      const job = await claimJob(corpus.withdrawals[1]!);
      assert.deepEqual(await run(job, null), {
        status: "failed",
        reason: `program ${programIds.shieldPool.toBase58()} requires a PoW claim for relayed withdrawals, but [pow] enabled = false`,
        retryable: false,
      });
    });

    it("retries a withdrawal while no claim is usable (the only one expired)", async () => {
      const slot = BigInt(await connection().getSlot());
      // Every claim mined so far expires within 1,500 slots of its reveal (the deploy's claim window).
      await cloak.node.advanceSlots(1_600);
      assert.ok(BigInt(await connection().getSlot()) > slot + 1_500n);
      const job = await claimJob(corpus.withdrawals[2]!);
      const quick = new PowClaims({ read: (call) => call(connection()), registryProgramId: programIds.scrambleRegistry, pow: { claim_cache_ttl: 60_000, search_timeout: 200 }, commitment: "confirmed", logger: silent, pollIntervalMs: 50 });
      assert.deepEqual(await run(job, quick), {
        status: "failed",
        reason: `no claim of registry ${programIds.scrambleRegistry.toBase58()} usable by this withdrawal (revealed, not fully consumed, for its batch or any, valid ${CLAIM_MARGIN_SLOTS} more slots) within 200 ms`,
        retryable: true,
      });
      assert.deepEqual(await sender().transactions(job.id), [], "nothing stored or sent");
    });
  });

  /** A corpus deposit's transact, at the root's current position, as the handler builds it. */
  function depositTransact(entry: SolanaCorpusEntry): SolanaTxBuilder {
    const job = parseEntry(entryRequest(entry));
    const publicInputs = publicInputsOf(job.publicSignals);
    const pool = poolPda(NATIVE_MINT, programIds.shieldPool)[0];
    return async () => {
      const tree = await fetchCommitmentTree(connection(), treePda(pool, programIds.shieldPool)[0], { programId: programIds.shieldPool });
      const rootIndex = rootIndexOf(tree!, publicInputs.root)!;
      const instruction = await transactInstruction({ programId: programIds.shieldPool, mint: NATIVE_MINT, payer: relayer.publicKey, transaction: { proof: job.proof, publicInputs, extData: job.extData }, rootIndex });
      return { instructions: [instruction], tableAddresses: transactLookupTableAddresses({ mint: NATIVE_MINT, programId: programIds.shieldPool }) };
    };
  }
});
