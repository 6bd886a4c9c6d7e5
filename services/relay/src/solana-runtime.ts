import { transactLookupTableAddresses } from "@cloak/sdk/solana";
import { PublicKey } from "@solana/web3.js";
import type pg from "pg";
import type { Logger } from "pino";
import { BalanceWatch } from "./balance.ts";
import type { RelayConfig } from "./config.ts";
import { loadSolanaKeypair } from "./keys.ts";
import type { JobHandler, JobQueue } from "./queue/index.ts";
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
  readonly deployment: SolanaRelayDeployment;
  readonly database: pg.Pool;
  readonly queue: JobQueue;
  readonly metrics: RelayMetrics;
  readonly logger: Logger;
  /** The job's stored request → what to submit (the intake's parseSolanaRelayRequest). */
  readonly parse: (request: unknown) => SolanaJob;
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
  const { config, deployment, logger } = options;
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
    ? new PowClaims({ read: (call) => sender.read(call), registryProgramId: deployment.scrambleRegistry, pow: config.pow, commitment, logger })
    : null;
  const handler: JobHandler = solanaJobHandler({
    queue: options.queue,
    sender,
    parse: options.parse,
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
    address: sender.address,
    lookupTable: table.key.toBase58(),
    stop(): void {
      balance.stop();
      sender.close();
    },
  };
}

export type SolanaRelay = Awaited<ReturnType<typeof startSolanaRelay>>;
