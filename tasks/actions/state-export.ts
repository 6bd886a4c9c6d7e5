// `npx hardhat state:export --block <N|latest|finalized> --out state.json --network <net>`: runbook RP-002
// step 2, the state of every pool and of the Orchestrator at the last known good block, as `cloak-state/1`.
// Views are read with blockTag N (an archive node is needed for old blocks) and logs up to N only, so
// nothing after N leaks in. Exits 1 if the logs disagree with the pool's own views at N.
import { resolve } from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { loadDeployment } from "../lib/connection.ts";
import { TaskError, TaskErrorCode } from "../lib/errors.ts";
import { raiseExitCode } from "../lib/output.ts";
import { fetchPoolHistories, resolveBlock } from "../lib/pool-events.ts";
import { exportHistory, STATE_FORMAT, writeStateExport, type ExportedPool, type StateExport } from "../lib/state-file.ts";
import { assetBalance, resolveStack, watchedPools } from "../lib/stack.ts";

export interface StateExportArguments {
  /** A block number, or latest / safe / finalized. */
  block: string;
  /** Output file; default cloak-state-<network>-<block>.json in the working directory. */
  out: string;
}

export interface StateExportResult {
  path: string;
  state: StateExport;
  /** Where the pools' logs and their views at the block disagree; empty for a sound export. */
  inconsistencies: string[];
}

/** ERC-1967 implementation slot: bytes32(uint256(keccak256("eip1967.proxy.implementation")) - 1). */
const IMPLEMENTATION_SLOT = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";

export default async function stateExport(args: StateExportArguments, hre: HardhatRuntimeEnvironment): Promise<StateExportResult> {
  const { ethers, record, networkName, chainId } = await loadDeployment(hre);
  const provider = ethers.provider;
  const blockNumber = await resolveBlock(provider, args.block, "block");
  const blockTag = blockNumber;
  const block = await provider.getBlock(blockNumber);
  if (!block?.hash) throw new TaskError(TaskErrorCode.STATE_UNAVAILABLE, `the node returned no block ${blockNumber}`);
  const implementation = async (proxy: string) => ethers.getAddress(ethers.dataSlice(await provider.getStorage(proxy, IMPLEMENTATION_SLOT, blockTag), 12));

  let state: StateExport;
  const inconsistencies: string[] = [];
  try {
    const stack = await resolveStack(ethers, record, blockTag);
    const { orchestrator } = stack;
    const histories = await fetchPoolHistories(provider, watchedPools(stack), blockNumber);
    const pools: ExportedPool[] = [];
    for (const pool of stack.pools) {
      const history = histories.get(pool.address.toLowerCase())!;
      const levels = Number(await pool.contract.levels({ blockTag }));
      const lastRoot = await pool.contract.getLastRoot({ blockTag });
      const nextLeafIndex = Number(await pool.contract.nextLeafIndex({ blockTag }));
      const currentTree = Number(await pool.contract.currentTreeNumber({ blockTag }));
      const leavesInCurrentTree = history.commitments.filter((c) => c.tree === currentTree).length;
      const historySize = Number(await pool.contract.ROOT_HISTORY_SIZE());
      const emptyRoot = await pool.contract.zeros(levels);
      const rootHistory = [emptyRoot, ...history.transacts.map((t) => t.newRoot)].slice(-historySize);

      if (leavesInCurrentTree !== nextLeafIndex) {
        inconsistencies.push(`${pool.label}: ${leavesInCurrentTree} NewCommitment logs in tree ${currentTree} up to block ${blockNumber}, but nextLeafIndex is ${nextLeafIndex}`);
      }
      if (rootHistory[rootHistory.length - 1] !== lastRoot) {
        inconsistencies.push(`${pool.label}: the last Transact log's root ${rootHistory[rootHistory.length - 1]} is not getLastRoot() ${lastRoot}`);
      }
      pools.push({
        label: pool.label,
        address: pool.address,
        asset: pool.asset,
        implementation: await implementation(pool.address),
        levels,
        paused: await orchestrator.isPaused(pool.address, { blockTag }),
        depositLimit: (await orchestrator.depositLimit(pool.address, { blockTag })).toString(),
        lastRoot,
        rootHistory,
        nextLeafIndex,
        balance: (await assetBalance(provider, pool.asset, pool.address, blockTag)).toString(),
        ...exportHistory(history),
      });
    }
    state = {
      format: STATE_FORMAT,
      network: networkName,
      chainId: chainId.toString(),
      blockNumber,
      blockHash: block.hash,
      blockTimestamp: block.timestamp,
      orchestrator: {
        address: stack.orchestratorAddress,
        implementation: await implementation(stack.orchestratorAddress),
        verifier: await orchestrator.verifier({ blockTag }),
        allPaused: await orchestrator.allPaused({ blockTag }),
        relayers: [...(await orchestrator.relayers({ blockTag }))],
      },
      pools,
    };
  } catch (error) {
    if (error instanceof TaskError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new TaskError(
      TaskErrorCode.STATE_UNAVAILABLE,
      `could not read the state at block ${blockNumber}: ${message} (blocks older than the node's pruning window need an archive node)`,
    );
  }

  const path = resolve(args.out || `cloak-state-${networkName}-${blockNumber}.json`);
  writeStateExport(path, state);
  console.log(`Exported the state of '${networkName}' (chain ${chainId}) at block ${blockNumber} (${block.hash}) to ${path}`);
  for (const pool of state.pools) {
    console.log(`  ${pool.label}: ${pool.commitments.length} commitments, ${pool.nullifiers.length} nullifiers, ${pool.transacts.length} transactions, balance ${pool.balance}, root ${pool.lastRoot}`);
  }
  console.log(`  Orchestrator: ${state.orchestrator.allPaused ? "all paused" : "not globally paused"}, verifier ${state.orchestrator.verifier}, ${state.orchestrator.relayers.length} relayer(s)`);
  for (const problem of inconsistencies) console.error(`✖ ${problem}`);
  if (inconsistencies.length > 0) {
    console.error("The logs the node returned do not match the pools' state: the export is incomplete. Retry with another RPC.");
    raiseExitCode(1);
  }
  return { path, state, inconsistencies };
}
