import { existsSync } from "node:fs";
import { transactLookupTableAddresses } from "@cloak/sdk/solana";
import { PublicKey } from "@solana/web3.js";
import type pg from "pg";
import type { Logger } from "pino";
import { BalanceWatch } from "./balance.ts";
import type { RelayConfig } from "./config.ts";
import { RelayError, RelayErrorCode } from "./errors.ts";
import { parseSolanaRelayRequest, solanaIntakeDeployment } from "./intake/index.ts";
import { loadSolanaKeypair } from "./keys.ts";
import type { Chain, JobHandler, JobQueue } from "./queue/index.ts";
import type { RelayMetrics } from "./relay-metrics.ts";
import { PowClaims, SolanaSender } from "./senders/solana/index.ts";
import { solanaJobHandler, type SolanaJob } from "./solana-handler.ts";

/** The Solana deployment the relay submits to: both programs and the pools it serves. */
export interface SolanaRelayDeployment {
  readonly shieldPool: PublicKey;
  readonly scrambleRegistry: PublicKey;
  readonly pools: readonly { readonly address: string; readonly mint: string }[];
}

export interface SolanaRelayOptions {
  readonly config: RelayConfig;
  /** The deployment record of `[solana] deployment` (or the local one) unless given. */
  readonly deployment?: SolanaRelayDeployment;
  readonly database: pg.Pool;
  readonly queue: JobQueue;
  readonly metrics: RelayMetrics;
  readonly logger: Logger;
  /** The job's stored request → what to submit; the intake's parseSolanaRelayRequest unless given. */
  readonly parse?: (request: unknown) => SolanaJob;
}

/** Where `npm run localnet:deploy` records its deployment (followed when solana.deployment is unset). */
export const LOCAL_SOLANA_DEPLOYMENT = "deployments/solana-localnet.json";

export function solanaDeploymentFile(config: RelayConfig): string {
  const file = config.solana.deployment ?? (existsSync(LOCAL_SOLANA_DEPLOYMENT) ? LOCAL_SOLANA_DEPLOYMENT : undefined);
  if (!file) throw new RelayError(RelayErrorCode.INVALID_CONFIG, `solana.deployment: unset, and there is no ${LOCAL_SOLANA_DEPLOYMENT} (deploy first: npm run localnet:deploy)`);
  return file;
}

/** The worker pool's handler: each job goes to its chain's handler; a chain this process does not serve is retried (another replica may). */
export function byChain(handlers: Partial<Record<Chain, JobHandler>>): JobHandler {
  return (job, context) => {
    const handler = handlers[job.chain];
    if (handler) return handler(job, context);
    return Promise.resolve({ status: "failed", reason: `this relay process does not submit ${job.chain} jobs`, retryable: true });
  };
}

/** The endpoints the Solana sender fails over across: `[solana] rpc_urls`, else `[rpc_url]`. */
export function solanaRpcUrls(solana: RelayConfig["solana"]): string[] {
  return solana.rpc_urls ?? [solana.rpc_url];
}

/**
 * The relay's Solana side, started when `[keys] solana_keypair` is set: the keypair (owner-only file),
 * the write-ahead sender with the relayer's lookup table made ready for every pool before any job (so
 * the first withdrawal does not wait for it), the PoW claim finder unless `[pow] enabled = false`, the
 * job handler, and the relayer's balance watch against `[balance] solana_*`.
 */
export async function startSolanaRelay(options: SolanaRelayOptions) {
  const { config, logger } = options;
  const deployment = options.deployment ?? solanaIntakeDeployment(solanaDeploymentFile(config));
  const keypair = loadSolanaKeypair(config.keys);
  const sender = new SolanaSender({
    database: options.database,
    rpcUrls: solanaRpcUrls(config.solana),
    solana: config.solana,
    transaction: config.transaction,
    keypair,
    logger,
    programIds: { shieldPool: deployment.shieldPool, scrambleRegistry: deployment.scrambleRegistry },
  });
  const commitment = config.solana.commitment;
  const tableAddresses = deployment.pools.flatMap((pool) =>
    transactLookupTableAddresses({ mint: new PublicKey(pool.mint), programId: deployment.shieldPool, registryProgramId: deployment.scrambleRegistry, relayers: [keypair.publicKey], pow: true }),
  );
  const table = await sender.lookupTable(tableAddresses);
  const pow = config.pow.enabled
    ? new PowClaims({ read: (call) => sender.read(call), registryProgramId: deployment.scrambleRegistry, pow: config.pow, commitment, logger, database: options.database })
    : null;
  const handler: JobHandler = solanaJobHandler({
    queue: options.queue,
    sender,
    parse: options.parse ?? parseSolanaRelayRequest,
    programId: deployment.shieldPool,
    registryProgramId: deployment.scrambleRegistry,
    commitment,
    pow,
    timeoutMs: config.workers.timeout,
    metrics: options.metrics,
    logger,
    isLastAttempt: (attempts) => attempts > config.workers.retries,
  });
  const balance = new BalanceWatch("solana", sender.address, async () => BigInt(await sender.read((connection) => connection.getBalance(keypair.publicKey, commitment))), config.balance, options.metrics, logger);
  await balance.start();
  logger.info({ relayer: sender.address, lookupTable: table.key.toBase58(), pools: deployment.pools.length, pow: config.pow.enabled }, "relay: serving Solana withdrawals");
  return {
    sender,
    handler,
    balance,
    deployment,
    address: sender.address,
    lookupTable: table.key.toBase58(),
    stop(): void {
      balance.stop();
      sender.close();
    },
  };
}

export type SolanaRelay = Awaited<ReturnType<typeof startSolanaRelay>>;
