import { publicInputsOf, type Groth16Proof } from "@cloak/sdk";
import {
  fetchCommitmentTree,
  fetchConfig,
  fetchPool,
  isSolanaTransactionError,
  powBatchHash,
  rootIndexOf,
  transactInstruction,
  transactLookupTableAddresses,
  treePda,
  type SolanaExtData,
} from "@cloak/sdk/solana";
import type { Commitment, PublicKey } from "@solana/web3.js";
import type { Logger } from "pino";
import { RelayError, RelayErrorCode } from "./errors.ts";
import type { JobHandler, JobQueue } from "./queue/index.ts";
import type { RelayMetrics } from "./relay-metrics.ts";
import type { PowClaims, SolanaSender, SolanaTxRequest } from "./senders/solana/index.ts";

/** What a Solana job carries once parsed (the intake's ParsedSolanaRelayRequest has this shape). */
export interface SolanaJob {
  /** The pool account, poolPda(mint). */
  readonly pool: PublicKey;
  readonly proof: Groth16Proof;
  /** root, publicAmount, extDataHash, inputNullifier ×2, outputCommitment ×2. */
  readonly publicSignals: readonly bigint[];
  readonly extData: SolanaExtData;
}

export interface SolanaHandlerOptions {
  readonly queue: JobQueue;
  readonly sender: SolanaSender;
  /** The job's stored request → what to submit; throws RelayError INVALID_REQUEST when it is not one. */
  readonly parse: (request: unknown) => SolanaJob;
  readonly programId: PublicKey;
  readonly registryProgramId: PublicKey;
  readonly commitment: Commitment;
  /** Null when `[pow] enabled = false`: a pool requiring proof of work then fails the job, naming why. */
  readonly pow: PowClaims | null;
  readonly timeoutMs: number;
  readonly metrics: RelayMetrics;
  readonly logger: Logger;
  /** The job will not be retried after this attempt fails (`[workers] retries` used up). */
  readonly isLastAttempt: (attempts: number) => boolean;
}

/** Failures no later attempt can change: the job fails with them as its reason. */
function isFinal(error: unknown): boolean {
  if (error instanceof RelayError) {
    return [RelayErrorCode.INVALID_REQUEST, RelayErrorCode.UNKNOWN_ROOT, RelayErrorCode.POW_DISABLED, RelayErrorCode.SOLANA_TRANSACTION_TOO_LARGE].includes(error.code);
  }
  if (!isSolanaTransactionError(error)) return false;
  // A shield-pool error (a spent nullifier, a stale root, a paused pool) is the proof's fate, whether
  // simulated or landed; a registry error is the claim's (filled by other withdrawals or expired
  // meanwhile), and a transaction with another claim may do, even after one landed and failed (the
  // sender then re-signs). Any other landed failure is final.
  if (error.programError?.program === "scramble_registry") return false;
  return error.stage === "confirm" || error.programError?.program === "shield_pool";
}

/**
 * One attempt at a Solana job: the sender stores the signed transaction before broadcasting it (an
 * attempt after a crash or a failure sends the same one again, and a new one only after the old
 * one's blockhash expired unseen), the job records its signature as sent, then the confirmation at the
 * configured commitment. A program error is final, with the program and its error as the reason;
 * anything else is retried. When the pool requires proof of work, a miner's revealed claim is found
 * and consumed with the withdrawal (the miner is paid its share of the fee by the program).
 */
