import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Keypair as ShieldedKeypair, RelayerClient, getPoseidon, loadBundledProver, releaseProvingResources, toHex32 } from "@cloak/sdk";
import { SolanaShieldPoolClient, fetchClaim, fetchRegistry, mineAndRevealClaim, registerMinerInstruction, sendSolanaInstructions } from "@cloak/sdk/solana";
import { openDatabase, type Database } from "@cloak/service-kit";
import {
  SOLANA_CORPUS_RELAYER,
  deployEvm,
  freePort,
  loadSolanaCorpus,
  registerSolanaRelayer,
  runTs,
  sharedDatabase,
  solanaExtDataOf,
  startHardhatNode,
  startSolanaCloak,
  submitSolanaCorpus,
  writeSolanaRelayerKeypair,
  type Child,
  type EvmDeployment,
  type HardhatNode,
  type SharedDatabase,
  type SolanaCloak,
} from "@cloak/service-testkit";
import { Keypair, LAMPORTS_PER_SOL, PublicKey } from "@solana/web3.js";
import { pino } from "pino";
import { stringify } from "smol-toml";
import { JobQueue, retryPolicy } from "../src/queue/index.ts";
import { workersSection } from "../src/config.ts";
import { MIGRATIONS_DIR } from "../src/service.ts";
import { writeRelayerKeystore } from "./support/evm.ts";

const RELAY_MAIN = new URL("../src/main.ts", import.meta.url).pathname;
const corpus = loadSolanaCorpus();


