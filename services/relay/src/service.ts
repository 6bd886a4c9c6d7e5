import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { HealthStatus, ServiceDefinition } from "@cloak/service-kit";
import { registerRelayRoutes } from "./api/routes.ts";
import { RELAY_SPEC, type RelayConfig } from "./config.ts";
import { RelayError, RelayErrorCode } from "./errors.ts";
import { evmJobHandler } from "./evm-handler.ts";
import { PublicKey } from "@solana/web3.js";
import type { SolanaApiOptions } from "./api/routes.ts";
import {
  EvmIntake,
  SolanaIntake,
  bundledVerificationKey,
  evmIntakeDeployment,
  quoteEvm,
  quoteSolana,
  type IntakePool,
  type SolanaIntakePool,
} from "./intake/index.ts";
import { loadEvmWallet } from "./keys.ts";
import { JobQueue, WorkerPool, retryPolicy } from "./queue/index.ts";
import { BalanceWatch } from "./balance.ts";
import { relayMetrics } from "./relay-metrics.ts";
import { byChain, startSolanaRelay, type SolanaRelay } from "./solana-runtime.ts";
import { EvmSender, FailoverJsonRpcProvider, shieldPoolInterface } from "./senders/evm/index.ts";

const here = dirname(fileURLToPath(import.meta.url));
export const MIGRATIONS_DIR = join(here, "..", "migrations");
export const VERSION = (JSON.parse(readFileSync(join(here, "..", "package.json"), "utf8")) as { version: string }).version;

/** Where `npx hardhat deploy --network localhost` records its deployment (followed when evm.deployment is unset). */
export const LOCAL_EVM_DEPLOYMENT = "deployments/localhost.json";

/** The Solana side of the API: its intake and quotes read the chain through the sender's endpoints (failover). */
function solanaApi(config: RelayConfig, solana: SolanaRelay): SolanaApiOptions {
  const { deployment, sender } = solana;
  const commitment = config.solana.commitment;
  const quote = (pool: SolanaIntakePool) => sender.read((connection) => quoteSolana({ connection, fees: config.fees, transaction: config.transaction, deployment, pool, commitment }));
  const intake = new SolanaIntake({ read: (call) => sender.read(call), deployment, relayer: new PublicKey(solana.address), verificationKey: bundledVerificationKey(), quote, commitment });
  return { intake, relayer: solana.address, program: deployment.shieldPool.toBase58(), quote };
}

export function evmDeploymentFile(config: RelayConfig): string {
  const file = config.evm.deployment ?? (existsSync(LOCAL_EVM_DEPLOYMENT) ? LOCAL_EVM_DEPLOYMENT : undefined);
  if (!file) throw new RelayError(RelayErrorCode.INVALID_CONFIG, `evm.deployment: unset, and there is no ${LOCAL_EVM_DEPLOYMENT} (deploy first: npx hardhat deploy --network localhost)`);
  return file;
}

/**
 * cloak-relay (issue 12, in progress): EVM withdrawals through the intake, the queue and the
 * write-ahead sender. Solana, the operator commands and the balance thresholds come next.
 */
const SEVERITY: readonly HealthStatus[] = ["healthy", "degraded", "critical"];
/** The worse of the relayer balances' states. */
const worst = (states: readonly HealthStatus[]): HealthStatus => states.reduce((a, b) => (SEVERITY.indexOf(b) > SEVERITY.indexOf(a) ? b : a), "healthy");

