// Each pool of a deployment as state:export writes it and state:verify checks it: the on-chain tree and
// vault, and the history its Transacted events tell.
import { PublicKey, type Connection } from "@solana/web3.js";
import { currentRoot, fetchCommitmentTree, fetchPool, knownRoots } from "@cloak/sdk/solana";
import { bytesToBigInt } from "@cloak/sdk";
import { TaskError, TaskErrorCode } from "../../lib/errors.ts";
import { exportHistory, type ExportedPool } from "../../lib/state-file.ts";
import type { SolanaDeployment } from "./deployment.ts";
import { isNativeMint } from "./deployment.ts";
import { poolHistory, type SolanaChainEvent } from "./program-events.ts";

export const SOLANA_STATE_FORMAT = "cloak-solana-state/1";

const hex32 = (value: bigint) => `0x${value.toString(16).padStart(64, "0")}`;

export interface ExportedSolanaPool extends Pick<ExportedPool, "commitments" | "nullifiers" | "transacts"> {
  /** Its name in the deployment (sol, token). */
  label: string;
  /** The pool PDA. */
  address: string;
  /** The pool's mint; the zero key for SOL. */
  asset: string;
  vault: string;
  tree: string;
  levels: number;
  /** The current tree: 0, then + 1 at each rollover. */
  treeNumber: number;
  /** Leaves in the current tree. */
  nextLeafIndex: number;
  lastRoot: string;
  /** The roots the pool accepts now, oldest first, the last being lastRoot (its ring of 4,096). */
  rootHistory: string[];
  /** Final roots of the retired trees 0 .. treeNumber - 1. */
  retiredRoots: string[];
  maxDeposit: string;
  maxFee: string;
  /** The vault's lamports (SOL) or token amount. */
  vaultBalance: string;
  /** Rent-exempt lamports a SOL vault keeps besides the pool's funds; 0 for a token vault. */
  vaultRent: string;
  /** What the pool's notes can claim: vaultBalance − vaultRent. */
  balance: string;
}

/** The pools' state now, with their histories from `events`. */
export async function readPoolStates(connection: Connection, record: SolanaDeployment, shieldPool: PublicKey, events: readonly SolanaChainEvent[]): Promise<ExportedSolanaPool[]> {
  const pools: ExportedSolanaPool[] = [];
  for (const [label, entry] of Object.entries(record.pools)) {
    const poolKey = new PublicKey(entry.pool);
    const pool = await fetchPool(connection, poolKey, { programId: shieldPool });
    const tree = await fetchCommitmentTree(connection, new PublicKey(entry.tree), { programId: shieldPool });
    if (!pool || !tree) throw new TaskError(TaskErrorCode.STATE_UNAVAILABLE, `pool ${label}: ${entry.pool} or its tree ${entry.tree} does not exist on the cluster`);
    const native = isNativeMint(entry.mint);
    const vault = new PublicKey(entry.vault);
    const vaultBalance = native ? BigInt(await connection.getBalance(vault)) : BigInt((await connection.getTokenAccountBalance(vault)).value.amount);
    const vaultRent = native ? BigInt(await connection.getMinimumBalanceForRentExemption(0)) : 0n;
    pools.push({
      label,
      address: entry.pool,
      asset: entry.mint,
      vault: entry.vault,
      tree: entry.tree,
      levels: tree.tree.filledSubtrees.length,
      treeNumber: Number(tree.tree.treeNumber),
      nextLeafIndex: Number(tree.tree.nextIndex),
      lastRoot: hex32(currentRoot(tree.tree)),
      rootHistory: knownRoots(tree.tree).reverse().map(hex32),
      retiredRoots: tree.retiredRoots.map((root) => hex32(bytesToBigInt(root))),
      maxDeposit: pool.maxDeposit.toString(),
      maxFee: pool.maxFee.toString(),
      vaultBalance: vaultBalance.toString(),
      vaultRent: vaultRent.toString(),
      balance: (vaultBalance - vaultRent).toString(),
      ...exportHistory(poolHistory(events, poolKey)),
    });
  }
  return pools;
}
