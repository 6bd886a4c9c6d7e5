import type { ServiceMetrics } from "@cloak/service-kit";
import { Counter, Gauge, Histogram } from "prom-client";
import type { JobQueue } from "./queue/index.ts";

/** The relay's metrics, with the runbook's names where it has them. */
export function relayMetrics(metrics: ServiceMetrics, queue: JobQueue) {
  const registers = [metrics.registry];
  const completed = new Counter({ name: "jobs_completed_total", help: "Jobs confirmed on chain", labelNames: ["chain"] as const, registers });
  const failed = new Counter({ name: "jobs_failed_total", help: "Job attempts that failed (retried or final)", labelNames: ["chain", "final"] as const, registers });
  let confirmedCount = 0;
  let finalFailures = 0;
  return {
    withdrawalsTotal: new Counter({ name: "withdrawals_total", help: "Withdrawals accepted by the intake", labelNames: ["chain"] as const, registers }),
    refusalsTotal: new Counter({ name: "relay_intake_refusals_total", help: "Requests refused by the intake, by reason (RETIRED_VERIFYING_KEY: proofs for a retired key)", labelNames: ["reason"] as const, registers }),
    jobsQueued: new Gauge({
      name: "jobs_queued",
      help: "Jobs waiting in the queue",
      registers,
      async collect() {
        this.set((await queue.counts()).byState.queued);
      },
    }),
    jobsProcessing: new Gauge({
      name: "jobs_processing",
      help: "Jobs being submitted or awaiting confirmation",
      registers,
      async collect() {
        const { byState } = await queue.counts();
        this.set(byState.processing + byState.sent);
      },
    }),
    successRate: new Gauge({
      name: "transaction_success_rate",
      help: "Confirmed jobs over jobs finished (confirmed or finally failed) since start",
      registers,
      collect() {
        const finished = confirmedCount + finalFailures;
        this.set(finished === 0 ? 1 : confirmedCount / finished);
      },
    }),
    gasUsed: new Histogram({ name: "relay_evm_gas_used", help: "Gas used per relayed EVM transaction", buckets: [200_000, 400_000, 600_000, 800_000, 1_000_000, 1_500_000], registers }),
    computeUnits: new Histogram({
      name: "relay_solana_compute_units",
      help: "Compute units used per relayed Solana transaction (the local node charges natively run programs 1 CU per instruction)",
      buckets: [10, 1_000, 50_000, 100_000, 150_000, 200_000, 300_000, 400_000],
      registers,
    }),
    powClaimsFound: new Counter({ name: "pow_claims_found_total", help: "Usable PoW claims found in the scramble registry for relayed Solana withdrawals", registers }),
    powClaimsConsumed: new Counter({ name: "pow_claims_consumed_total", help: "PoW claims consumed by confirmed relayed Solana withdrawals (the miner paid)", registers }),
    balance: new Gauge({ name: "relay_balance", help: "The relayer account's balance, in the chain's smallest unit", labelNames: ["chain", "address"] as const, registers }),
    confirmed(chain: string) {
      confirmedCount += 1;
      completed.inc({ chain });
    },
    failed(chain: string, final: boolean) {
      if (final) finalFailures += 1;
      failed.inc({ chain, final: String(final) });
    },
  };
}

export type RelayMetrics = ReturnType<typeof relayMetrics>;