export const relayService: ServiceDefinition<typeof RELAY_SPEC.extra> = {
  ...RELAY_SPEC,
  version: VERSION,
  description: "takes withdrawal proofs, checks them, and submits them from its own key through a durable job queue",
  migrationsDir: MIGRATIONS_DIR,

  async dryRun({ config }) {
    const file = evmDeploymentFile(config);
    const deployment = evmIntakeDeployment(file);
    const wallet = await loadEvmWallet(config.keys);
    return [`evm: relayer ${wallet.address} for chain ${deployment.chainId}, pools ${deployment.pools.map((pool) => pool.address).join(", ")} (${file})`];
  },

  async start({ config, logger, metrics, app, database }) {
    const db = database!.pool;
    const deployment = evmIntakeDeployment(evmDeploymentFile(config));
    if (deployment.chainId !== BigInt(config.evm.chain_id)) {
      throw new RelayError(RelayErrorCode.INVALID_CONFIG, `evm.deployment is for chain ${deployment.chainId}, but evm.chain_id = ${config.evm.chain_id}`);
    }
    const wallet = await loadEvmWallet(config.keys);
    const provider = new FailoverJsonRpcProvider(config.evm, logger);
    const quote = (pool: IntakePool) => quoteEvm(provider, config.fees, pool.asset);
    const intake = new EvmIntake({ provider, deployment, relayer: wallet.address, verificationKey: bundledVerificationKey(), quote });
    const queue = new JobQueue(db, retryPolicy(config.workers));
    const ours = relayMetrics(metrics, queue);
    const sender = new EvmSender({ database: db, evm: config.evm, wallet, logger });
    // Solana too when its relayer key is configured (the sender's lookup table is made ready first; the Solana intake needs its key).
    const solana = config.keys.solana_keypair ? await startSolanaRelay({ config, database: db, queue, metrics: ours, logger }) : null;
    registerRelayRoutes({ app, queue, intake, pools: deployment.pools, relayer: wallet.address, chainId: deployment.chainId, quote, metrics: ours, version: VERSION, limits: config.limiter, ...(solana ? { solana: solanaApi(config, solana) } : {}) });

    const handler = evmJobHandler({
      queue,
      sender,
      pool: await shieldPoolInterface(),
      confirmations: config.evm.confirmations,
      timeoutMs: config.workers.timeout,
      metrics: ours,
      logger,
      isLastAttempt: (attempts) => attempts > config.workers.retries,
    });
    const balance = new BalanceWatch("evm", wallet.address, () => provider.getBalance(wallet.address), config.balance, ours, logger);
    await balance.start();
    const workers = new WorkerPool({ queue, owner: `${hostname()}:${process.pid}`, handler: byChain({ evm: handler, solana: solana?.handler }), count: config.workers.count, timeoutMs: config.workers.timeout, logger });
    workers.start();
    logger.info({ relayer: wallet.address, chainId: deployment.chainId.toString(), pools: deployment.pools.length }, "relay: serving EVM withdrawals");

    return {
      probes: {
        rpc: { evm: (): HealthStatus => sender.health(), ...(solana ? { solana: (): HealthStatus => solana.sender.health() } : {}) },
        state: () => worst([balance.health(), ...(solana ? [solana.balance.health()] : [])]),
        figures: async () => {
          const counts = await queue.counts();
          const relayer = {
            evm: { address: wallet.address, balance_wei: balance.balance?.toString() ?? null },
            ...(solana ? { solana: { address: solana.address, balance_lamports: solana.balance.balance?.toString() ?? null, lookup_table: solana.lookupTable } } : {}),
          };
          return { relayer, queue: { ...counts.byState, oldest_queued_age_ms: counts.oldestQueuedAgeMs }, workers: { active: workers.active, count: config.workers.count } };
        },
        // With the database away the kit's probe already says "database unavailable"; draining cannot be
        // read then, and letting that throw made /ready answer 500 instead of 503.
        notReady: async () => [...((await queue.draining().catch(() => false)) ? ["draining: not taking new jobs"] : []), ...balance.notReady(), ...(solana?.balance.notReady() ?? [])],
      },
      reload(next) {
        balance.setThresholds(next.balance);
        solana?.balance.setThresholds(next.balance);
      },
      async stop() {
        balance.stop();
        await workers.stop();
        sender.close();
        solana?.stop();
        provider.destroy();
      },
    };
  },
};
