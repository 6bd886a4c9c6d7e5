import type { ServiceMetrics } from "@cloak/service-kit";
import { Counter, Gauge, Histogram } from "prom-client";

/** The indexer's metrics, with the runbook's names where it has them. */
export function indexerMetrics(metrics: ServiceMetrics) {
  const registers = [metrics.registry];
  return {
    depositsTotal: new Counter({ name: "deposits_total", help: "Deposit transactions indexed (value into a pool)", labelNames: ["pool"] as const, registers }),
    merkleUpdatesTotal: new Counter({ name: "merkle_updates_total", help: "Transactions applied to the Merkle trees", labelNames: ["pool"] as const, registers }),
    commitmentsTotal: new Counter({ name: "indexer_commitments_total", help: "Commitments indexed", labelNames: ["pool"] as const, registers }),
    nullifiersTotal: new Counter({ name: "indexer_nullifiers_total", help: "Nullifiers indexed", labelNames: ["pool"] as const, registers }),
    proofRequestsTotal: new Counter({ name: "proof_requests_total", help: "Merkle path requests served", labelNames: ["status"] as const, registers }),
    proofGenerationSeconds: new Histogram({
      name: "proof_generation_seconds",
      help: "Time to serve one Merkle path (the runbook's proof generation)",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1, 1],
      registers,
    }),
    lastBlock: new Gauge({ name: "indexer_last_block", help: "Last EVM block indexed per pool", labelNames: ["pool"] as const, registers }),
    lastSlot: new Gauge({ name: "indexer_last_slot", help: "Last Solana slot indexed per pool", labelNames: ["pool"] as const, registers }),
    lag: new Gauge({ name: "indexer_lag_blocks", help: "Blocks (EVM) or slots (Solana) between the chain head and the last indexed", labelNames: ["pool", "chain"] as const, registers }),
    snapshotAge: new Gauge({ name: "indexer_snapshot_age_seconds", help: "Age of the newest snapshot per pool", labelNames: ["pool"] as const, registers }),
    snapshotLag: new Gauge({ name: "indexer_snapshot_lag_leaves", help: "Leaves indexed since the newest snapshot per pool", labelNames: ["pool"] as const, registers }),
    rootMismatch: new Gauge({ name: "indexer_root_mismatch", help: "1 while a computed root differs from the chain's and ingest is stopped", registers }),
    writer: new Gauge({ name: "indexer_writer", help: "1 while this instance holds the writer lease and ingests", registers }),
    reorgsTotal: new Counter({ name: "indexer_reorgs_total", help: "Chain reorganisations rolled back", labelNames: ["chain"] as const, registers }),
    ingestErrorsTotal: new Counter({ name: "indexer_ingest_errors_total", help: "Ingest rounds that failed (RPC or database), retried", labelNames: ["chain"] as const, registers }),
  };
}

export type IndexerMetrics = ReturnType<typeof indexerMetrics>;
