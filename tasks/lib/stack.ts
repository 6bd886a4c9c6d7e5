// The deployed contracts as the read-only tasks see them: the Orchestrator from the deployment file, the
// pools from the Orchestrator's registry (so a pool registered by governance after deploy is not missed),
// the timelocks, and names for every address an operator will recognise.
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { Contract, ZeroAddress, formatEther, formatUnits, type Provider } from "ethers";
import type { Orchestrator, ShieldPool, TimelockController } from "../../types/ethers-contracts/index.js";
import { requireContract, type DeploymentRecord } from "./deployment-file.ts";
import { TaskError, TaskErrorCode } from "./errors.ts";
import type { WatchedContract } from "./pool-events.ts";

export interface PoolHandle {
  /** "ShieldPool.native", or the address for a pool the deployment file does not name. */
  label: string;
  address: string;
  /** ERC-20 address, or the zero address for the native coin. */
  asset: string;
  contract: ShieldPool;
}

export interface TimelockHandle {
  label: "StandardTimelock" | "EmergencyTimelock";
  address: string;
  contract: TimelockController;
}

export interface Stack {
  orchestrator: Orchestrator;
  orchestratorAddress: string;
  pools: PoolHandle[];
  timelocks: TimelockHandle[];
}

/** The deployment-file name of `address`, if it has one (Safe, StandardTimelock, ShieldPool.native, ...). */
export function labelOf(record: DeploymentRecord, address: string): string | undefined {
  const wanted = address.toLowerCase();
  for (const [name, contract] of Object.entries(record.contracts)) {
    if (contract.address.toLowerCase() === wanted) return name;
  }
  return undefined;
}

/**
 * The stack as it was at `blockTag` (default: latest). Refuses a block before the Orchestrator existed,
 * where every view would fail with an undecodable empty result.
 */
export async function resolveStack(ethers: HardhatEthers, record: DeploymentRecord, blockTag?: number): Promise<Stack> {
  const orchestratorAddress = requireContract(record, "Orchestrator").address;
  if ((await ethers.provider.getCode(orchestratorAddress, blockTag)) === "0x") {
    throw new TaskError(
      TaskErrorCode.INVALID_ARGUMENT,
      blockTag === undefined ? `the Orchestrator ${orchestratorAddress} has no code on this chain` : `the Orchestrator ${orchestratorAddress} was not deployed yet at block ${blockTag}`,
    );
  }
  const orchestrator = await ethers.getContractAt("Orchestrator", orchestratorAddress);
  const overrides = blockTag === undefined ? {} : { blockTag };
  const pools: PoolHandle[] = [];
  for (const address of await orchestrator.pools(overrides)) {
    const contract = await ethers.getContractAt("ShieldPool", address);
    pools.push({ label: labelOf(record, address) ?? address, address, asset: await contract.token(overrides), contract });
  }
  const timelocks: TimelockHandle[] = [];
  for (const label of ["StandardTimelock", "EmergencyTimelock"] as const) {
    const entry = record.contracts[label];
    if (entry) timelocks.push({ label, address: entry.address, contract: await ethers.getContractAt("TimelockController", entry.address) });
  }
  return { orchestrator, orchestratorAddress, pools, timelocks };
}

export function watchedPools(stack: Stack): WatchedContract[] {
  return stack.pools.map((pool) => ({ label: pool.label, address: pool.address, iface: pool.contract.interface }));
}

export function watchedOrchestrator(stack: Stack): WatchedContract {
  return { label: "Orchestrator", address: stack.orchestratorAddress, iface: stack.orchestrator.interface };
}

// ---------------------------------------------------------------- assets

const ERC20_VIEWS = ["function balanceOf(address) view returns (uint256)", "function symbol() view returns (string)", "function decimals() view returns (uint8)"];

export interface AssetInfo {
  symbol: string;
  decimals: number;
}

/** How to print amounts of `asset`; a token without symbol()/decimals() is shown in base units. */
export async function assetInfo(provider: Provider, asset: string): Promise<AssetInfo> {
  if (asset === ZeroAddress) return { symbol: "ETH", decimals: 18 };
  const token = new Contract(asset, ERC20_VIEWS, provider);
  const [symbol, decimals] = await Promise.all([
    (token.getFunction("symbol")() as Promise<string>).catch(() => asset),
    (token.getFunction("decimals")() as Promise<bigint>).then(Number).catch(() => 0),
  ]);
  return { symbol, decimals };
}

/** `holder`'s balance of the native coin (zero address) or of an ERC-20, at `blockTag`. */
export async function assetBalance(provider: Provider, asset: string, holder: string, blockTag?: number): Promise<bigint> {
  if (asset === ZeroAddress) return provider.getBalance(holder, blockTag);
  const token = new Contract(asset, ERC20_VIEWS, provider);
  return (await token.getFunction("balanceOf")(holder, blockTag === undefined ? {} : { blockTag })) as bigint;
}

export function formatAmount(amount: bigint, info: AssetInfo): string {
  const text = info.decimals === 18 ? formatEther(amount) : formatUnits(amount, info.decimals);
  return `${text} ${info.symbol}`;
}
