// The one place the operator tasks read logs: health, state:export, state:verify and events:replay all
// go through the SDK's `scanLogs`, one eth_getLogs for every watched contract at once, split in halves only
// when a node refuses the range as too large (public RPCs cap ranges or result counts; a local chain never does).
import { scanLogs } from "@cloak/sdk";
import type { Interface, Log, Provider } from "ethers";
import { TaskError, TaskErrorCode } from "./errors.ts";

/** A contract whose logs are read and decoded with its ABI. */
export interface WatchedContract {
  /** Deployment-file name ("Orchestrator", "ShieldPool.native", ...), or the address when unnamed. */
  label: string;
  address: string;
  iface: Interface;
}

/** A log with its decoded event; `name` is null for a log the ABI does not know, kept so nothing is dropped. */
export interface ChainEvent {
  blockNumber: number;
  blockHash: string;
  transactionHash: string;
  logIndex: number;
  contract: string;
  address: string;
  name: string | null;
  /** Decoded arguments by name, as ethers returns them (bigint for integers, hex strings for bytes). */
  values: Record<string, unknown>;
  topics: readonly string[];
  data: string;
}

export function decodeLogs(logs: readonly Log[], contracts: readonly WatchedContract[]): ChainEvent[] {
  const byAddress = new Map(contracts.map((contract) => [contract.address.toLowerCase(), contract]));
  return logs.map((log) => {
    const contract = byAddress.get(log.address.toLowerCase());
    const parsed = contract?.iface.parseLog({ topics: [...log.topics], data: log.data }) ?? null;
    const values: Record<string, unknown> = {};
    if (parsed) {
      parsed.fragment.inputs.forEach((input, i) => {
        values[input.name || String(i)] = parsed.args[i];
      });
    }
    return {
      blockNumber: log.blockNumber,
      blockHash: log.blockHash,
      transactionHash: log.transactionHash,
      logIndex: log.index,
      contract: contract?.label ?? log.address,
      address: log.address,
      name: parsed?.name ?? null,
      values,
      topics: log.topics,
      data: log.data,
    };
  });
}

/** Every decoded event of `contracts` in [fromBlock, toBlock], in chain order. */
export async function fetchEvents(provider: Provider, contracts: readonly WatchedContract[], fromBlock: number, toBlock: number): Promise<ChainEvent[]> {
  const events: ChainEvent[] = [];
  await scanLogs(
    provider,
    contracts.map((contract) => contract.address),
    fromBlock,
    toBlock,
    (logs) => {
      events.push(...decodeLogs(logs, contracts));
    },
  );
  return events;
}

// ---------------------------------------------------------------- pool history

export interface CommitmentRecord {
  /** The tree the leaf went into: a leaf is identified by (pool, tree, index). */
  tree: number;
  index: number;
  /** bytes32, 0x-prefixed. */
  commitment: string;
  encryptedOutput: string;
  blockNumber: number;
  transactionHash: string;
}

export interface NullifierRecord {
  nullifier: string;
  blockNumber: number;
  transactionHash: string;
}

export interface TransactRecord {
  extAmount: bigint;
  fee: bigint;
  recipient: string;
  relayer: string;
  /** The root after this transaction's pair was inserted. */
  newRoot: string;
  blockNumber: number;
  transactionHash: string;
}

/** What a pool's logs say happened in it: the input of a tree rebuild, a state export and the accounting. */
export interface PoolHistory {
  commitments: CommitmentRecord[];
  nullifiers: NullifierRecord[];
  transacts: TransactRecord[];
}

function emptyHistory(): PoolHistory {
  return { commitments: [], nullifiers: [], transacts: [] };
}

/** Sorts one pool's decoded events into its history; events of other kinds are ignored. */
export function appendPoolEvent(history: PoolHistory, event: ChainEvent): void {
  const at = { blockNumber: event.blockNumber, transactionHash: event.transactionHash };
  const v = event.values;
  switch (event.name) {
    case "NewCommitment":
      history.commitments.push({ tree: Number(v.tree as bigint), index: Number(v.index as bigint), commitment: v.commitment as string, encryptedOutput: v.encryptedOutput as string, ...at });
      break;
    case "NewNullifier":
      history.nullifiers.push({ nullifier: v.nullifier as string, ...at });
      break;
    case "Transact":
      history.transacts.push({
        extAmount: v.extAmount as bigint,
        fee: v.fee as bigint,
        recipient: v.recipient as string,
        relayer: v.relayer as string,
        newRoot: v.newRoot as string,
        ...at,
      });
      break;
    default:
      break;
  }
}

/** Each pool's history up to `toBlock` (inclusive), keyed by lower-case address, from one log scan. */
export async function fetchPoolHistories(provider: Provider, pools: readonly WatchedContract[], toBlock: number, fromBlock = 0): Promise<Map<string, PoolHistory>> {
  const histories = new Map(pools.map((pool) => [pool.address.toLowerCase(), emptyHistory()]));
  for (const event of await fetchEvents(provider, pools, fromBlock, toBlock)) {
    const history = histories.get(event.address.toLowerCase());
    if (history) appendPoolEvent(history, event);
  }
  return histories;
}

/** Σ extAmount − Σ fee: what the pool should hold if only `transact` ever moved its asset. */
export function expectedPoolBalance(transacts: readonly TransactRecord[]): bigint {
  return transacts.reduce((sum, t) => sum + t.extAmount - t.fee, 0n);
}

// ---------------------------------------------------------------- block arguments

const NAMED_TAGS = new Set(["latest", "safe", "finalized"]);

/** A `--block`-style argument (a number, or latest/safe/finalized) as a concrete block number on this chain. */
export async function resolveBlock(provider: Provider, value: string, option: string): Promise<number> {
  const text = value.trim();
  const head = await provider.getBlockNumber();
  if (/^\d+$/.test(text)) {
    const block = Number(text);
    if (!Number.isSafeInteger(block) || block > head) {
      throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--${option}: block ${text} is past the chain head (${head})`);
    }
    return block;
  }
  if (NAMED_TAGS.has(text)) {
    if (text === "latest") return head;
    const block = await provider.getBlock(text);
    if (!block) throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--${option}: this node has no '${text}' block`);
    return block.number;
  }
  throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--${option}: '${value}' is not a block number or one of latest, safe, finalized`);
}