describe("the relay serving Solana beside EVM", () => {
  let node: HardhatNode;
  let evm: EvmDeployment;
  let cloak: SolanaCloak;
  let shared: SharedDatabase;
  let database: Database;
  let relay: Child;
  let url: string;
  let dir: string;
  let miner: Keypair;
  let claim: PublicKey;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "cloak-relay-solana-"));
    node = await startHardhatNode();
    evm = await deployEvm(node.url, dir);
    cloak = await startSolanaCloak({ tokenMint: null });
    const programIds = { shieldPool: new PublicKey(cloak.deployment.programs.shieldPool), scrambleRegistry: new PublicKey(cloak.deployment.programs.scrambleRegistry) };
    // The corpus' withdrawals are proven against the root after every deposit, for its relayer key.
    await submitSolanaCorpus(cloak, { corpus });
    const connection = cloak.node.connection;
    await registerSolanaRelayer(cloak.node, cloak.deployment, SOLANA_CORPUS_RELAYER.publicKey);
    miner = await cloak.node.fundedKeypair(1);
    await sendSolanaInstructions(connection, { payer: miner, instructions: [await registerMinerInstruction({ programId: programIds.scrambleRegistry, authority: miner.publicKey })] }, { programIds });
    claim = (await mineAndRevealClaim(connection, miner, { registryProgramId: programIds.scrambleRegistry, programIds })).claim;

    shared = await sharedDatabase();
    database = await openDatabase({ service: "relay", config: { url: shared.url, pool_size: 2, timeout: 10_000, max_lifetime: 3_600_000 }, logger: pino({ level: "silent" }), migrationsDir: MIGRATIONS_DIR });
    const keys = await writeRelayerKeystore(dir);
    const keypairFile = writeSolanaRelayerKeypair(dir);
    const port = await freePort();
    const configFile = join(dir, "relay.toml");
    writeFileSync(
      configFile,
      stringify({
        server: { port },
        database: { url: shared.url, pool_size: 5 },
        evm: { rpc_urls: [node.url], chain_id: Number(evm.chainId), confirmations: 0, deployment: evm.path },
        solana: { rpc_urls: [cloak.node.rpcUrl], deployment: cloak.deploymentFile, commitment: "confirmed" },
        keys: { evm_keystore: keys.keystore, evm_password_file: keys.passwordFile, solana_keypair: keypairFile },
        // Below what the local node's airdrop leaves the key, so /ready is 200.
        balance: { solana_warning_lamports: "2000000000", solana_critical_lamports: "1000000000" },
        workers: { count: 2 },
      }),
    );
    relay = runTs(RELAY_MAIN, ["start", "--config", configFile], { cwd: dir });
    await relay.waitForMessage("relay: started");
    url = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    // The wallet's round trip proves in this process; snarkjs' worker threads would keep it alive.
    await releaseProvingResources();
    if (relay && relay.process.exitCode === null) {
      relay.process.kill("SIGTERM");
      await relay.exited;
    }
    await database?.close();
    await shared?.drop();
    await cloak?.node.stop();
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reports its Solana endpoint, relayer balance and lookup table in /health", async () => {
    const health = (await (await fetch(`${url}/health`)).json()) as { services: { rpc: Record<string, string> }; relayer?: { solana?: { address: string; lookup_table: string; balance_lamports: string } } };
    assert.deepEqual(health.services.rpc, { evm: "healthy", solana: "healthy" });
    const solana = health.relayer?.solana;
    assert.equal(solana?.address, SOLANA_CORPUS_RELAYER.publicKey.toBase58());
    const { rows } = await database.pool.query<{ address: string }>("SELECT address FROM solana_lookup_tables WHERE authority = $1", [SOLANA_CORPUS_RELAYER.publicKey.toBase58()]);
    assert.deepEqual(rows, [{ address: solana?.lookup_table }]);
    assert.equal(BigInt(solana!.balance_lamports), BigInt(await cloak.node.connection.getBalance(SOLANA_CORPUS_RELAYER.publicKey)));
  });

  it("submits a queued Solana withdrawal through its workers, consuming a miner's claim: recipient and miner paid exactly", async () => {
    const withdrawal = corpus.withdrawals[0]!;
    const { recipient, extAmount, fee } = solanaExtDataOf(withdrawal.extData);
    const connection = cloak.node.connection;
    const before = await Promise.all([recipient, miner.publicKey].map((key) => connection.getBalance(key)));
    const queue = new JobQueue(database.pool, retryPolicy(workersSection.parse({})));
    const request = { chain: "solana", pool: corpus.header.pool, program: corpus.header.shieldPoolProgram, proof: withdrawal.proof, publicSignals: [...withdrawal.publicSignals], extData: { ...withdrawal.extData } };
    const [, , , n0, n1] = withdrawal.publicSignals.map((signal) => BigInt(signal));
    const { job } = await queue.enqueue({ chain: "solana", pool: corpus.header.pool, nullifiers: [toHex32(n0!), toHex32(n1!)], fee, request: JSON.parse(JSON.stringify(request)) });
    let state = job;
    for (let i = 0; i < 600 && !["confirmed", "failed", "dead"].includes(state.state); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      state = (await queue.get(job.id))!;
    }
    assert.equal(state.state, "confirmed", `job ${state.state}: ${state.reason}`);
    const status = (await connection.getSignatureStatuses([state.txHash!], { searchTransactionHistory: true })).value[0];
    assert.equal(status?.err, null);
    const share = (fee * BigInt((await fetchRegistry(connection, { programId: new PublicKey(cloak.deployment.programs.scrambleRegistry) }))!.minerFeeShareBps)) / 10_000n;
    const after = await Promise.all([recipient, miner.publicKey].map((key) => connection.getBalance(key)));
    assert.deepEqual(after.map((balance, i) => BigInt(balance - before[i]!)), [-extAmount, share]);
    assert.equal((await fetchClaim(connection, claim, { programId: new PublicKey(cloak.deployment.programs.scrambleRegistry) }))?.consumedCount, 1);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /^pow_claims_consumed_total 1$/m);
    assert.match(metrics, /^jobs_completed_total\{chain="solana"\} 1$/m);
  });

  it("takes a wallet's withdrawal made with SolanaShieldPoolClient.withdrawViaRelay at its quoted fee, the wallet paying nothing", async () => {
    const connection = cloak.node.connection;
    const registryProgramId = new PublicKey(cloak.deployment.programs.scrambleRegistry);
    // The pool requires proof of work: a fresh claim for the relay to consume.
    await mineAndRevealClaim(connection, miner, { registryProgramId, programIds: { shieldPool: new PublicKey(cloak.deployment.programs.shieldPool), scrambleRegistry: registryProgramId } });
    const poseidon = await getPoseidon();
    const owner = ShieldedKeypair.generate(poseidon);
    const signer = await cloak.node.fundedKeypair(2);
    const pool = SolanaShieldPoolClient.fromDeployment(cloak.deploymentFile, "sol", connection, signer, await loadBundledProver(), poseidon);
    await pool.deposit(BigInt(LAMPORTS_PER_SOL), owner);
    const quote = await new RelayerClient(url).quote(pool.pool.toBase58());
    const recipient = Keypair.generate().publicKey;
    const signerBefore = await connection.getBalance(signer.publicKey);
    const states: string[] = [];
    const { job, proven } = await pool.withdrawViaRelay(owner, BigInt(LAMPORTS_PER_SOL / 4), recipient, url, { intervalMs: 100, timeoutMs: 120_000, onProgress: (progress) => states.push(progress.state) });
    assert.equal(job.state, "confirmed");
    assert.equal(states.at(-1), "confirmed");
    assert.equal(proven.extData.fee, BigInt(quote.fee));
    assert.ok(proven.extData.relayer.equals(SOLANA_CORPUS_RELAYER.publicKey));
    assert.equal(await connection.getBalance(recipient), LAMPORTS_PER_SOL / 4);
    assert.equal(await connection.getBalance(signer.publicKey), signerBefore, "the wallet's key sent nothing and paid no fee");
    assert.equal(await pool.balanceOf(owner), BigInt(LAMPORTS_PER_SOL - LAMPORTS_PER_SOL / 4) - BigInt(quote.fee));
  });
});
