import { isRangeRefusal } from "@cloak/sdk";
import { RpcEndpoints, type BaseConfig, type HealthStatus } from "@cloak/service-kit";
import { Contract, FetchRequest, Interface, JsonRpcProvider, getBytes, type Log } from "ethers";
import type { Logger } from "pino";
import { IndexerError, IndexerErrorCode } from "../errors.ts";
import type { ChainCursor, ChainSource, CommitmentRecord, IndexedPool, PoolBatch, PoolTransaction, SourceStep } from "../ingest/types.ts";

const POOL_EVENTS = new Interface([
  "event NewCommitment(bytes32 indexed commitment, uint256 indexed tree, uint256 indexed index, bytes encryptedOutput)",
  "event NewNullifier(bytes32 indexed nullifier)",
  "event Transact(int256 extAmount, uint256 fee, address indexed recipient, address indexed relayer, bytes32 newRoot)",
  "function getLastRoot() view returns (bytes32)",
  "function currentTreeNumber() view returns (uint256)",
]);
const TOPICS = ["NewCommitment", "NewNullifier", "Transact"].map((name) => POOL_EVENTS.getEvent(name)!.topicHash);

/** Blocks asked for in one eth_getLogs at first; a refused range is halved, a served one lets it grow back. */
const INITIAL_RANGE = 2_000;
const MAX_RANGE = 10_000;

export interface EvmSourceOptions {
  readonly config: BaseConfig["evm"];
  readonly pools: readonly IndexedPool[];
  readonly logger: Logger;
  /** The hash the database recorded for a block (reorg detection), or null. */
  readonly storedBlockHash: (number: number) => Promise<string | null>;
  readonly storedBlocksBelow: (number: number, count: number) => Promise<{ number: number; hash: string }[]>;
}

/**
 * The EVM pools of a deployment as a stream of batches, read with eth_getLogs over block ranges (halved
 * when a node refuses one) up to `confirmations` blocks behind the head. A block the database recorded
 * whose hash the chain no longer has means a reorg: the source answers with the newest block both agree on.
 */
export class EvmSource implements ChainSource {
  readonly chain = "evm" as const;
  readonly pools: readonly IndexedPool[];
  readonly #rpc: RpcEndpoints;
  readonly #providers = new Map<string, JsonRpcProvider>();
  readonly #options: EvmSourceOptions;
  #range = INITIAL_RANGE;

  constructor(options: EvmSourceOptions) {
    this.#options = options;
    this.pools = options.pools;
    this.#rpc = new RpcEndpoints({ name: "evm", urls: options.config.rpc_urls, timeoutMs: options.config.timeout, retries: options.config.retries, logger: options.logger });
  }

  #provider(url: string): JsonRpcProvider {
    let provider = this.#providers.get(url);
    if (!provider) {
      const request = new FetchRequest(url);
      request.timeout = this.#options.config.timeout;
      provider = new JsonRpcProvider(request, this.#options.config.chain_id, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
      this.#providers.set(url, provider);
    }
    return provider;
  }

