// `npx hardhat events:replay --from-block <N> [--to-block <M>] [--out events.ndjson] --network <net>`:
// runbook RP-003 step 4. Every event of the pools and the Orchestrator in [N, M], in chain order (block,
// then log index), one JSON object per line: what an indexer restored from a backup consumes to catch
// up. Written as the logs arrive, so a long range never sits in memory.
import { createWriteStream, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { once } from "node:events";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { loadDeployment } from "../lib/connection.ts";
import { TaskError, TaskErrorCode } from "../lib/errors.ts";
import { scanLogs } from "@cloak/sdk";
import { decodeLogs, resolveBlock, type ChainEvent } from "../lib/pool-events.ts";
import { resolveStack, watchedOrchestrator, watchedPools } from "../lib/stack.ts";

export interface EventsReplayArguments {
  /** First block, inclusive: the indexer's last indexed block + 1. */
  fromBlock: string;
  /** Last block, inclusive: a number, or latest / safe / finalized. */
  toBlock: string;
  /** NDJSON file; empty for stdout. */
  out: string;
}

/** One NDJSON line. `event` is null for a log the ABI does not know (then `topics`/`data` carry it raw). */
export interface ReplayLine {
  blockNumber: number;
  blockHash: string;
  transactionHash: string;
  logIndex: number;
  contract: string;
  address: string;
  event: string | null;
  /** Decoded arguments by name; integers as decimal strings, bytes as 0x-hex. */
  args: Record<string, unknown>;
  topics?: readonly string[];
  data?: string;
}

export interface EventsReplayResult {
  fromBlock: number;
  toBlock: number;
  /** Absolute path of the file written, or null for stdout. */
  out: string | null;
  count: number;
  /** Lines per event name ("unknown" for undecoded logs). */
  counts: Record<string, number>;
}

function jsonValue(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  // ethers' Result (tuples, arrays) is an Array subclass: plain arrays serialise cleanly.
  if (Array.isArray(value)) return Array.from(value, jsonValue);
  return value;
}

export function replayLine(event: ChainEvent): ReplayLine {
  const line: ReplayLine = {
    blockNumber: event.blockNumber,
    blockHash: event.blockHash,
    transactionHash: event.transactionHash,
    logIndex: event.logIndex,
    contract: event.contract,
    address: event.address,
    event: event.name,
    args: Object.fromEntries(Object.entries(event.values).map(([k, v]) => [k, jsonValue(v)])),
  };
  if (event.name === null) {
    line.topics = event.topics;
    line.data = event.data;
  }
  return line;
}

/** Thrown inside the scan to stop it once stdout's reader has gone away. */
class ReaderGone extends Error {}

export default async function eventsReplay(args: EventsReplayArguments, hre: HardhatRuntimeEnvironment): Promise<EventsReplayResult> {
  const { ethers, record } = await loadDeployment(hre);
  const provider = ethers.provider;
  const fromBlock = await resolveBlock(provider, args.fromBlock, "from-block");
  const toBlock = await resolveBlock(provider, args.toBlock, "to-block");
  if (fromBlock > toBlock) throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--from-block ${fromBlock} is after --to-block ${toBlock}`);
  // The pools registered by the end of the range: a pool added in the middle is included from its start.
  const stack = await resolveStack(ethers, record, toBlock);
  const contracts = [watchedOrchestrator(stack), ...watchedPools(stack)];

  const out = args.out ? resolve(args.out) : null;
  const tmp = out ? `${out}.tmp` : null;
  if (tmp) mkdirSync(dirname(tmp), { recursive: true });
  const stream = tmp ? createWriteStream(tmp) : process.stdout;
  // A reader that stops early (`| head`) closes the pipe: that ends the replay quietly, it is no failure.
  // Any other stream error is kept and rethrown by the next write, never thrown from the event handler.
  let readerGone = false;
  let streamError: Error | undefined;
  const isBrokenPipe = (error: unknown) => !tmp && (error as NodeJS.ErrnoException | undefined)?.code === "EPIPE";
  const onStreamError = (error: Error) => {
    if (isBrokenPipe(error)) readerGone = true;
    else streamError = error;
  };
  stream.on("error", onStreamError);
  const write = async (text: string) => {
    if (streamError) throw streamError;
    if (readerGone) throw new ReaderGone();
    try {
      if (!stream.write(text)) await once(stream, "drain");
    } catch (error) {
      if (!isBrokenPipe(error)) throw error;
      readerGone = true;
      throw new ReaderGone();
    }
  };

  let count = 0;
  const counts: Record<string, number> = {};
  try {
    await scanLogs(
      provider,
      contracts.map((c) => c.address),
      fromBlock,
      toBlock,
      async (logs) => {
        for (const event of decodeLogs(logs, contracts)) {
          await write(`${JSON.stringify(replayLine(event))}\n`);
          count++;
          const name = event.name ?? "unknown";
          counts[name] = (counts[name] ?? 0) + 1;
        }
      },
    );
    if (tmp) {
      stream.end();
      await once(stream, "finish");
    }
  } catch (error) {
    if (tmp) {
      stream.destroy();
      rmSync(tmp, { force: true });
    }
    if (!(error instanceof ReaderGone)) throw error;
  } finally {
    stream.off("error", onStreamError);
  }
  // Renamed only once complete: an indexer must never consume a file that stops mid-range.
  if (tmp && out) renameSync(tmp, out);

  const summary = `Replayed ${count} event(s) of ${contracts.length} contract(s) from block ${fromBlock} to ${toBlock}${out ? ` into ${out}` : ""}${readerGone ? " (stopped: stdout was closed)" : ""}`;
  // With stdout carrying the NDJSON, the summary goes to stderr so a pipe into the indexer stays clean.
  if (out) console.log(summary);
  else console.error(summary);
  return { fromBlock, toBlock, out, count, counts };
}
