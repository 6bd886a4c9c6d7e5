// The state check both chains' `state:verify` run: one pool's tree rebuilt from its history and compared
// with its roots, leaf count, nullifiers and balance. Pure, so it runs the same on live data and on an
// export.
import { EVM_ROOT_HISTORY_SIZE, MerkleTree, type PoseidonHasher } from "@cloak/sdk";
import { ZeroAddress, formatEther } from "ethers";
import { expectedPoolBalance, type PoolHistory } from "./pool-events.ts";
import { historyOf, type ExportedPool } from "./state-file.ts";

/** One pool as the check sees it, whether it comes from the chain or from an export. */
export interface PoolClaim {
  label: string;
  address: string;
  asset: string;
  levels: number;
  lastRoot: string;
  nextLeafIndex: number;
  balance: bigint;
  /** Only an export carries one; on chain the ring buffer is private. */
  rootHistory?: readonly string[];
  history: PoolHistory;
}

export interface PoolVerification {
  label: string;
  address: string;
  leaves: number;
  rebuiltRoot: string;
  claimedRoot: string;
  balance: bigint;
  /** Σ extAmount − Σ fee over the pool's Transact events. */
  expectedBalance: bigint;
  /** balance − expectedBalance: positive when value reached the pool outside transact (force-sent ETH, a direct token transfer). */
  surplus: bigint;
  problems: string[];
  notes: string[];
}

/** A pool of an export file (either chain's) as the check sees it. */
export function claimOfExport(
  pool: Pick<ExportedPool, "label" | "address" | "asset" | "levels" | "lastRoot" | "nextLeafIndex" | "balance" | "rootHistory" | "commitments" | "nullifiers" | "transacts">,
): PoolClaim {
  return {
    label: pool.label,
    address: pool.address,
    asset: pool.asset,
    levels: pool.levels,
    lastRoot: pool.lastRoot,
    nextLeafIndex: pool.nextLeafIndex,
    balance: BigInt(pool.balance),
    rootHistory: pool.rootHistory,
    history: historyOf(pool),
  };
}

const hex32 = (value: bigint) => `0x${value.toString(16).padStart(64, "0")}`;

/** Every check on one pool; pure, so it runs the same on live data and on an export. */
export function verifyPool(claim: PoolClaim, poseidon: PoseidonHasher): PoolVerification {
  const problems: string[] = [];
  const notes: string[] = [];
  const { commitments, nullifiers, transacts } = claim.history;

  // Leaves run (0, 0), (0, 1), ... and a full tree rolls over to (tree + 1, 0).
  const gap = commitments.findIndex((c, i) => {
    const previous = commitments[i - 1] ?? { tree: -1, index: Number.POSITIVE_INFINITY };
    return !(c.tree === previous.tree && c.index === previous.index + 1) && !(c.tree === previous.tree + 1 && c.index === 0);
  });
  if (gap >= 0) problems.push(`leaf positions are not contiguous from (tree 0, index 0): position ${gap} holds (tree ${commitments[gap]!.tree}, index ${commitments[gap]!.index})`);
  const currentTree = commitments.length ? commitments[commitments.length - 1]!.tree : 0;
  const inCurrentTree = commitments.filter((c) => c.tree === currentTree).length;
  if (inCurrentTree !== claim.nextLeafIndex) problems.push(`${inCurrentTree} commitments in tree ${currentTree}, but nextLeafIndex is ${claim.nextLeafIndex}`);
  if (commitments.length !== 2 * transacts.length) problems.push(`${commitments.length} commitments for ${transacts.length} transactions (each appends exactly 2)`);
  if (nullifiers.length !== 2 * transacts.length) problems.push(`${nullifiers.length} nullifiers for ${transacts.length} transactions (each spends exactly 2)`);
  const seen = new Set<string>();
  for (const n of nullifiers) {
    const key = BigInt(n.nullifier).toString();
    if (seen.has(key)) problems.push(`nullifier ${n.nullifier} appears twice (tx ${n.transactionHash})`);
    seen.add(key);
  }

  // One insert per transaction, as the pool does, so each intermediate root can be checked against the
  // root its Transact event announced: a tampered leaf is located at the transaction where it diverges.
  let tree = new MerkleTree(claim.levels, poseidon, { rootHistorySize: EVM_ROOT_HISTORY_SIZE });
  // Every root the pool recorded, across trees, oldest first: what its root history is a suffix of.
  const roots = [tree.root];
  let diverged = false;
  try {
    for (let pair = 0; 2 * pair < commitments.length; pair++) {
      const pairCommitments = commitments.slice(2 * pair, 2 * pair + 2);
      // A full tree rolled over: the pair opens a fresh tree (its final root stays known on chain).
      if (pair > 0 && pairCommitments[0]!.tree !== commitments[2 * pair - 1]!.tree) {
        tree = new MerkleTree(claim.levels, poseidon, { rootHistorySize: EVM_ROOT_HISTORY_SIZE });
      }
      const leaves = pairCommitments.map((c) => BigInt(c.commitment));
      tree.insertMany(leaves);
      roots.push(tree.root);
      const announced = transacts[pair];
      if (!diverged && announced && BigInt(announced.newRoot) !== tree.root) {
        diverged = true;
        problems.push(
          `after leaves ${2 * pair}..${2 * pair + leaves.length - 1} the rebuilt root is ${hex32(tree.root)}, but the Transact of tx ${announced.transactionHash} announced ${announced.newRoot}`,
        );
      }
    }
  } catch (error) {
    problems.push(`the commitments cannot be inserted: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (tree.root !== BigInt(claim.lastRoot)) problems.push(`rebuilt root ${hex32(tree.root)} differs from the pool's last root ${claim.lastRoot}`);
  if (claim.rootHistory) {
    const rebuilt = roots.slice(-claim.rootHistory.length).map(hex32);
    const claimed = claim.rootHistory.map((r) => hex32(BigInt(r)));
    if (rebuilt.length !== claimed.length || rebuilt.some((r, i) => r !== claimed[i])) problems.push("the recorded root history is not the sequence of roots the commitments produce");
  }

  const expectedBalance = expectedPoolBalance(transacts);
  const surplus = claim.balance - expectedBalance;
  if (surplus < 0n) {
    problems.push(`the pool holds ${claim.balance}, ${-surplus} less than its transactions leave it (deposits − withdrawals − fees = ${expectedBalance})`);
  } else if (surplus > 0n) {
    notes.push(`the pool holds ${surplus} more than its transactions account for: value sent outside transact (force-sent ETH or a direct token transfer), which no note can withdraw`);
  }

  return { label: claim.label, address: claim.address, leaves: commitments.length, rebuiltRoot: hex32(tree.root), claimedRoot: claim.lastRoot, balance: claim.balance, expectedBalance, surplus, problems, notes };
}

