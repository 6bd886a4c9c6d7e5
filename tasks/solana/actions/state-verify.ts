// `npx hardhat solana:state:verify [--file state.json] -u <url>` (RP-002): rebuilds each pool's tree from its
// Transacted events (the live cluster) or from a solana:state:export file (offline), and checks it against
// the tree account's root and leaf count, every announced root on the way, the nullifiers' uniqueness and
// the vault's balance. The checks are the EVM state:verify's own (verifyPool). Exit code 1 on a mismatch.
import { existsSync, readFileSync } from "node:fs";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { getPoseidon } from "@cloak/sdk";
import { claimOfExport, verifyPool, type PoolVerification } from "../../lib/pool-verification.ts";
import { TaskError, TaskErrorCode } from "../../lib/errors.ts";
import { raiseExitCode, toJson } from "../../lib/output.ts";
import type { ClusterArguments } from "../lib/cluster.ts";
import { solanaReadContext } from "../lib/context.ts";
import { fetchProgramEvents } from "../lib/program-events.ts";
import { readPoolStates, SOLANA_STATE_FORMAT, type ExportedSolanaPool } from "../lib/pool-state.ts";
import type { SolanaStateExport } from "./state-export.ts";

export interface SolanaStateVerifyResult {
  source: string;
  slot: number;
  pools: PoolVerification[];
  ok: boolean;
}

function readExport(path: string): SolanaStateExport {
  if (!existsSync(path)) throw new TaskError(TaskErrorCode.STATE_FILE_INVALID, `${path}: no such file`);
  let state: Partial<SolanaStateExport>;
  try {
    state = JSON.parse(readFileSync(path, "utf8")) as Partial<SolanaStateExport>;
  } catch {
    throw new TaskError(TaskErrorCode.STATE_FILE_INVALID, `${path}: not valid JSON`);
  }
  if (state.format !== SOLANA_STATE_FORMAT) throw new TaskError(TaskErrorCode.STATE_FILE_INVALID, `${path}: format '${String(state.format)}' is not '${SOLANA_STATE_FORMAT}'`);
  if (!Array.isArray(state.pools)) throw new TaskError(TaskErrorCode.STATE_FILE_INVALID, `${path}: pools: expected an array`);
  return state as SolanaStateExport;
}

export default async function solanaStateVerify(args: ClusterArguments & { file: string; json: boolean }, hre: HardhatRuntimeEnvironment): Promise<SolanaStateVerifyResult> {
  let source: string;
  let slot: number;
  let pools: ExportedSolanaPool[];
  if (args.file.trim()) {
    // An export is checked offline: it must be trustworthy on its own, without the node that produced it.
    const state = readExport(args.file.trim());
    source = `${args.file.trim()} (cluster '${state.cluster}')`;
    slot = state.slot;
    pools = state.pools;
  } else {
    const { cluster, record, shieldPool, registryProgram } = await solanaReadContext(hre, args);
    slot = await cluster.connection.getSlot("confirmed");
    const events = await fetchProgramEvents(cluster.connection, { shieldPool, registryProgram });
    pools = await readPoolStates(cluster.connection, record, shieldPool, events);
    source = `cluster '${cluster.name}'`;
  }
  const poseidon = await getPoseidon();
  const verifications = pools.map((pool) => verifyPool(claimOfExport(pool), poseidon));
  const ok = verifications.every((v) => v.problems.length === 0);
  const result: SolanaStateVerifyResult = { source, slot, pools: verifications, ok };
  if (args.json) {
    console.log(toJson(result, 2));
  } else {
    console.log(`Verifying ${source} at slot ${slot}`);
    for (const pool of verifications) {
      console.log(`  ${pool.problems.length ? "✖" : "✔"} ${pool.label}: ${pool.leaves} leaves, root ${pool.rebuiltRoot}, balance ${pool.balance} (transactions account for ${pool.expectedBalance})`);
      for (const problem of pool.problems) console.log(`      ✖ ${problem}`);
      for (const note of pool.notes) console.log(`      ! ${note}`);
    }
    console.log(ok ? "State is consistent." : "State does NOT verify.");
  }
  if (!ok) raiseExitCode(1);
  return result;
}
