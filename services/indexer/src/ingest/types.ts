import type { HealthStatus } from "@cloak/service-kit";

export type Chain = "evm" | "solana";

/** A pool the indexer follows. Its id is the EVM address (lowercase hex) or the Solana pool PDA (base58). */
export interface IndexedPool {
  readonly id: string;
  readonly chain: Chain;
  readonly address: string;
  /** The EVM token address (zero address: native) or the Solana mint. */
  readonly asset: string;
  /** The deployment file's name for it, e.g. "ShieldPool.native" or "sol". */
  readonly label: string;
  /** The first block (EVM) or slot (Solana) worth reading: the pool's deployment. */
  readonly startBlock: number;
  /**
   * Which chain the pool lives on: "evm:<chain id>" or "solana:<genesis hash>". A restarted local chain
   * can reuse a pool's address; the database must not mix the old chain's state with the new one's.
   */
  readonly network: string;
}

export interface CommitmentRecord {
  readonly tree: number;
  readonly index: number;
  readonly commitment: bigint;
  readonly encryptedOutput: Uint8Array;
}

/** One pool transaction's effect, in chain order: its outputs, the nullifiers it spent, the root it left. */
export interface PoolTransaction {
  readonly tx: string;
  readonly block: number;
  readonly commitments: readonly CommitmentRecord[];
  readonly nullifiers: readonly bigint[];
  /** The root the chain recorded after this transaction (EVM `Transact.newRoot`, Solana `Transacted.newRoot`). */
  readonly chainRoot: bigint;
  /** Value into (+) or out of (-) the pool; positive is a deposit (the runbook's `deposits_total`). */
  readonly extAmount: bigint;
}

/** Where ingest of one pool stands: the last block (or slot) fully applied. */
export interface ChainCursor {
  readonly block: number;
  /** EVM: that block's hash, to notice a reorg. */
  readonly blockHash: string | null;
  /** Solana: the newest transaction applied, where the next getSignaturesForAddress stops (`until`). */
  readonly signature: string | null;
}

export interface PoolBatch {
  readonly pool: string;
  readonly transactions: readonly PoolTransaction[];
  readonly cursor: ChainCursor;
}

/** What a source found past the cursors: new transactions, or a reorg to undo first. */
export type SourceStep =
  | { readonly kind: "batch"; readonly batches: readonly PoolBatch[]; readonly blocks: readonly { number: number; hash: string }[] }
  | { readonly kind: "reorg"; readonly toBlock: number; readonly reason: string }
  | { readonly kind: "idle" };

/** A chain's pools as a stream of batches. */
export interface ChainSource {
  readonly chain: Chain;
  readonly pools: readonly IndexedPool[];
  /** Reads what follows the cursors (null: nothing indexed yet), at most about `maxLeaves` commitments. */
  next(cursors: ReadonlyMap<string, ChainCursor | null>, maxLeaves: number): Promise<SourceStep>;
  /** The newest block (slot) the source would read up to now, for lag. */
  head(): Promise<number>;
  /** A pool's current tree number and root on chain now (verify-state); root null: no transaction yet. */
  chainRoot(pool: string): Promise<{ tree: number; root: bigint | null; block: number }>;
  health(): HealthStatus;
  close(): Promise<void>;
}
