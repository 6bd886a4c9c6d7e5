import { RpcEndpoints, type BaseConfig, type HealthStatus } from "@cloak/service-kit";
import { currentRoot, decodeCommitmentTree, fetchAddressSignatures, fetchTransactedEvents, treePda, type TransactedEvent } from "@cloak/sdk/solana";
import { Connection, PublicKey, type ConfirmedSignatureInfo } from "@solana/web3.js";
import type { Logger } from "pino";
import { IndexerError, IndexerErrorCode } from "../errors.ts";
import type { ChainCursor, ChainSource, IndexedPool, PoolBatch, PoolTransaction, SourceStep } from "../ingest/types.ts";

export interface SolanaSourceOptions {
  readonly config: BaseConfig["solana"];
  readonly pools: readonly IndexedPool[];
  readonly programId: string;
  readonly genesisHash: string;
  readonly logger: Logger;
}

/**
 * The Solana pools of a deployment as a stream of batches: each pool's new transactions are listed with
 * getSignaturesForAddress (the SDK's fetchAddressSignatures: paged backwards with `before`, stopping at
 * the cursor's signature with `until` and at the cursor's slot), read oldest first with getTransaction,
 * and their `Transacted` events (inner instructions) become the batch. Failed transactions took no effect
 * and are skipped. Only complete slots are read (up to head()) and a batch ends at a slot boundary, so a
 * cursor's slot is always applied whole: the node may list one slot's transactions in any order, and the
 * slot, not the order, says what is done.
 */
export class SolanaSource implements ChainSource {
  readonly chain = "solana" as const;
  readonly pools: readonly IndexedPool[];
  readonly #rpc: RpcEndpoints;
  readonly #connections = new Map<string, Connection>();
  readonly #options: SolanaSourceOptions;
  readonly #programId: PublicKey;
  /** getSignaturesForAddress through the endpoints' retries, one page a call. */
  readonly #signatures: Pick<Connection, "getSignaturesForAddress"> = {
    getSignaturesForAddress: (address, options, commitment) => this.#call((connection) => connection.getSignaturesForAddress(address, options, commitment)),
  };
  /**
   * Per pool, what the last listing found beyond the batch handed out, and the cursor that batch ends at:
   * a catch-up of many batches lists the history once, not once a batch.
   */
  readonly #backlog = new Map<string, { after: ChainCursor; entries: ConfirmedSignatureInfo[] }>();

  constructor(options: SolanaSourceOptions) {
    this.#options = options;
    this.pools = options.pools;
    this.#programId = new PublicKey(options.programId);
    this.#rpc = new RpcEndpoints({ name: "solana", urls: [options.config.rpc_url], timeoutMs: options.config.timeout, retries: options.config.retries, maxCallsPerSecond: options.config.rate_limit, logger: options.logger });
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

  /**
   * The newest slot whose transactions are all listed: the one before the slot getSlot names, because a
   * node may still be adding transactions to that one (the local node answers its open slot). Ingest
   * reads up to here and no further, and a quiet pool's cursor moves up to here (Ingestor #idle).
   */
  async head(): Promise<number> {
    return Math.max(0, (await this.#call((connection) => connection.getSlot(this.#options.config.commitment))) - 1);
  }

  /** The pool's transactions after the cursor up to slot `head`, oldest first. */
  async #newSignatures(pool: IndexedPool, cursor: ChainCursor | null, head: number): Promise<ConfirmedSignatureInfo[]> {
    const commitment = this.#options.config.commitment;
    const kept = this.#backlog.get(pool.id);
    this.#backlog.delete(pool.id);
    const known = kept && cursor && kept.after.block === cursor.block && kept.after.signature === cursor.signature ? kept.entries : [];
    const newest = known.at(-1);
    // Past the newest transaction known: the node lists an address's transactions in the order it
    // processed them, so everything after `until` is new, a later transaction of the same slot included
    // (a slot bound as well would drop that one). With no signature (a fresh start, a rollback, a pool
    // without transactions) the slot alone says what is applied.
    const signature = newest?.signature ?? cursor?.signature ?? undefined;
    const bound = signature ? { until: signature } : { fromSlot: (cursor?.block ?? pool.startBlock - 1) + 1 };
    const listed = await fetchAddressSignatures(this.#signatures, new PublicKey(pool.address), { ...bound, commitment });
    this.#options.logger.debug({ pool: pool.id, kept: known.length, listed: listed.length }, "solana: signatures listed");
    // A later slot may still be filling up: it is listed again once it is complete.
    return [...known, ...listed.filter((entry) => entry.slot <= head)];
  }

  async next(cursors: ReadonlyMap<string, ChainCursor | null>, maxLeaves: number): Promise<SourceStep> {
    const batches: PoolBatch[] = [];
    const head = await this.head();
    for (const pool of this.pools) {
      const listed = await this.#newSignatures(pool, cursors.get(pool.id) ?? null, head);
      if (listed.length === 0) continue;
      const transactions: PoolTransaction[] = [];
      let taken = 0;
      let read = 0;
      let leaves = 0;
      for (const entry of listed) {
        // Only whole slots: stop at the first transaction of a later slot once the batch is full (of
        // commitments, or of transactions read: a run without events must not make one endless batch).
        if ((leaves >= maxLeaves || read >= maxLeaves) && entry.slot > listed[taken - 1]!.slot) break;
        taken += 1;
        if (entry.err !== null) continue;
        read += 1;
        const events = await this.#call((connection) => fetchTransactedEvents(connection, entry.signature, { programId: this.#programId, commitment: this.#options.config.commitment, required: true }));
        for (const event of events.filter((candidate) => candidate.pool.toBase58() === pool.address)) {
          transactions.push(toTransaction(event, entry));
          leaves += event.outputCommitments.length;
        }
      }
      const last = listed[taken - 1]!;
      const cursor: ChainCursor = { block: last.slot, blockHash: null, signature: last.signature };
      if (taken < listed.length) this.#backlog.set(pool.id, { after: cursor, entries: listed.slice(taken) });
      batches.push({ pool: pool.id, transactions: orderByLeaf(transactions), cursor });
    }
    return batches.length === 0 ? { kind: "idle" } : { kind: "batch", batches, blocks: [] };
  }

  /** The pool's tree account now: its tree number and current root, at the slot the node read it. */
  async chainRoot(poolId: string): Promise<{ tree: number; root: bigint | null; block: number }> {
    const pool = this.pools.find((candidate) => candidate.id === poolId)!;
    const address = treePda(new PublicKey(pool.address), this.#programId)[0];
    const { context, value } = await this.#call((connection) => connection.getAccountInfoAndContext(address, this.#options.config.commitment));
    if (!value) throw new IndexerError(IndexerErrorCode.CHAIN_MISMATCH, `pool ${pool.label} (${pool.id}) has no tree account ${address.toBase58()} on ${this.#options.config.rpc_url}`);
    const { tree } = decodeCommitmentTree(value.data);
    // Before its first transaction a pool has no root worth comparing.
    const root = tree.treeNumber === 0n && tree.nextIndex === 0n ? null : currentRoot(tree);
    return { tree: Number(tree.treeNumber), root, block: context.slot };
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
