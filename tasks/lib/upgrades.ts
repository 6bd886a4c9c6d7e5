// Storage-safe upgrades (runbook UP-001) through OpenZeppelin's upgrades plugin: it compares the new
// implementation's storage layout (ERC-7201 namespaces included) with the proxy's current one and
// refuses an unsafe change with its own explanation, before anything is deployed or scheduled.
import { upgrades } from "@openzeppelin/hardhat-upgrades";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { DeploymentRecord } from "./deployment-file.ts";
import { TaskError, TaskErrorCode } from "./errors.ts";

/** The contract a deployment entry's proxy currently runs: "Orchestrator", "ShieldPool.native" → "ShieldPool". */
export function currentContractName(record: DeploymentRecord, proxyName: string): string {
  const entry = record.contracts[proxyName];
  if (!entry || proxyName.endsWith(".implementation") || !entry.details?.implementation) {
    const proxies = Object.entries(record.contracts)
      .filter(([name, c]) => !name.endsWith(".implementation") && c.details?.implementation)
      .map(([name]) => name);
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--proxy: '${proxyName}' is not an upgradeable proxy of this deployment (${proxies.join(", ")})`);
  }
  return String(entry.details.contract ?? proxyName.split(".")[0]);
}

/**
 * Validates `newContract` as an upgrade of the proxy and deploys its implementation (reused if the same
 * bytecode was deployed before). Returns the implementation address.
 */
export async function prepareImplementation(hre: HardhatRuntimeEnvironment, proxy: string, currentContract: string, newContract: string): Promise<string> {
  // The plugin needs the connection object itself (its provider), not a copy of its fields.
  const connection = await hre.network.getOrCreate();
  const api = await upgrades(hre, connection);
  const current = await connection.ethers.getContractFactory(currentContract);
  let next;
  try {
    next = await connection.ethers.getContractFactory(newContract);
  } catch {
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--impl: no compiled contract named '${newContract}'`);
  }
  // Our proxies were deployed without the plugin; registering the current implementation gives it the
  // reference layout to compare against.
  await api.forceImport(proxy, current, { kind: "uups" });
  try {
    const deployed = await api.prepareUpgrade(proxy, next, { kind: "uups" });
    return typeof deployed === "string" ? deployed : String(deployed.to);
  } catch (error) {
    throw new TaskError(TaskErrorCode.UNSAFE_UPGRADE, `${newContract} is not a safe upgrade of ${currentContract}:\n${(error as Error).message}`);
  }
}
