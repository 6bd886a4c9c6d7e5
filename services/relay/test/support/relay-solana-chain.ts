// What the relay's Solana robustness tests share: the local Solana node with Cloak deployed, the
// corpus's 64 deposits in (so its 24 relayed withdrawals are valid), the corpus's relayer key funded
// and registered, a miner's revealed claims enough for every withdrawal; a Hardhat node with Cloak
// deployed beside it (a relay serves EVM always); real `cloak-relay` processes configured for both;
// and an audit of the relayer's transactions on the Solana node against the relay's records.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fetchRegistry, mineAndRevealClaim, nullifierPda, registerMinerInstruction, sendSolanaInstructions, updateRegistryParamsInstruction } from "@cloak/sdk/solana";
import {
  SOLANA_CORPUS_RELAYER,
  deployEvm,
  freePort,
  startHardhatNode,
  registerSolanaRelayer,
  startSolanaCloak,
  submitSolanaCorpus,
  writeSolanaRelayerKeypair,
  type EvmDeployment,
  type HardhatNode,
  type SolanaCloak,
  type SolanaCorpusEntry,
} from "@cloak/service-testkit";
import { PublicKey, type Connection } from "@solana/web3.js";
import type pg from "pg";
import { stringify } from "smol-toml";
import { writeRelayerKeystore } from "./evm.ts";
import type { JobRecord, RelaySetup } from "./relay-chain.ts";
import { asAuthority, solanaCorpus } from "./solana.ts";

export interface RelaySolanaChain {
  readonly node: HardhatNode;
  readonly evm: EvmDeployment;
  readonly cloak: SolanaCloak;
  readonly dir: string;
  readonly programIds: { readonly shieldPool: PublicKey; readonly scrambleRegistry: PublicKey };
  /** The relayer's newest signature before the relays start: the audit reads its transactions after it. */
  readonly startSignature: string | undefined;
  /** The relayer key file and the EVM keystore every relay of the chain uses. */
  readonly keys: { readonly evmKeystore: string; readonly evmPasswordFile: string; readonly solanaKeypair: string };
  stop(): Promise<void>;
}

/** 20 minutes of the local node's slots. */
const CLAIM_WINDOW_SLOTS = 12_000n;

/**
 * Mines wildcard claims for a new registered miner, each at a later slot than the one before (a
 * claim's address derives from its slot): twice the consumptions the corpus's 24 withdrawals need (a
 * claim consumed by a transaction that then failed, or filled by others meanwhile). Just before the
 * burst, and with the claim window raised from the deploy's 1,500 slots (150 s at the local node's
 * 100 ms), which a burst with kills and restarts on a loaded machine outlasts.
 */
export async function mineClaims(chain: RelaySolanaChain): Promise<void> {
  const { cloak, programIds } = chain;
  const connection = cloak.node.connection;
  const registry = (await fetchRegistry(connection, { programId: programIds.scrambleRegistry }))!;
  const { consumerAuthority, difficulty, minDifficulty, maxDifficulty, targetIntervalSlots, minerFeeShareBps, revealWindowSlots, maxConsumptions } = registry;
  const params = { consumerAuthority, initialDifficulty: difficulty, minDifficulty, maxDifficulty, targetIntervalSlots, minerFeeShareBps, revealWindowSlots, claimWindowSlots: CLAIM_WINDOW_SLOTS, maxConsumptions };
  await asAuthority(cloak, await updateRegistryParamsInstruction({ admin: cloak.node.authority.publicKey, programId: programIds.scrambleRegistry, params }));
  const count = Math.ceil((2 * solanaCorpus.withdrawals.length) / maxConsumptions);
  const miner = await cloak.node.fundedKeypair(1);
  await sendSolanaInstructions(connection, { payer: miner, instructions: [await registerMinerInstruction({ programId: programIds.scrambleRegistry, authority: miner.publicKey })] }, { programIds });
  let last = -1n;
  for (let mined = 0; mined < count; ) {
    if (BigInt(await connection.getSlot("confirmed")) <= last + 1n) {
      await sleep(50);
      continue;
    }
    last = (await mineAndRevealClaim(connection, miner, { registryProgramId: programIds.scrambleRegistry, programIds, commitment: "confirmed" })).slot;
    mined++;
  }
}

