import { readFileSync } from "node:fs";
import { PublicKey, type Commitment, type Connection } from "@solana/web3.js";
import { publicInputsOf, toHex32 } from "@cloak/sdk";
import {
  NATIVE_MINT,
  configPda,
  decodeConfig,
  decodeCommitmentTree,
  decodeRegistry,
  hashSolanaExtData,
  nullifierPda,
  registeredRelayers,
  registryPda,
  rootIndexOf,
  toSolanaVerifyingKey,
  treePda,
  type SnarkjsVerificationKey,
  type SolanaVerifyingKey,
} from "@cloak/sdk/solana";
import { z } from "zod";
import type { RelayConfig } from "../config.ts";
import { RelayError, RelayErrorCode } from "../errors.ts";
import { ceilDiv, fraction } from "./evm.ts";
import { checkJoinSplit, requireFeeCovers } from "./proof-checks.ts";
import { parseSolanaRelayRequest, type ParsedSolanaRelayRequest } from "./solana-request.ts";

/**
 * Lamports per signature of a transaction's base fee (the cluster's fixed 5,000; a relayed transact
 * carries one, the relayer's).
 */
export const SOLANA_SIGNATURE_FEE = 5_000n;
/** Signatures on a relayed transact: the relayer's, which pays and earns the fee. */
const TRANSACT_SIGNATURES = 1n;
/**
 * Bytes of a NullifierRecord account (Anchor's 8-byte discriminator + the pool key). transact creates
 * two, paid by its payer — the relayer — and they are never closed, so their rent is a cost of the
 * withdrawal like the fee.
 */
export const NULLIFIER_RECORD_BYTES = 8 + 32;

/** A Solana pool the relay serves: its account (poolPda(mint)) and mint (NATIVE_MINT for SOL). */
export interface SolanaIntakePool {
  address: string;
  mint: string;
}

/** The deployment facts the intake checks against. */
export interface SolanaIntakeDeployment {
  shieldPool: PublicKey;
  scrambleRegistry: PublicKey;
  pools: readonly SolanaIntakePool[];
}

const solanaRecord = z.object({
  format: z.literal("cloak-solana-deployment/1"),
  programs: z.object({ shieldPool: z.string(), scrambleRegistry: z.string() }),
  pools: z.record(z.string(), z.object({ mint: z.string(), pool: z.string() })),
});

/** The intake's view of a record written by `npx hardhat solana:deploy` (deployments/solana-<cluster>.json). */
export function solanaIntakeDeployment(recordPath: string): SolanaIntakeDeployment {
  const parsed = solanaRecord.safeParse(JSON.parse(readFileSync(recordPath, "utf8")));
  if (!parsed.success) throw new RelayError(RelayErrorCode.INVALID_CONFIG, `${recordPath}: ${parsed.error.issues[0]!.path.join(".")}: ${parsed.error.issues[0]!.message}`);
  const { programs, pools } = parsed.data;
  return {
    shieldPool: new PublicKey(programs.shieldPool),
    scrambleRegistry: new PublicKey(programs.scrambleRegistry),
    pools: Object.values(pools).map((pool) => ({ address: new PublicKey(pool.pool).toBase58(), mint: new PublicKey(pool.mint).toBase58() })),
  };
}

/** What the relay charges for one Solana withdrawal now, in the pool's asset's base units, and what it is made of (lamports). */
export interface SolanaQuote {
  fee: bigint;
  expiresAt: Date;
  computeUnits: bigint;
  priorityFeeMicrolamports: bigint;
  /** Signature fee + priority fee + the nullifier records' rent: what the relayer pays per withdrawal. */
  costLamports: bigint;
  /** The share of the fee a PoW miner takes when the program requires proof of work (0 otherwise). */
  minerFeeShareBps: number;
}

export interface SolanaQuoteInput {
  connection: Connection;
  fees: RelayConfig["fees"];
  transaction: Pick<RelayConfig["transaction"], "compute_budget_cu" | "priority_fee_microlamports">;
  deployment: Pick<SolanaIntakeDeployment, "shieldPool" | "scrambleRegistry">;
  pool: SolanaIntakePool;
  commitment?: Commitment;
  now?: number;
}

/**
 * The fee the relay accepts now for a withdrawal from `pool`: what the relayer pays (one signature's
 * base fee, compute_budget_cu × priority_fee_microlamports, and the rent of the two nullifier records
 * transact makes it create) × (1 + margin_percent/100), grossed up by the miner's share when the
 * program gates fees behind proof of work (the relayer keeps fee − share); rounded up. A token pool's
 * fee is converted with fees.token_prices[mint] (the lamports one base unit is worth). Honoured for quote_ttl.
 */