  #call<T>(run: (provider: JsonRpcProvider) => Promise<T>): Promise<T> {
    return this.#rpc.call((url) => run(this.#provider(url)));
  }

  /** Refuses endpoints of another chain than `evm.chain_id`. */
  async checkChain(): Promise<void> {
    const reported = await this.#call(async (provider) => Number(await provider.send("eth_chainId", [])));
    if (reported !== this.#options.config.chain_id) {
      throw new IndexerError(IndexerErrorCode.CHAIN_MISMATCH, `evm.chain_id = ${this.#options.config.chain_id}, but the RPC endpoint reports chain ${reported}`);
    }
  }

  async head(): Promise<number> {
    const latest = await this.#call(async (provider) => Number(await provider.send("eth_blockNumber", [])));
    return Math.max(0, latest - this.#options.config.confirmations);
  }

  async #blockHash(number: number): Promise<string | null> {
    const block = await this.#call((provider) => provider.send("eth_getBlockByNumber", [`0x${number.toString(16)}`, false]) as Promise<{ hash: string } | null>);
    return block?.hash ?? null;
  }

  /** The newest recorded block the chain still has, below a block whose hash changed. */
  async #commonAncestor(changed: number): Promise<number> {
    for (const stored of await this.#options.storedBlocksBelow(changed - 1, 256)) {
      if ((await this.#blockHash(stored.number)) === stored.hash) return stored.number;
    }
    return Math.min(...this.pools.map((pool) => pool.startBlock)) - 1;
  }

  async next(cursors: ReadonlyMap<string, ChainCursor | null>, maxLeaves: number): Promise<SourceStep> {
    const positions = this.pools.map((pool) => cursors.get(pool.id)?.block ?? pool.startBlock - 1);
    const done = Math.min(...positions);
    const newest = Math.max(...positions);
    // A reorg shows as the newest recorded block having another hash now.
    const recorded = newest >= 0 ? await this.#options.storedBlockHash(newest) : null;
    if (recorded !== null) {
      const current = await this.#blockHash(newest);
      if (current !== recorded) {
        const toBlock = await this.#commonAncestor(newest);
        return { kind: "reorg", toBlock, reason: `block ${newest} was ${recorded}, the chain now has ${current ?? "no such block"}` };
      }
    }
    const head = await this.head();
    if (done >= head) return { kind: "idle" };
    const from = done + 1;
    let to = Math.min(head, from + this.#range - 1);
    let logs: Log[];
    for (;;) {
      try {
        logs = await this.#call((provider) => provider.getLogs({ address: this.pools.map((pool) => pool.address), fromBlock: from, toBlock: to, topics: [TOPICS] }));
        if (this.#range < MAX_RANGE) this.#range = Math.min(MAX_RANGE, this.#range * 2);
        break;
      } catch (error) {
        if (to === from || !isRangeRefusal(error)) throw error;
        to = from + Math.floor((to - from) / 2);
        this.#range = Math.max(1, to - from + 1);
        this.#options.logger.debug({ from, to }, "evm: range refused, halving");
      }
    }
    logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    // Stop at a block boundary once the batch holds about maxLeaves commitments.
    let leaves = 0;
    for (const log of logs) {
      if (log.topics[0] === TOPICS[0]) leaves += 1;
      if (leaves > maxLeaves && log.blockNumber > from) {
        to = log.blockNumber - 1;
        break;
      }
    }
    const kept = logs.filter((log) => log.blockNumber <= to);
    const hash = await this.#blockHash(to);
    if (hash === null) return { kind: "idle" };
    return { kind: "batch", batches: this.#batches(kept, positions, to, hash), blocks: [{ number: to, hash }] };
  }

  #batches(logs: readonly Log[], positions: readonly number[], to: number, hash: string): PoolBatch[] {
    return this.pools.map((pool, i) => {
      const byTx = new Map<string, { block: number; commitments: CommitmentRecord[]; nullifiers: bigint[]; root: bigint | null; extAmount: bigint }>();
      for (const log of logs) {
        if (log.address.toLowerCase() !== pool.id || log.blockNumber <= positions[i]!) continue;
        let entry = byTx.get(log.transactionHash);
        if (!entry) byTx.set(log.transactionHash, (entry = { block: log.blockNumber, commitments: [], nullifiers: [], root: null, extAmount: 0n }));
        const parsed = POOL_EVENTS.parseLog(log)!;
        if (parsed.name === "NewCommitment") {
          entry.commitments.push({
            tree: Number(parsed.args.tree as bigint),
            index: Number(parsed.args.index as bigint),
            commitment: BigInt(parsed.args.commitment as string),
            encryptedOutput: getBytes(parsed.args.encryptedOutput as string),
          });
        } else if (parsed.name === "NewNullifier") entry.nullifiers.push(BigInt(parsed.args.nullifier as string));
        else {
          entry.root = BigInt(parsed.args.newRoot as string);
          entry.extAmount = parsed.args.extAmount as bigint;
        }
      }
      const transactions: PoolTransaction[] = [...byTx].map(([tx, entry]) => {
        if (entry.root === null) throw new IndexerError(IndexerErrorCode.OUT_OF_ORDER, `pool ${pool.id}: transaction ${tx} has commitments but no Transact event`);
        return { tx, block: entry.block, commitments: entry.commitments, nullifiers: entry.nullifiers, chainRoot: entry.root, extAmount: entry.extAmount };
      });
      return { pool: pool.id, transactions, cursor: { block: Math.max(to, positions[i]!), blockHash: hash, signature: null } };
    });
  }

  async chainRoot(poolId: string): Promise<{ tree: number; root: bigint | null; block: number }> {
    const pool = this.pools.find((candidate) => candidate.id === poolId)!;
    return this.#call(async (provider) => {
      const block = Number(await provider.send("eth_blockNumber", []));
      const contract = new Contract(pool.address, POOL_EVENTS, provider);
      const [root, tree] = await Promise.all([
        contract.getFunction("getLastRoot").staticCall({ blockTag: block }) as Promise<string>,
        contract.getFunction("currentTreeNumber").staticCall({ blockTag: block }) as Promise<bigint>,
      ]);
      return { tree: Number(tree), root: BigInt(root), block };
    });
  }

  health(): HealthStatus {
    return this.#rpc.health();
  }

  async close(): Promise<void> {
    for (const provider of this.#providers.values()) provider.destroy();
  }
}
