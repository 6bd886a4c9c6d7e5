// `npx hardhat solana:events:replay --from-slot <N> [--out events.ndjson] -u <url>` (RP-003): every event of
// both programs from slot N on, in chain order, one JSON object per line (the EVM events:replay's shape with
// slot and signature for block and hash). Events go out by self-CPI, so they are read from the
// transactions' inner instructions, never from logs; the registry's claim life cycle (logged with emit!)
// is not among them. With --out the file appears only once complete.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { ClusterArguments } from "../lib/cluster.ts";
import { solanaReadContext } from "../lib/context.ts";
import { wholeNumber } from "../lib/numbers.ts";
import { fetchProgramEvents, jsonEventValue, type SolanaChainEvent } from "../lib/program-events.ts";

export interface SolanaReplayLine {
  slot: number;
  blockTime: number | null;
  signature: string;
  instructionIndex: number;
  innerIndex: number;
  program: string;
  programId: string;
  event: string;
  args: unknown;
}

export function replayLine(event: SolanaChainEvent): SolanaReplayLine {
  return {
    slot: event.slot,
    blockTime: event.blockTime,
    signature: event.signature,
    instructionIndex: event.instructionIndex,
    innerIndex: event.innerIndex,
    program: event.program,
    programId: event.programId,
    event: event.name,
    args: jsonEventValue(event.data),
  };
}

export default async function solanaEventsReplay(args: ClusterArguments & { fromSlot: string; out: string }, hre: HardhatRuntimeEnvironment) {
  const fromSlot = Number(wholeNumber(args.fromSlot, "from-slot"));
  const { cluster, shieldPool, registryProgram } = await solanaReadContext(hre, args);
  const toSlot = await cluster.connection.getSlot("confirmed");
  const events = await fetchProgramEvents(cluster.connection, { shieldPool, registryProgram }, fromSlot, toSlot);
  const ndjson = events.map((event) => `${JSON.stringify(replayLine(event))}\n`).join("");
  const counts: Record<string, number> = {};
  for (const event of events) counts[event.name] = (counts[event.name] ?? 0) + 1;
  const out = args.out.trim() ? resolve(args.out.trim()) : null;
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(`${out}.tmp`, ndjson);
    renameSync(`${out}.tmp`, out);
  } else {
    // A reader that stops early (`| head`) closes the pipe: that ends the replay quietly, it is no failure.
    const ignoreClosedPipe = (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
    };
    process.stdout.on("error", ignoreClosedPipe);
    await new Promise<void>((done) => process.stdout.write(ndjson, () => done()));
  }
  const summary = `Replayed ${events.length} event(s) of 2 program(s) from slot ${fromSlot} to ${toSlot}${out ? ` into ${out}` : ""}`;
  // With stdout carrying the NDJSON, the summary goes to stderr so a pipe into the indexer stays clean.
  if (out) console.log(summary);
  else console.error(summary);
  return { fromSlot, toSlot, out, count: events.length, counts };
}