export async function quoteSolana(input: SolanaQuoteInput): Promise<SolanaQuote> {
  const { connection, fees, transaction, deployment, pool, commitment = "confirmed" } = input;
  const [rent, configInfo] = await Promise.all([
    connection.getMinimumBalanceForRentExemption(NULLIFIER_RECORD_BYTES, commitment),
    connection.getAccountInfo(configPda(deployment.shieldPool)[0], commitment),
  ]);
  if (!configInfo) throw new RelayError(RelayErrorCode.INVALID_CONFIG, `the shield pool ${deployment.shieldPool.toBase58()} has no config account (is it deployed and initialized?)`);
  let minerFeeShareBps = 0;
  if (decodeConfig(configInfo.data).powRequired !== 0) {
    const registry = await connection.getAccountInfo(registryPda(deployment.scrambleRegistry)[0], commitment);
    if (!registry) throw new RelayError(RelayErrorCode.INVALID_CONFIG, `the scramble registry ${deployment.scrambleRegistry.toBase58()} has no registry account, but the pool requires proof of work`);
    minerFeeShareBps = decodeRegistry(registry.data).minerFeeShareBps;
  }
  const computeUnits = BigInt(transaction.compute_budget_cu);
  const priorityFeeMicrolamports = BigInt(transaction.priority_fee_microlamports);
  const costLamports = SOLANA_SIGNATURE_FEE * TRANSACT_SIGNATURES + ceilDiv(computeUnits * priorityFeeMicrolamports, 1_000_000n) + 2n * BigInt(rent);
  const margin = fraction(100 + fees.margin_percent);
  let fee = ceilDiv(costLamports * margin.numerator * 10_000n, 100n * margin.denominator * BigInt(10_000 - minerFeeShareBps));
  if (pool.mint !== NATIVE_MINT.toBase58()) {
    const price = fees.token_prices[pool.mint];
    if (price === undefined) throw new RelayError(RelayErrorCode.INVALID_CONFIG, `fees.token_prices: no price for mint ${pool.mint}, so its pool cannot be quoted`);
    const { numerator, denominator } = fraction(price);
    fee = ceilDiv(fee * denominator, numerator);
  }
  return { fee, expiresAt: new Date((input.now ?? Date.now()) + fees.quote_ttl), computeUnits, priorityFeeMicrolamports, costLamports, minerFeeShareBps };
}

/** Runs a chain read on some endpoint (the sender's failover across `[solana] rpc_urls`). */
export type SolanaRead = <T>(call: (connection: Connection) => Promise<T>) => Promise<T>;

export interface SolanaIntakeOptions {
  /** Where the chain is read: a connection, or `read` to go through the sender's endpoints. */
  connection?: Connection;
  read?: SolanaRead;
  deployment: SolanaIntakeDeployment;
  /** The relay's own signing key: the only relayer it earns fees as. */
  relayer: PublicKey;
  /** The snarkjs verification key proofs are checked with (the SDK's bundled depth-20 key). */
  verificationKey: object;
  /** The current quote for a pool; the request's fee must reach it. */
  quote: (pool: SolanaIntakePool) => Promise<SolanaQuote>;
  commitment?: Commitment;
}

/** A request that passed every check, ready to be queued. */
export interface SolanaIntakeAccepted {
  ok: true;
  /** The pool account, base58. */
  pool: string;
  fee: bigint;
  /** The two input nullifiers as 0x 32-byte hex (the circuit's values). */
  nullifiers: [string, string];
  /** Their records' addresses, nullifierPda(pool, n): what transact creates, base58. */
  nullifierAccounts: [string, string];
  /** Where the proof's root sits in the pool's history (transact's root_index) when it was checked. */
  rootIndex: number;
  request: ParsedSolanaRelayRequest;
}

const sameKey = (a: SolanaVerifyingKey, b: SolanaVerifyingKey) => {
  const parts = (key: SolanaVerifyingKey) => [key.alphaG1, key.betaG2, key.gammaG2, key.deltaG2, ...key.ic];
  const [left, right] = [parts(a), parts(b)];
  return left.length === right.length && left.every((bytes, i) => Buffer.from(bytes).equals(Buffer.from(right[i]!)));
};

/**
 * Everything the relay checks off-chain before it accepts a Solana withdrawal, in the EVM intake's
 * order: the request's own consistency first, cheapest first; the proof before any chain read; then
 * the config, tree and nullifier accounts read at once and judged in a fixed order. What the program
 * would refuse on chain is refused here with the field and the reason.
 */
export class SolanaIntake {
  readonly #options: SolanaIntakeOptions;
  readonly #pools: Map<string, SolanaIntakePool>;
  readonly #verifyingKey: SolanaVerifyingKey;
  readonly #commitment: Commitment;
  readonly #read: SolanaRead;

