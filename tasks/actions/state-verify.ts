// `npx hardhat state:verify [--file state.json] --network <net>`: runbook RP-002 step 3. Rebuilds every
// pool's tree with the SDK's MerkleTree from its NewCommitment events (live chain, at the head block) or
// from a `cloak-state/1` export (offline), and checks it against the pool's roots, its leaf count, its
// nullifiers and its balance. Any mismatch is listed and exits with code 1.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { getPoseidon } from "@cloak/sdk";
import { ZeroAddress, formatEther } from "ethers";
import { loadDeployment } from "../lib/connection.ts";
import { raiseExitCode, toJson } from "../lib/output.ts";
import { fetchPoolHistories } from "../lib/pool-events.ts";
import { readStateExport } from "../lib/state-file.ts";
import { claimOfExport, verifyPool, type PoolClaim, type PoolVerification } from "../lib/pool-verification.ts";
import { assetBalance, resolveStack, watchedPools } from "../lib/stack.ts";

export interface StateVerifyArguments {
  /** A `cloak-state/1` export to check offline; empty to check the live chain. */
  file: string;
  json: boolean;
}

export interface StateVerifyResult {
  source: string;
  blockNumber: number;
  pools: PoolVerification[];
  ok: boolean;
}

async function liveClaims(hre: HardhatRuntimeEnvironment): Promise<{ source: string; blockNumber: number; claims: PoolClaim[] }> {
  const { ethers, record, networkName } = await loadDeployment(hre);
  const provider = ethers.provider;
  // Pinned so a transaction landing mid-check cannot make the logs and the views disagree.
  const blockNumber = await provider.getBlockNumber();
  const blockTag = blockNumber;
  const stack = await resolveStack(ethers, record, blockTag);
  const histories = await fetchPoolHistories(provider, watchedPools(stack), blockNumber);
  const claims: PoolClaim[] = [];
  for (const pool of stack.pools) {
    claims.push({
      label: pool.label,
      address: pool.address,
      asset: pool.asset,
      levels: Number(await pool.contract.levels({ blockTag })),
      lastRoot: await pool.contract.getLastRoot({ blockTag }),
      nextLeafIndex: Number(await pool.contract.nextLeafIndex({ blockTag })),
      balance: await assetBalance(provider, pool.asset, pool.address, blockTag),
      history: histories.get(pool.address.toLowerCase())!,
    });
  }
  return { source: `network '${networkName}'`, blockNumber, claims };
}

function fileClaims(path: string): { source: string; blockNumber: number; claims: PoolClaim[] } {
  const state = readStateExport(path);
  const claims = state.pools.map(claimOfExport);
  return { source: `${path} (network '${state.network}', chain ${state.chainId})`, blockNumber: state.blockNumber, claims };
}

export default async function stateVerify(args: StateVerifyArguments, hre: HardhatRuntimeEnvironment): Promise<StateVerifyResult> {
  // An export is checked offline: it must be trustworthy on its own, without the node that produced it.
  const { source, blockNumber, claims } = args.file ? fileClaims(args.file) : await liveClaims(hre);
  const poseidon = await getPoseidon();
  const pools = claims.map((claim) => verifyPool(claim, poseidon));
  const ok = pools.every((p) => p.problems.length === 0);
  const result: StateVerifyResult = { source, blockNumber, pools, ok };

  if (args.json) {
    console.log(toJson(result, 2));
  } else {
    console.log(`Verifying ${source} at block ${blockNumber}`);
    for (const [i, pool] of pools.entries()) {
      const native = claims[i]!.asset === ZeroAddress;
      const amount = (v: bigint) => (native ? `${formatEther(v)} ETH` : `${v}`);
      console.log(`  ${pool.problems.length ? "✖" : "✔"} ${pool.label}: ${pool.leaves} leaves, root ${pool.rebuiltRoot}, balance ${amount(pool.balance)} (transactions account for ${amount(pool.expectedBalance)})`);
      for (const problem of pool.problems) console.log(`      ✖ ${problem}`);
      for (const note of pool.notes) console.log(`      ! ${note}`);
    }
    console.log(ok ? "State is consistent." : "State does NOT verify.");
  }
  if (!ok) raiseExitCode(1);
  return result;
}
