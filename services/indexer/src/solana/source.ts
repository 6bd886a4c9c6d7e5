import { RpcEndpoints, type BaseConfig, type HealthStatus } from "@cloak/service-kit";
import { fetchTransactedEvents, type TransactedEvent } from "@cloak/sdk/solana";
import { Connection, PublicKey, type ConfirmedSignatureInfo } from "@solana/web3.js";
import type { Logger } from "pino";
import { IndexerError, IndexerErrorCode } from "../errors.ts";
import type { ChainCursor, ChainSource, IndexedPool, PoolBatch, PoolTransaction, SourceStep } from "../ingest/types.ts";

/** getSignaturesForAddress's largest page. */
const SIGNATURE_PAGE = 1000;

export interface SolanaSourceOptions {
  readonly config: BaseConfig["solana"];
  readonly pools: readonly IndexedPool[];
  readonly programId: string;
  readonly genesisHash: string;
  readonly logger: Logger;
}

/**
 * The Solana pools of a deployment as a stream of batches: each pool's new transactions are listed with
 * getSignaturesForAddress (paged backwards with `before`, stopping at the cursor's signature with
 * `until`), read oldest first with getTransaction, and their `Transacted` events (inner instructions)
 * become the batch. Failed transactions took no effect and are skipped.
 */
export class SolanaSource implements ChainSource {
  readonly chain = "solana" as const;
  readonly pools: readonly IndexedPool[];
  readonly #rpc: RpcEndpoints;
  readonly #connections = new Map<string, Connection>();
  readonly #options: SolanaSourceOptions;
  readonly #programId: PublicKey;

  constructor(options: SolanaSourceOptions) {
    this.#options = options;
    this.pools = options.pools;
    this.#programId = new PublicKey(options.programId);
    this.#rpc = new RpcEndpoints({ name: "solana", urls: [options.config.rpc_url], timeoutMs: options.config.timeout, retries: options.config.retries, logger: options.logger });
  }

  #call<T>(run: (connection: Connection) => Promise<T>): Promise<T> {
    return this.#rpc.call((url) => {
      let connection = this.#connections.get(url);
      if (!connection) this.#connections.set(url, (connection = new Connection(url, { commitment: this.#options.config.commitment, disableRetryOnRateLimit: true })));
      return run(connection);
    });
  }

  /** Refuses a node of another cluster than the deployment file's. */
  async checkChain(): Promise<void> {
    const genesis = await this.#call((connection) => connection.getGenesisHash());
    if (genesis !== this.#options.genesisHash) {
      throw new IndexerError(IndexerErrorCode.CHAIN_MISMATCH, `solana.deployment is for the cluster with genesis hash ${this.#options.genesisHash}, but ${this.#options.config.rpc_url} answers with ${genesis}`);
    }
  }

  async head(): Promise<number> {
    return this.#call((connection) => connection.getSlot(this.#options.config.commitment));
  }

  /** The pool's transactions after `until`, oldest first. */
  async #newSignatures(pool: IndexedPool, cursor: ChainCursor | null): Promise<ConfirmedSignatureInfo[]> {
    const listed: ConfirmedSignatureInfo[] = [];
    // Without a signature (a fresh start, or after a rollback) the slot says what is already applied.
    const after = cursor?.block ?? pool.startBlock - 1;
    let before: string | undefined;
    for (;;) {
      const page = await this.#call((connection) =>
        connection.getSignaturesForAddress(
          new PublicKey(pool.address),
          { limit: SIGNATURE_PAGE, ...(before ? { before } : {}), ...(cursor?.signature ? { until: cursor.signature } : {}) },
          this.#options.config.commitment,
        ),
      );
      listed.push(...page);
      if (page.length < SIGNATURE_PAGE) break;
      // Pages run newest first: once one reaches what is applied, older pages hold nothing new.
      if (!cursor?.signature && page[page.length - 1]!.slot <= after) break;
      before = page[page.length - 1]!.signature;
    }
    return listed.reverse().filter((entry) => cursor?.signature || entry.slot > after);
  }

  async next(cursors: ReadonlyMap<string, ChainCursor | null>, maxLeaves: number): Promise<SourceStep> {
    const batches: PoolBatch[] = [];
    for (const pool of this.pools) {
      const cursor = cursors.get(pool.id) ?? null;
      const listed = await this.#newSignatures(pool, cursor);
      if (listed.length === 0) continue;
      const transactions: PoolTransaction[] = [];
      let last = listed[0]!;
      let leaves = 0;
      for (const entry of listed) {
        if (leaves >= maxLeaves) break;
        last = entry;
        if (entry.err !== null) continue;
        const events = await this.#call((connection) => fetchTransactedEvents(connection, entry.signature, { programId: this.#programId, commitment: this.#options.config.commitment }));
        for (const event of events.filter((candidate) => candidate.pool.toBase58() === pool.address)) {
          transactions.push(toTransaction(event, entry));
          leaves += 2;
        }
      }
      batches.push({ pool: pool.id, transactions: orderByLeaf(transactions), cursor: { block: last.slot, blockHash: null, signature: last.signature } });
    }
    return batches.length === 0 ? { kind: "idle" } : { kind: "batch", batches, blocks: [] };
  }

  async chainRoot(poolId: string): Promise<{ tree: number; root: bigint | null; block: number }> {
    const pool = this.pools.find((candidate) => candidate.id === poolId)!;
    // The newest Transacted event carries the pool's current root and tree.
    return this.#call(async (connection) => {
      const page = await connection.getSignaturesForAddress(new PublicKey(pool.address), { limit: 20 }, this.#options.config.commitment);
      for (const entry of page) {
        if (entry.err !== null) continue;
        const events = await fetchTransactedEvents(connection, entry.signature, { programId: this.#programId, commitment: this.#options.config.commitment });
        const event = events.filter((candidate) => candidate.pool.toBase58() === pool.address).at(-1);
        if (event) return { tree: Number(event.treeNumber), root: event.newRoot, block: entry.slot };
      }
      return { tree: 0, root: null, block: page[0]?.slot ?? 0 };
    });
  }

  health(): HealthStatus {
    return this.#rpc.health();
  }

  async close(): Promise<void> {}
}

function toTransaction(event: TransactedEvent, entry: ConfirmedSignatureInfo): PoolTransaction {
  const tree = Number(event.treeNumber);
  return {
    tx: entry.signature,
    block: entry.slot,
    commitments: event.outputCommitments.map((commitment, i) => ({ tree, index: event.firstLeafIndex + i, commitment, encryptedOutput: event.encryptedOutputs[i]! })),
    nullifiers: [...event.inputNullifiers],
    chainRoot: event.newRoot,
    extAmount: event.extAmount,
  };
}

/** Transactions of one slot may be listed in any order: the leaves say where each goes. */
function orderByLeaf(transactions: PoolTransaction[]): PoolTransaction[] {
  return transactions.sort((a, b) => {
    const x = a.commitments[0]!;
    const y = b.commitments[0]!;
    return x.tree - y.tree || x.index - y.index;
  });
}
