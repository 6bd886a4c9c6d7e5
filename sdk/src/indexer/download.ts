// The private way to start a wallet from an indexer: download everything (every leaf with its encrypted
// output, every spent nullifier) rather than ask about one's own notes, so the indexer learns nothing
// about which notes are the wallet's. PoolSync.fromIndexer and SolanaPoolSync.fromIndexer build their
// trees from this locally and check the result against the chain.
import { getBytes } from "ethers";
import { CloakError, ErrorCode } from "../errors.js";
import type { IndexerClient, IndexerPool } from "./client.js";

export interface DownloadedLeaf {
  index: number;
  commitment: bigint;
  ciphertext: Uint8Array;
  tx: string;
}

export interface DownloadedTree {
  leaves: DownloadedLeaf[];
  /** The indexer's newest root of a finished tree (its final root); undefined for the current tree. */
  finalRoot: bigint | undefined;
}

/** A pool as the indexer had it at one block: `pool.block`, `pool.leaves` and `pool.root` describe it. */
export interface DownloadedPool {
  pool: IndexerPool;
  trees: DownloadedTree[];
  /** Nullifiers spent up to `pool.block`. */
  nullifiers: bigint[];
}

/**
 * Every tree and the nullifier set of `poolId`, cut at the block the indexer reported first: leaves of
 * the current tree past `pool.leaves` and nullifiers after `pool.block` arrived while downloading and are
 * left to the chain sync that follows, so the result is one consistent state.
 */
export async function downloadPool(client: IndexerClient, poolId: string): Promise<DownloadedPool> {
  const pool = await client.pool(poolId);
  const trees: DownloadedTree[] = [];
  for (let tree = 0; tree < pool.trees; tree++) {
    const current = tree === pool.trees - 1;
    const leaves: DownloadedLeaf[] = [];
    for await (const leaf of client.allCommitments(poolId, { tree })) {
      if (current && leaf.index >= pool.leaves) break;
      if (leaf.index !== leaves.length) {
        throw new CloakError(ErrorCode.INVALID_SNAPSHOT, `indexer pool ${poolId}: tree ${tree} sent leaf ${leaf.index} where leaf ${leaves.length} was due`);
      }
      leaves.push({ index: leaf.index, commitment: BigInt(leaf.commitment), ciphertext: getBytes(leaf.encryptedOutput), tx: leaf.tx });
    }
    const finalRoot = current ? undefined : BigInt((await client.roots(poolId, { tree, limit: 1 })).latest);
    trees.push({ leaves, finalRoot });
  }
  const nullifiers: bigint[] = [];
  for await (const entry of client.allNullifiers(poolId)) {
    if (entry.block <= pool.block) nullifiers.push(BigInt(entry.nullifier));
  }
  return { pool, trees, nullifiers };
}
