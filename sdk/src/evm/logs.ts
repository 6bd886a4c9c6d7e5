// Reading an EVM contract's logs over a long range of blocks. Public RPC nodes cap eth_getLogs by block
// range or by result count, each with its own wording, so a reader cannot know the limit in advance: it
// asks for a range (at most `maxRange` blocks when the caller knows the node's cap) and halves a range
// the node refuses. Both the SDK's PoolSync and the operator tasks read logs through here.
import type { Filter, Log, Provider } from "ethers";
import { CloakError, ErrorCode } from "../errors.js";

export interface ScanLogsOptions {
  /** Topic filter passed to eth_getLogs as is (e.g. `[[topicA, topicB]]` for either event). */
  topics?: ReadonlyArray<string | readonly string[] | null>;
  /**
   * The most blocks one eth_getLogs call covers (a node's documented cap, e.g. 2000 or 10000); the range
   * is read in consecutive chunks of this size. Default: no cap, relying on the halving alone.
   */
  maxRange?: number;
}

/** Receives one range's logs; `range` is the blocks they cover, so a reader can record how far it got. */
export type LogsHandler = (logs: Log[], range: { fromBlock: number; toBlock: number }) => void | Promise<void>;

/** Node errors that mean "ask for less", as the common providers word them. */
const RANGE_REFUSAL = /range|limit|too many|too large|exceed|response size|more than|10000|timeout/i;

/** Whether `error` is a node refusing a log query as too large (rather than a failure retrying cannot fix). */
export function isRangeRefusal(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return RANGE_REFUSAL.test(message);
}

/**
 * Calls `onLogs` with the logs of `addresses` in [fromBlock, toBlock], sorted by (block, log index), with
 * logs flagged `removed` left out. Chunks and halves are read left to right, so `onLogs` sees the chain's
 * order and a caller can apply or stream each batch instead of holding the whole range.
 */
export async function scanLogs(
  provider: Provider,
  addresses: readonly string[],
  fromBlock: number,
  toBlock: number,
  onLogs: LogsHandler,
  options: ScanLogsOptions = {},
): Promise<void> {
  const { maxRange } = options;
  if (maxRange !== undefined && (!Number.isSafeInteger(maxRange) || maxRange < 1)) {
    throw new CloakError(ErrorCode.INVALID_OPTION, `maxRange: ${maxRange} is not a positive whole number of blocks`);
  }
  if (addresses.length === 0 || fromBlock > toBlock) return;
  const step = maxRange ?? toBlock - fromBlock + 1;
  for (let start = fromBlock; start <= toBlock; start += step) {
    await scanRange(provider, addresses, start, Math.min(toBlock, start + step - 1), onLogs, options.topics);
  }
}

async function scanRange(
  provider: Provider,
  addresses: readonly string[],
  fromBlock: number,
  toBlock: number,
  onLogs: LogsHandler,
  topics: ScanLogsOptions["topics"],
): Promise<void> {
  let logs: Log[];
  try {
    const filter: Filter = { address: [...addresses], fromBlock, toBlock };
    if (topics) filter.topics = topics.map((topic) => (typeof topic === "string" || topic === null ? topic : [...topic]));
    logs = await provider.getLogs(filter);
  } catch (error) {
    if (fromBlock === toBlock || !isRangeRefusal(error)) throw error;
    const middle = Math.floor((fromBlock + toBlock) / 2);
    await scanRange(provider, addresses, fromBlock, middle, onLogs, topics);
    await scanRange(provider, addresses, middle + 1, toBlock, onLogs, topics);
    return;
  }
  const live = logs.filter((log) => !log.removed);
  live.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  await onLogs(live, { fromBlock, toBlock });
}

/**
 * The chain head as the node sees it now. ethers' providers answer getBlockNumber (and getBlock("latest"))
 * from a cache for about 250 ms, so a reader created right after a transaction can be told a block before
 * it and miss the transaction's logs; a JSON-RPC provider's `send` goes to the node every time.
 */
export async function freshBlockNumber(provider: Provider): Promise<number> {
  const raw = provider as Provider & { send?: (method: string, params: unknown[]) => Promise<unknown> };
  if (typeof raw.send === "function") {
    const head = await raw.send("eth_blockNumber", []);
    return Number(BigInt(head as string));
  }
  return provider.getBlockNumber();
}