export function solanaJobHandler(options: SolanaHandlerOptions): JobHandler {
  const { queue, sender, metrics, programId, registryProgramId, commitment } = options;
  const mints = new Map<string, PublicKey>();

  const mintOf = async (pool: PublicKey): Promise<PublicKey> => {
    const known = mints.get(pool.toBase58());
    if (known) return known;
    const account = await sender.read((connection) => fetchPool(connection, pool, { programId, commitment }));
    if (!account) throw new RelayError(RelayErrorCode.UNKNOWN_POOL, `pool ${pool.toBase58()}: no such pool of program ${programId.toBase58()}`);
    mints.set(pool.toBase58(), account.mint);
    return account.mint;
  };

  /** `held`: the claims this attempt was handed, released when it ends. */
  const requestOf = async (jobKey: string, job: SolanaJob, held: PublicKey[]): Promise<SolanaTxRequest> => {
    const publicInputs = publicInputsOf(job.publicSignals);
    const mint = await mintOf(job.pool);
    const tree = await sender.read((connection) => fetchCommitmentTree(connection, treePda(job.pool, programId)[0], { programId, commitment }));
    if (!tree) throw new RelayError(RelayErrorCode.UNKNOWN_POOL, `pool ${job.pool.toBase58()}: its tree account does not exist`);
    const rootIndex = rootIndexOf(tree, publicInputs.root);
    if (rootIndex === null) throw new RelayError(RelayErrorCode.UNKNOWN_ROOT, `root ${publicInputs.root}: no longer among pool ${job.pool.toBase58()}'s known roots`);
    let pow: { claim: PublicKey; minerAuthority: PublicKey; registryProgramId: PublicKey } | undefined;
    if (job.extData.fee > 0n) {
      const config = await sender.read((connection) => fetchConfig(connection, { programId, commitment }));
      if (config?.powRequired === 1) {
        if (!options.pow) throw new RelayError(RelayErrorCode.POW_DISABLED, `program ${programId.toBase58()} requires a PoW claim for relayed withdrawals, but [pow] enabled = false`);
        const found = await options.pow.find(powBatchHash(publicInputs.inputNullifiers), jobKey);
        held.push(found.claim);
        metrics.powClaimsFound.inc();
        pow = { claim: found.claim, minerAuthority: found.minerAuthority, registryProgramId };
      }
    }
    const instruction = await transactInstruction({ programId, mint, payer: sender.publicKey, transaction: { proof: job.proof, publicInputs, extData: job.extData }, rootIndex, ...(pow ? { pow } : {}) });
    const tableAddresses = transactLookupTableAddresses({ mint, programId, registryProgramId, relayers: [sender.publicKey], pow: pow !== undefined, miners: pow ? [pow.minerAuthority] : [] });
    return { instructions: [instruction], tableAddresses };
  };

  return async (job) => {
    const held: PublicKey[] = [];
    try {
      const parsed = options.parse(job.request);
      const stored = await sender.submit(job.id, () => requestOf(job.id, parsed, held));
      await queue.markSent({ id: job.id, leaseOwner: job.leaseOwner, attempts: job.attempts }, { txHash: stored.signature, signedTx: stored.rawTx, sender: sender.address });
      const confirmation = await sender.waitConfirmed(job.id, options.timeoutMs);
      if (confirmation.computeUnits !== null) metrics.computeUnits.observe(confirmation.computeUnits);
      if (confirmation.invokedPrograms.includes(registryProgramId.toBase58())) metrics.powClaimsConsumed.inc();
      metrics.confirmed("solana");
      return { status: "confirmed", detail: `${confirmation.signature} in slot ${confirmation.slot}` };
    } catch (error) {
      const final = isFinal(error);
      metrics.failed("solana", final || options.isLastAttempt(job.attempts));
      // A claim that failed the simulation may be listed as usable still: look afresh next time.
      if (isSolanaTransactionError(error) && error.programError?.program === "scramble_registry") options.pow?.invalidate();
      const reason = error instanceof Error ? error.message : String(error);
      if (final) return { status: "failed", reason, retryable: false };
      options.logger.warn({ job: job.id, err: error }, "solana job attempt failed; it will be retried");
      return { status: "failed", reason, retryable: true };
    } finally {
      for (const claim of held) await options.pow?.release(claim, job.id).catch((error: unknown) => options.logger.warn({ job: job.id, err: error }, "pow: a claim's hold was not released; it lapses"));
    }
  };
}
