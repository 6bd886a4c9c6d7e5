import { existsSync } from "node:fs";
import { duration, integer, type BaseConfig } from "@cloak/service-kit";
import { z } from "zod";

/** The indexer's own section: tree snapshots (the runbook's snapshot and recovery procedures). */
export const snapshotsSection = z
  .strictObject({
    dir: z.string().min(1).default(".data/indexer/snapshots").describe("folder of snapshot files (<pool>-t<tree>-<size>.tree and its .sha256)"),
    every_leaves: integer(0, 1 << 20).default(10_000).describe("take a snapshot once a tree has this many leaves more than its newest one (0: never by count)"),
    interval: duration("10m").describe("also take one this long after the newest, if leaves were added"),
    keep: integer(1, 1000).default(10).describe("snapshots kept per tree; older ones are deleted"),
  })
  .prefault({});

export const INDEXER_SPEC = {
  service: "indexer",
  envPrefix: "INDEXER",
  defaultPort: 3001,
  sections: ["server", "database", "evm", "solana", "merkle", "logging"],
  extra: { snapshots: snapshotsSection },
} as const;

export type IndexerConfig = BaseConfig & { snapshots: z.output<typeof snapshotsSection> };

/** Where `npx hardhat deploy --network localhost` and `npm run localnet:deploy` record their deployments. */
export const LOCAL_DEPLOYMENTS = { evm: "deployments/localhost.json", solana: "deployments/solana-localnet.json" } as const;

/**
 * The deployment files to index: the configured ones; with none configured, the local chains' records
 * if they exist (so `npm run indexer` follows what the local deploy commands made).
 */
export function deploymentFiles(config: IndexerConfig): { evm?: string; solana?: string } {
  if (config.evm.deployment || config.solana.deployment) {
    return { ...(config.evm.deployment ? { evm: config.evm.deployment } : {}), ...(config.solana.deployment ? { solana: config.solana.deployment } : {}) };
  }
  return {
    ...(existsSync(LOCAL_DEPLOYMENTS.evm) ? { evm: LOCAL_DEPLOYMENTS.evm } : {}),
    ...(existsSync(LOCAL_DEPLOYMENTS.solana) ? { solana: LOCAL_DEPLOYMENTS.solana } : {}),
  };
}
