// `npx hardhat solana:state:export [--out state.json] -u <url>` (RP-002): every pool's commitments,
// nullifiers and transactions (from its Transacted events), its tree (root, leaf count, retired roots) and
// vault, and the config and registry, as `cloak-solana-state/1`. The accounts are read first and the
// events then; the two must agree (leaf count, last root), else it reads again, and exits 1 if they never do.
import { resolve } from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { fetchConfig, fetchRegistry } from "@cloak/sdk/solana";
import type { ClusterArguments } from "../lib/cluster.ts";
import { solanaReadContext } from "../lib/context.ts";
import { configSummary } from "../lib/governance.ts";
import { raiseExitCode, toJson } from "../../lib/output.ts";
import { writeStateExport, type StateExport } from "../../lib/state-file.ts";
import { fetchProgramEvents } from "../lib/program-events.ts";
import { readPoolStates, SOLANA_STATE_FORMAT, type ExportedSolanaPool } from "../lib/pool-state.ts";
import { jsonEventValue } from "../lib/program-events.ts";

export interface SolanaStateExport {
  format: typeof SOLANA_STATE_FORMAT;
  cluster: string;
  genesisHash: string;
  /** The slot the accounts were read at; the events are those up to it. */
  slot: number;
  exportedAt: string;
  programs: { shieldPool: string; scrambleRegistry: string };
  config: ReturnType<typeof configSummary> | null;
  registry: unknown;
  pools: ExportedSolanaPool[];
}

const ATTEMPTS = 3;

/** Where a pool's events and its tree disagree (a transaction landed between the two reads, or a gap). */
export function poolInconsistencies(pool: ExportedSolanaPool): string[] {
  const problems: string[] = [];
  const inCurrentTree = pool.commitments.filter((c) => c.tree === pool.treeNumber).length;
  if (inCurrentTree !== pool.nextLeafIndex) problems.push(`${pool.label}: ${inCurrentTree} commitments in tree ${pool.treeNumber} from events, but the tree holds ${pool.nextLeafIndex}`);
  const last = pool.transacts[pool.transacts.length - 1];
  if (last && BigInt(last.newRoot) !== BigInt(pool.lastRoot)) problems.push(`${pool.label}: the last Transacted root ${last.newRoot} is not the tree's root ${pool.lastRoot}`);
  return problems;
}

export default async function solanaStateExport(args: ClusterArguments & { out: string }, hre: HardhatRuntimeEnvironment): Promise<{ path: string; state: SolanaStateExport; inconsistencies: string[] }> {
  const { cluster, record, shieldPool, registryProgram } = await solanaReadContext(hre, args);
  const { connection } = cluster;
  let state: SolanaStateExport | undefined;
  let inconsistencies: string[] = [];
  for (let attempt = 0; attempt < ATTEMPTS && (!state || inconsistencies.length); attempt++) {
    const slot = await connection.getSlot("confirmed");
    const config = await fetchConfig(connection, { programId: shieldPool });
    const registry = await fetchRegistry(connection, { programId: registryProgram });
    const events = (await fetchProgramEvents(connection, { shieldPool, registryProgram })).filter((event) => event.slot <= slot);
    const pools = await readPoolStates(connection, record, shieldPool, events);
    state = {
      format: SOLANA_STATE_FORMAT,
      cluster: cluster.name,
      genesisHash: cluster.genesisHash,
      slot,
      exportedAt: new Date().toISOString(),
      programs: record.programs,
      config: config ? configSummary(config) : null,
      registry: registry ? jsonEventValue(registry) : null,
      pools,
    };
    inconsistencies = pools.flatMap(poolInconsistencies);
  }
  const path = resolve(args.out.trim() || `cloak-solana-state-${cluster.name}-${state!.slot}.json`);
  // The EVM export's writer: the same temporary file and rename.
  writeStateExport(path, JSON.parse(toJson(state)) as StateExport);
  console.log(`Exported ${state!.pools.length} pool(s) of cluster '${cluster.name}' at slot ${state!.slot} to ${path}`);
  for (const pool of state!.pools) console.log(`  ${pool.label}: ${pool.commitments.length} commitments, ${pool.nullifiers.length} nullifiers, root ${pool.lastRoot}, balance ${pool.balance}`);
  for (const problem of inconsistencies) console.log(`  ✖ ${problem}`);
  if (inconsistencies.length) raiseExitCode(1);
  return { path, state: state!, inconsistencies };
}
