import type { Interface } from "ethers";
import type { Logger } from "pino";
import { RelayError, RelayErrorCode } from "./errors.ts";
import { evmTransactCalldata } from "./evm-transact.ts";
import { parseEvmRelayRequest } from "./intake/index.ts";
import type { JobHandler, JobQueue } from "./queue/index.ts";
import type { RelayMetrics } from "./relay-metrics.ts";
import { EvmRevertError, type EvmSender } from "./senders/evm/index.ts";

export interface EvmHandlerOptions {
  readonly queue: JobQueue;
  readonly sender: EvmSender;
  readonly pool: Interface;
  readonly confirmations: number;
  readonly timeoutMs: number;
  readonly metrics: RelayMetrics;
  readonly logger: Logger;
  /** The job will not be retried after this attempt fails (`[workers] retries` used up). */
  readonly isLastAttempt: (attempts: number) => boolean;
}

/**
 * One attempt at an EVM job: the sender stores the signed transaction before broadcasting it (a job
 * attempted again rebroadcasts the same one), the job records it as sent, then waits for the receipt.
 * A revert is final (the chain said no, with the pool's error as the reason); anything else is retried.
 */
export function evmJobHandler(options: EvmHandlerOptions): JobHandler {
  const { queue, sender, metrics } = options;
  return async (job) => {
    try {
      const request = parseEvmRelayRequest(job.request);
      const stored = await sender.submit(job.id, { to: request.pool, data: evmTransactCalldata(options.pool, request) });
      await queue.markSent({ id: job.id, leaseOwner: job.leaseOwner, attempts: job.attempts }, { txHash: stored.hash, signedTx: stored.rawTx, nonce: stored.nonce, sender: sender.address });
      const confirmation = await sender.waitConfirmed(job.id, options.confirmations, options.timeoutMs);
      if (confirmation.kind === "filler") {
        metrics.failed("evm", true);
        return { status: "failed", reason: `abandoned: its nonce went to a filler transaction ${confirmation.hash}`, retryable: false };
      }
      metrics.gasUsed.observe(Number(confirmation.gasUsed));
      metrics.confirmed("evm");
      return { status: "confirmed", detail: `${confirmation.hash} in block ${confirmation.blockNumber}` };
    } catch (error) {
      const final = error instanceof EvmRevertError || (error instanceof RelayError && error.code === RelayErrorCode.INVALID_REQUEST);
      const last = options.isLastAttempt(job.attempts);
      metrics.failed("evm", final || last);
      if (final) return { status: "failed", reason: (error as Error).message, retryable: false };
      if (last) {
        // The job goes dead: its stored transaction must not land later (a broadcast fills nonce gaps with
        // stored transactions), so its nonce goes to a self-transfer at replacement fees instead.
        const filler = await sender.abandon(job.id).catch(() => null);
        const reason = error instanceof Error ? error.message : String(error);
        return { status: "failed", reason: filler ? `${reason}; given up: nonce ${filler.nonce} goes to filler ${filler.hash}` : reason, retryable: true };
      }
      // A stuck transaction is replaced with higher fees at the same nonce before the next attempt.
      if (error instanceof RelayError && error.code === RelayErrorCode.EVM_CONFIRMATION_TIMEOUT) await sender.bumpIfStuck(job.id, 0).catch(() => null);
      options.logger.warn({ job: job.id, err: error }, "evm job attempt failed; it will be retried");
      return { status: "failed", reason: error instanceof Error ? error.message : String(error), retryable: true };
    }
  };
}