  constructor(options: SolanaIntakeOptions) {
    this.#options = options;
    const { connection, read } = options;
    if (read) this.#read = read;
    else if (connection) this.#read = (call) => call(connection);
    else throw new RelayError(RelayErrorCode.INVALID_CONFIG, "the Solana intake needs a connection or a read function");
    this.#pools = new Map(options.deployment.pools.map((pool) => [pool.address, pool]));
    this.#verifyingKey = toSolanaVerifyingKey(options.verificationKey as SnarkjsVerificationKey);
    this.#commitment = options.commitment ?? "confirmed";
  }

  /** The pools this intake serves. */
  get pools(): readonly SolanaIntakePool[] {
    return [...this.#pools.values()];
  }

  async check(body: unknown): Promise<SolanaIntakeAccepted> {
    const request = parseSolanaRelayRequest(body);
    const { extData, publicSignals } = request;
    const inputs = publicInputsOf(publicSignals);
    const { deployment, relayer } = this.#options;
    const program = deployment.shieldPool;
    if (request.program && !request.program.equals(program)) {
      throw new RelayError(RelayErrorCode.WRONG_PROGRAM, `program: ${request.program.toBase58()} is not this relay's shield pool program ${program.toBase58()}`);
    }
    const poolKey = request.pool.toBase58();
    const pool = this.#pools.get(poolKey);
    if (!pool) throw new RelayError(RelayErrorCode.UNKNOWN_POOL, `pool: ${poolKey} is not a pool of this relay's deployment`);
    if (extData.extAmount > 0n) throw new RelayError(RelayErrorCode.NOT_A_WITHDRAWAL, `extData.extAmount: ${extData.extAmount} is a deposit, whose value only its owner can send`);
    if (!extData.relayer.equals(relayer)) {
      throw new RelayError(RelayErrorCode.WRONG_RELAYER, `extData.relayer: ${extData.relayer.toBase58()} is not this relay (${relayer.toBase58()}), so it would not earn the fee`);
    }
    // The program id and pool are hashed in: a proof bound to another deployment or asset fails here.
    const extDataHash = hashSolanaExtData(extData, program, request.pool);
    if (extDataHash !== inputs.extDataHash) {
      throw new RelayError(
        RelayErrorCode.EXT_DATA_MISMATCH,
        `extData: hashes to ${toHex32(extDataHash)} for program ${program.toBase58()} and pool ${poolKey}, not publicSignals[2] (extDataHash) ${toHex32(inputs.extDataHash)}`,
      );
    }
    const nullifiers = await checkJoinSplit({ inputs, extData, proof: request.proof, publicSignals, verificationKey: this.#options.verificationKey });

    requireFeeCovers(extData.fee, (await this.#options.quote(pool)).fee);

    const records = inputs.inputNullifiers.map((nullifier) => nullifierPda(request.pool, nullifier, program)[0]) as [PublicKey, PublicKey];
    const [config, tree, record0, record1] = await this.#read((connection) =>
      connection.getMultipleAccountsInfo([configPda(program)[0], treePda(request.pool, program)[0], ...records], this.#commitment),
    );
    if (!config || !tree) throw new RelayError(RelayErrorCode.UNKNOWN_POOL, `pool: ${poolKey} has no ${config ? "tree" : "config"} account on chain (is the deployment live?)`);
    const state = decodeConfig(config.data);
    if (state.paused !== 0) throw new RelayError(RelayErrorCode.POOL_PAUSED, `pool: the shield pool program ${program.toBase58()} is paused`);
    if (!sameKey(state.verifyingKey, this.#verifyingKey)) {
      throw new RelayError(RelayErrorCode.RETIRED_VERIFYING_KEY, `proof: made for the relay's bundled verifying key, which the shield pool program ${program.toBase58()} no longer holds`);
    }
    if (!registeredRelayers(state).some((key) => key.equals(relayer))) {
      throw new RelayError(RelayErrorCode.RELAYER_NOT_REGISTERED, `extData.relayer: ${relayer.toBase58()} is not registered in the shield pool's config`);
    }
    const rootIndex = rootIndexOf(decodeCommitmentTree(tree.data), inputs.root);
    if (rootIndex === null) throw new RelayError(RelayErrorCode.UNKNOWN_ROOT, `publicSignals[0] (root): ${toHex32(inputs.root)} is not among the pool's known roots`);
    // The program counts a nullifier spent when its record is the program's (a prefunded address is not).
    for (const [position, record] of [record0, record1].entries()) {
      if (record?.owner.equals(program)) {
        throw new RelayError(RelayErrorCode.NULLIFIER_SPENT, `publicSignals[${3 + position}] (inputNullifiers[${position}]): ${nullifiers[position]} is already spent (record ${records[position]!.toBase58()})`);
      }
    }
    return { ok: true, pool: poolKey, fee: extData.fee, nullifiers, nullifierAccounts: [records[0].toBase58(), records[1].toBase58()], rootIndex, request };
  }
}
