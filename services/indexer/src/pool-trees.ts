import { toHex32, type PoseidonHasher } from "@cloak/sdk";
import { IndexerError, IndexerErrorCode } from "./errors.ts";
import type { CommitmentRecord, PoolTransaction } from "./ingest/types.ts";
import { IndexedTree } from "./tree.ts";

/** A root the trees computed after a transaction, keyed like the `roots` table. */
export interface ComputedRoot {
  readonly tree: number;
  readonly size: number;
  readonly root: bigint;
  readonly tx: string;
  readonly block: number;
}

/**
 * A pool's trees in memory: tree 0, then each next one when the previous fills. Transactions are
 * applied in chain order, and each one's root must equal the root the chain recorded, or nothing of
 * the transaction is kept and ROOT_MISMATCH is thrown (the indexer then stops ingesting).
 */
export class PoolTrees {
  readonly trees: IndexedTree[];

  constructor(
    readonly pool: string,
    readonly poseidon: PoseidonHasher,
    readonly zeros: readonly bigint[],
    trees?: IndexedTree[],
  ) {
    this.trees = trees && trees.length > 0 ? trees : [new IndexedTree(poseidon, zeros)];
  }

  get current(): IndexedTree {
    return this.trees[this.trees.length - 1]!;
  }

  get currentNumber(): number {
    return this.trees.length - 1;
  }

  tree(number: number): IndexedTree | undefined {
    return this.trees[number];
  }

  /** Where the next commitment must go: (tree, index). */
  next(): { tree: number; index: number } {
    return this.current.size === this.current.capacity ? { tree: this.trees.length, index: 0 } : { tree: this.currentNumber, index: this.current.size };
  }

  /** Checks the order of a transaction's commitments without changing anything. */
  #checkOrder(commitments: readonly CommitmentRecord[]): void {
    let { tree, index } = this.next();
    for (const commitment of commitments) {
      if (commitment.tree !== tree || commitment.index !== index) {
        throw new IndexerError(
          IndexerErrorCode.OUT_OF_ORDER,
          `pool ${this.pool}: commitment (tree ${commitment.tree}, index ${commitment.index}) arrived when (tree ${tree}, index ${index}) was expected`,
        );
      }
      index += 1;
    }
  }

  /** How many leaves each tree holds, to undo what a failed write applied. */
  sizes(): number[] {
    return this.trees.map((tree) => tree.size);
  }

  /** Back to `sizes` (from sizes()): later trees are dropped, the others truncated. */
  restore(sizes: readonly number[]): void {
    this.trees.length = Math.max(1, sizes.length);
    for (const [number, size] of sizes.entries()) this.trees[number]!.truncate(size);
  }

  /** Applies transactions in order; returns the root after each. */
  apply(transactions: readonly PoolTransaction[]): ComputedRoot[] {
    const roots: ComputedRoot[] = [];
    for (const transaction of transactions) {
      if (transaction.commitments.length === 0) continue;
      this.#checkOrder(transaction.commitments);
      const number = transaction.commitments[0]!.tree;
      if (number === this.trees.length) this.trees.push(new IndexedTree(this.poseidon, this.zeros));
      const tree = this.trees[number]!;
      const before = tree.size;
      const root = tree.append(transaction.commitments.map((c) => c.commitment));
      if (root !== transaction.chainRoot) {
        throw new IndexerError(
          IndexerErrorCode.ROOT_MISMATCH,
          `pool ${this.pool}: tree ${number} with ${before + transaction.commitments.length} leaves hashes to ${toHex32(root)}, but the chain recorded ${toHex32(transaction.chainRoot)} (tx ${transaction.tx})`,
        );
      }
      roots.push({ tree: number, size: tree.size, root, tx: transaction.tx, block: transaction.block });
    }
    return roots;
  }
}
