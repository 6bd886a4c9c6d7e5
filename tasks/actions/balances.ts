// `npx hardhat balances [--warning 1] [--critical 0.1] [--accounts a,b] [--json] --network <net>`: the
// runbook's daily gas-reserve check. Every registered relayer (plus any extra account) is compared with
// the PIL thresholds: < 1 ETH warns, < 0.1 ETH is critical and exits with code 2 so cron/CI can page.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { formatEther, getAddress, isAddress, parseEther } from "ethers";
import { loadDeployment, parseAddressList } from "../lib/connection.ts";
import { TaskError, TaskErrorCode } from "../lib/errors.ts";
import { raiseExitCode, toJson } from "../lib/output.ts";
import { labelOf } from "../lib/stack.ts";
import { requireContract } from "../lib/deployment-file.ts";

export interface BalancesArguments {
  /** ETH, decimal: below it an account is WARNING. */
  warning: string;
  /** ETH, decimal: below it an account is CRITICAL. */
  critical: string;
  /** Extra addresses to check, comma-separated. */
  accounts: string;
  json: boolean;
}

export type BalanceStatus = "OK" | "WARNING" | "CRITICAL";

export interface AccountBalance {
  address: string;
  /** "relayer", or "extra" for an address given with --accounts. */
  kind: "relayer" | "extra";
  label?: string;
  balance: bigint;
  status: BalanceStatus;
}

export interface BalancesReport {
  network: string;
  blockNumber: number;
  warningBelow: bigint;
  criticalBelow: bigint;
  accounts: AccountBalance[];
  status: BalanceStatus;
}

/** Exit code for a critical balance; a warning exits 0 (it is a heads-up, not a page). */
export const CRITICAL_EXIT_CODE = 2;

function parseEth(value: string, option: string): bigint {
  try {
    const amount = parseEther(value.trim());
    if (amount < 0n) throw new Error("negative");
    return amount;
  } catch {
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--${option}: '${value}' is not an amount of ETH (e.g. 0.1)`);
  }
}

export function classify(balance: bigint, warningBelow: bigint, criticalBelow: bigint): BalanceStatus {
  if (balance < criticalBelow) return "CRITICAL";
  if (balance < warningBelow) return "WARNING";
  return "OK";
}

export default async function balances(args: BalancesArguments, hre: HardhatRuntimeEnvironment): Promise<BalancesReport> {
  const warningBelow = parseEth(args.warning, "warning");
  const criticalBelow = parseEth(args.critical, "critical");
  if (criticalBelow > warningBelow) {
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--critical (${args.critical} ETH) must not exceed --warning (${args.warning} ETH)`);
  }
  const extra = parseAddressList(args.accounts, "accounts", isAddress).map((a) => getAddress(a));

  const { ethers, record, networkName } = await loadDeployment(hre);
  const blockNumber = await ethers.provider.getBlockNumber();
  const orchestrator = await ethers.getContractAt("Orchestrator", requireContract(record, "Orchestrator").address);
  const relayers = await orchestrator.relayers({ blockTag: blockNumber });

  const seen = new Set<string>();
  const accounts: AccountBalance[] = [];
  for (const [address, kind] of [...relayers.map((a) => [a, "relayer"] as const), ...extra.map((a) => [a, "extra"] as const)]) {
    if (seen.has(address.toLowerCase())) continue;
    seen.add(address.toLowerCase());
    const balance = await ethers.provider.getBalance(address, blockNumber);
    const label = labelOf(record, address);
    accounts.push({ address, kind, ...(label ? { label } : {}), balance, status: classify(balance, warningBelow, criticalBelow) });
  }
  const status: BalanceStatus = accounts.some((a) => a.status === "CRITICAL") ? "CRITICAL" : accounts.some((a) => a.status === "WARNING") ? "WARNING" : "OK";
  const report: BalancesReport = { network: networkName, blockNumber, warningBelow, criticalBelow, accounts, status };

  if (args.json) {
    console.log(toJson(report, 2));
  } else {
    console.log(`Gas balances on '${networkName}' at block ${blockNumber} (warning < ${formatEther(warningBelow)} ETH, critical < ${formatEther(criticalBelow)} ETH)`);
    if (relayers.length === 0) console.log("  ! no relayer is registered in the Orchestrator");
    for (const a of accounts) {
      const name = a.label ? `${a.label} ${a.address}` : a.address;
      console.log(`  ${a.status.padEnd(8)} ${a.kind.padEnd(7)} ${name}  ${formatEther(a.balance)} ETH`);
    }
    console.log(`Status: ${status}`);
  }
  if (status === "CRITICAL") raiseExitCode(CRITICAL_EXIT_CODE);
  return report;
}
