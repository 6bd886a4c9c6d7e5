import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { getPoseidon, type PoseidonHasher } from "@cloak/sdk";
import type { HealthStatus, ServiceDefinition } from "@cloak/service-kit";
import type pg from "pg";
import type { Logger } from "pino";
import { registerEventsRoute } from "./api/events-route.ts";
import { registerRoutes } from "./api/routes.ts";
import { INDEXER_SPEC, deploymentFiles, type IndexerConfig } from "./config.ts";
import { readEvmDeployment, readSolanaDeployment } from "./deployments.ts";
import { IndexerError, IndexerErrorCode } from "./errors.ts";
import { EvmSource } from "./evm/source.ts";
import { PoolEventBus } from "./events.ts";
import { indexerMetrics } from "./indexer-metrics.ts";
import { Ingestor } from "./ingest/ingestor.ts";
import type { ChainSource, IndexedPool } from "./ingest/types.ts";
import { Snapshotter, snapshotSource } from "./snapshots/snapshotter.ts";
import { buildTree } from "./rebuild.ts";
import { SolanaSource } from "./solana/source.ts";
import { IndexerState, type TreeBuilder } from "./state.ts";
import { store } from "./store.ts";
import { zeroHashes } from "./tree.ts";

const here = dirname(fileURLToPath(import.meta.url));
export const MIGRATIONS_DIR = join(here, "..", "migrations");
const VERSION = (JSON.parse(readFileSync(join(here, "..", "package.json"), "utf8")) as { version: string }).version;

/** The chains' sources for the configured deployments; refuses a config that names nothing to index. */
export function openSources(config: IndexerConfig, db: pg.Pool, logger: Logger): ChainSource[] {
  const files = deploymentFiles(config);
  const sources: ChainSource[] = [];
  if (files.evm) {
    const deployment = readEvmDeployment(files.evm);
    if (deployment.chainId !== config.evm.chain_id) {
      throw new IndexerError(IndexerErrorCode.CHAIN_MISMATCH, `evm.deployment = "${files.evm}" is for chain ${deployment.chainId}, but evm.chain_id = ${config.evm.chain_id}`);
    }
    sources.push(
      new EvmSource({
        config: config.evm,
        pools: deployment.pools,
        logger,
        storedBlockHash: (number) => store.evmBlockHash(db, number),
        storedBlocksBelow: (number, count) => store.evmBlocksFrom(db, number, count),
      }),
    );
  }
  if (files.solana) {
    const deployment = readSolanaDeployment(files.solana);
    const programId = config.solana.shield_pool_program_id ?? deployment.shieldPool;
    sources.push(new SolanaSource({ config: config.solana, pools: deployment.pools, programId, genesisHash: deployment.genesisHash, logger }));
  }
  if (sources.length === 0) {
    throw new IndexerError(
      IndexerErrorCode.NOTHING_TO_INDEX,
      "no deployment to index: set evm.deployment and/or solana.deployment (or deploy locally first: `npx hardhat deploy --network localhost`, `npm run localnet:deploy`)",
    );
  }
  return sources;
}

/** Checks each source's chain; a wrong chain is fatal, an unreachable one is retried by ingest. */
async function checkChains(sources: readonly ChainSource[], logger: Logger): Promise<void> {
  for (const source of sources) {
    const check = (source as { checkChain?: () => Promise<void> }).checkChain;
    if (!check) continue;
    try {
      await check.call(source);
    } catch (error) {
      if (error instanceof IndexerError) throw error;
      logger.warn({ chain: source.chain, err: error }, "chain not reachable at start; ingest will retry");
    }
  }
}

/** The builder a start rebuilds trees with (the recovery commands use the same): worker threads over the cores. */
export const treeBuilder = (poseidon: PoseidonHasher, zeros: readonly bigint[]): TreeBuilder => (leaves) => buildTree(leaves, { poseidon, zeros });

export const indexerService: ServiceDefinition<typeof INDEXER_SPEC.extra> = {
  ...INDEXER_SPEC,
  version: VERSION,
  description: "indexes every Cloak pool on EVM and Solana and serves roots, paths, encrypted outputs and nullifiers",
  migrationsDir: MIGRATIONS_DIR,
  // The runbook's health-check script calls this path.
  healthAliases: ["/api/v1/health"],

  async dryRun({ config, logger, database }) {
    const sources = openSources(config, database!.pool, logger);
    const lines: string[] = [];
    for (const source of sources) {
      try {
        await checkChains([source], logger);
        lines.push(`${source.chain}: RPC reachable, head ${await source.head()}`);
      } catch (error) {
        lines.push(`${source.chain}: ${error instanceof Error ? error.message : String(error)}`);
      }
      for (const pool of source.pools) lines.push(`would index ${source.chain} pool ${pool.label} (${pool.id}) from block ${pool.startBlock}`);
      await source.close();
    }
    return lines;
  },

  async start({ config, logger, metrics, app, database }) {
    const db = database!.pool;
    const sources = openSources(config, db, logger);
    await checkChains(sources, logger);
    const pools: IndexedPool[] = sources.flatMap((source) => [...source.pools]);
    await store.registerPools(db, pools);
    const poseidon = await getPoseidon();
    const zeros = zeroHashes(poseidon);
    const started = Date.now();
    const state = await IndexerState.load(db, pools, poseidon, zeros, treeBuilder(poseidon, zeros), snapshotSource(config.snapshots.dir, poseidon, zeros, logger));
    logger.info({ pools: state.pools.map((entry) => ({ pool: entry.pool.id, trees: entry.published.trees, leaves: entry.published.leaves, block: entry.published.block })), ms: Date.now() - started }, "trees loaded");
    const ours = indexerMetrics(metrics);
    const bus = new PoolEventBus();
    registerRoutes({ app, state, db, metrics: ours });
    registerEventsRoute({ app, state, db, bus });
    const snapshots: Snapshotter = new Snapshotter({ db, policy: config.snapshots, state, metrics: ours, logger, isWriter: () => ingestor.isWriter });
    await snapshots.start();
    const ingestor = new Ingestor({
      pool: db,
      state,
      sources,
      bus,
      metrics: ours,
      logger,
      batchSize: config.merkle.batch_size,
      intervalMs: config.merkle.update_interval,
      afterCommit: (committed) => snapshots.afterCommit(committed),
    });
    ingestor.start();

    const rpc: Record<string, () => HealthStatus> = {};
    for (const source of sources) rpc[source.chain] = () => source.health();
    return {
      probes: {
        rpc,
        state: () => (state.mismatch ? "critical" : "healthy"),
        notReady: () => ingestor.notReady(),
        figures: () => ({
          writer: ingestor.isWriter,
          pools: Object.fromEntries(
            state.pools.map((entry) => {
              const head = state.heads.get(entry.pool.chain);
              return [
                entry.pool.id,
                {
                  chain: entry.pool.chain,
                  label: entry.pool.label,
                  [entry.pool.chain === "evm" ? "last_block" : "last_slot"]: entry.published.block,
                  lag: head === undefined ? null : Math.max(0, head - entry.published.block),
                  trees: entry.published.trees,
                  leaves: entry.published.leaves,
                  ...snapshots.figures(entry.pool.id),
                },
              ];
            }),
          ),
          ...(state.mismatch ? { root_mismatch: state.mismatch } : {}),
        }),
      },
      async stop() {
        await ingestor.stop();
        await snapshots.stop();
      },
    };
  },
};
