// The deploy-time rules that keep docs/governance.md's guarantees true on a real network. Local
// development chains are exempt so demos and tests can use short delays and small councils.
import { COUNCIL_MIN_THRESHOLD_PERCENT, EXIT_WINDOW, LOCAL_CHAIN_IDS } from "./constants.ts";
import { TaskError, TaskErrorCode } from "./errors.ts";

export function isLocalChain(chainId: bigint): boolean {
  return LOCAL_CHAIN_IDS.includes(chainId);
}

/**
 * A change must be public (scheduled) for at least the exit window, or users cannot know to leave before
 * it runs: the Orchestrator only checks that the pools were open, not that anyone saw the change coming.
 */
export function checkStandardDelay(chainId: bigint, standardDelay: bigint): void {
  if (isLocalChain(chainId) || standardDelay >= EXIT_WINDOW) return;
  throw new TaskError(
    TaskErrorCode.INVALID_ARGUMENT,
    `--standard-delay ${standardDelay} s is below the Orchestrator's EXIT_WINDOW (${EXIT_WINDOW} s) on chain ${chainId}: users would not see a verifier rotation or an upgrade for the whole window before it runs`,
  );
}

/** The smallest threshold that is at least 75 % of `owners`. */
export function minimumCouncilThreshold(owners: number): number {
  return Math.ceil((owners * COUNCIL_MIN_THRESHOLD_PERCENT) / 100);
}

/** L2BEAT Stage 1: the council that may bypass the exit window needs at least 75 % of its owners to act. */
export function checkCouncilThreshold(chainId: bigint, owners: number, threshold: number): void {
  if (isLocalChain(chainId) || threshold >= minimumCouncilThreshold(owners)) return;
  throw new TaskError(
    TaskErrorCode.INVALID_ARGUMENT,
    `security council threshold ${threshold} of ${owners} owners is below ${COUNCIL_MIN_THRESHOLD_PERCENT} % (at least ${minimumCouncilThreshold(owners)} of ${owners}) on chain ${chainId}: the council can skip the exit window, so no small group of its owners may act alone`,
  );
}