/**
 * Beside `evmSide` (no deposits: the relays' EVM side stays idle), a Solana node with the corpus's
 * deposits and the corpus relayer registered and funded (claims: mineClaims).
 */
export async function startRelaySolanaChain(evmSide: EvmSide): Promise<RelaySolanaChain> {
  const dir = mkdtempSync(join(tmpdir(), "cloak-relay-solana-robust-"));
  const { node, evm } = evmSide;
  const cloak = await startSolanaCloak({ tokenMint: null });
  const programIds = { shieldPool: new PublicKey(cloak.deployment.programs.shieldPool), scrambleRegistry: new PublicKey(cloak.deployment.programs.scrambleRegistry) };
  await submitSolanaCorpus(cloak, { corpus: solanaCorpus });
  const connection = cloak.node.connection;
  await registerSolanaRelayer(cloak.node, cloak.deployment, SOLANA_CORPUS_RELAYER.publicKey);

  const evmKeys = await writeRelayerKeystore(dir);
  const solanaKeypair = writeSolanaRelayerKeypair(dir);
  const [newest] = await connection.getSignaturesForAddress(SOLANA_CORPUS_RELAYER.publicKey, { limit: 1 }, "confirmed");
  return {
    node,
    evm,
    cloak,
    dir,
    programIds,
    startSignature: newest?.signature,
    keys: { evmKeystore: evmKeys.keystore, evmPasswordFile: evmKeys.passwordFile, solanaKeypair },
    async stop() {
      await cloak.node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The Hardhat node with Cloak deployed that the relays' EVM side points at; several Solana chains may share one. */
export interface EvmSide {
  readonly node: HardhatNode;
  readonly evm: EvmDeployment;
  stop(): Promise<void>;
}

export async function startEvmSide(): Promise<EvmSide> {
  const dir = mkdtempSync(join(tmpdir(), "cloak-relay-solana-evm-"));
  const node = await startHardhatNode();
  const evm = await deployEvm(node.url, dir);
  return {
    node,
    evm,
    async stop() {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A relay configuration for both chains on `database` (the `[database]` section several relays may share). */
export async function relaySolanaSetup(chain: RelaySolanaChain, name: string, database: Record<string, unknown>, workers: Record<string, unknown> = {}): Promise<RelaySetup> {
  const port = await freePort();
  const configFile = join(chain.dir, `${name}.toml`);
  const config = {
    server: { port, rate_limit_per_ip: 100_000 },
    database,
    evm: { rpc_urls: [chain.node.url], chain_id: Number(chain.evm.chainId), confirmations: 0, deployment: chain.evm.path },
    solana: { rpc_urls: [chain.cloak.node.rpcUrl], deployment: chain.cloak.deploymentFile, commitment: "confirmed" },
    keys: { evm_keystore: chain.keys.evmKeystore, evm_password_file: chain.keys.evmPasswordFile, solana_keypair: chain.keys.solanaKeypair },
    // Below what the airdrop leaves the key, so /ready is 200.
    balance: { solana_warning_lamports: "2000000000", solana_critical_lamports: "1000000000" },
    workers: { initial_backoff: "200ms", ...workers },
  };
  writeFileSync(configFile, stringify(config));
  return { configFile, port, url: `http://127.0.0.1:${port}` };
}

/** A Solana corpus withdrawal's nullifiers as the queue writes them (0x, 32 bytes, lower case). */
export function solanaNullifiersOf(entry: SolanaCorpusEntry): string[] {
  return [entry.publicSignals[3]!, entry.publicSignals[4]!].map((signal) => `0x${BigInt(signal).toString(16).padStart(64, "0")}`);
}

/** One transaction the relayer paid for that touched a corpus withdrawal's nullifier record. */
export interface LandedPoolTx {
  readonly signature: string;
  readonly succeeded: boolean;
  /** The corpus nullifiers (queue form) whose record accounts the transaction names. */
  readonly nullifiers: readonly string[];
}

/** Every transaction the relayer paid for after `chain.startSignature`, that names a corpus nullifier's record. */
export async function relayerPoolTransactions(chain: RelaySolanaChain): Promise<LandedPoolTx[]> {
  const connection: Connection = chain.cloak.node.connection;
  const pool = new PublicKey(solanaCorpus.header.pool);
  const records = new Map<string, string>();
  for (const nullifier of solanaCorpus.withdrawals.flatMap(solanaNullifiersOf)) records.set(nullifierPda(pool, BigInt(nullifier), chain.programIds.shieldPool)[0].toBase58(), nullifier);
  const signatures: string[] = [];
  for (let before: string | undefined; ; ) {
    const page = await connection.getSignaturesForAddress(SOLANA_CORPUS_RELAYER.publicKey, { limit: 1000, ...(before ? { before } : {}), ...(chain.startSignature ? { until: chain.startSignature } : {}) }, "confirmed");
    signatures.push(...page.map((entry) => entry.signature));
    if (page.length < 1000) break;
    before = page.at(-1)!.signature;
  }
  const landed: LandedPoolTx[] = [];
  for (const signature of signatures) {
    const tx = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0, commitment: "confirmed" });
    assert.ok(tx?.meta, `${signature}: the node returns it`);
    const keys = tx.transaction.message.staticAccountKeys;
    if (!keys[0]!.equals(SOLANA_CORPUS_RELAYER.publicKey)) continue;
    const nullifiers = keys.map((key) => records.get(key.toBase58())).filter((nullifier): nullifier is string => nullifier !== undefined);
    if (nullifiers.length > 0) landed.push({ signature, succeeded: tx.meta.err === null, nullifiers });
  }
  return landed;
}

/**
 * What exactly-once means for the relay's Solana jobs: every transaction the relayer landed on a
 * nullifier record was stored for a job first (write-ahead); no nullifier's record was created by two
 * transactions; no job has two landed transactions among its stored ones, or one that succeeded
 * unless it is confirmed; a confirmed job's transaction is its one success and spends its
 * nullifiers; a job not confirmed spent nothing. Returns the landed transactions.
 */
export async function assertOneLandingPerJob(chain: RelaySolanaChain, database: pg.Pool, jobs: readonly JobRecord[]): Promise<LandedPoolTx[]> {
  const landed = await relayerPoolTransactions(chain);
  const { rows } = await database.query<{ job_key: string; signature: string }>("SELECT job_key, signature FROM solana_transactions WHERE payer = $1 ORDER BY id", [SOLANA_CORPUS_RELAYER.publicKey.toBase58()]);
  const jobOf = new Map(rows.map((row) => [row.signature, row.job_key]));
  for (const tx of landed) assert.ok(jobOf.has(tx.signature), `${tx.signature} landed without being stored for a job first`);

  const createdBy = new Map<string, string>();
  for (const tx of landed.filter((tx) => tx.succeeded)) {
    for (const nullifier of tx.nullifiers) {
      assert.equal(createdBy.get(nullifier), undefined, `nullifier ${nullifier} recorded by ${createdBy.get(nullifier)} and again by ${tx.signature}`);
      createdBy.set(nullifier, tx.signature);
    }
  }
  const bySignature = new Map(landed.map((tx) => [tx.signature, tx]));
  for (const job of jobs) {
    const ours = rows.filter((row) => row.job_key === job.id).map((row) => bySignature.get(row.signature)).filter((tx): tx is LandedPoolTx => tx !== undefined);
    assert.ok(ours.length <= 1, `job ${job.id} (${job.state}): ${ours.length} landed transactions ${ours.map((tx) => tx.signature).join(", ")}`);
    if (job.state === "confirmed") {
      assert.equal(ours[0]?.signature, job.tx_hash, `confirmed job ${job.id}: its transaction is its one landing`);
      assert.ok(ours[0]!.succeeded, `confirmed job ${job.id}: ${job.tx_hash} succeeded`);
      assert.deepEqual([...ours[0]!.nullifiers].sort(), [...job.nullifiers].sort(), `confirmed job ${job.id}: ${job.tx_hash} records its nullifiers`);
    } else {
      assert.deepEqual(job.nullifiers.filter((nullifier) => createdBy.has(nullifier)), [], `job ${job.id} (${job.state}: ${job.reason}) spent nothing`);
    }
  }
  return landed;
}
