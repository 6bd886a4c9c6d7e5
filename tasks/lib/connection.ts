import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { DeploymentRecord } from "./deployment-file.ts";
import { deploymentPath, readDeployment } from "./deployment-file.ts";
import { TaskError, TaskErrorCode } from "./errors.ts";

/**
 * The task's network connection. `getOrCreate` shares one connection per network inside a process, so
 * tasks run one after another (by `npm start` or a test) act on the same in-process chain.
 */
export async function connect(hre: HardhatRuntimeEnvironment) {
  const connection = await hre.network.getOrCreate();
  const chainId = (await connection.ethers.provider.getNetwork()).chainId;
  return { ...connection, chainId };
}

/** The deployment file of the connected network, checked to belong to its chain. */
export async function loadDeployment(hre: HardhatRuntimeEnvironment): Promise<{ record: DeploymentRecord; path: string } & Awaited<ReturnType<typeof connect>>> {
  const connection = await connect(hre);
  const path = deploymentPath(hre.config.paths.root, connection.networkName);
  const record = readDeployment(path, connection.networkName);
  if (record.chainId !== connection.chainId.toString()) {
    throw new TaskError(TaskErrorCode.CHAIN_MISMATCH, `${path} is for chain ${record.chainId}, but network '${connection.networkName}' is chain ${connection.chainId}`);
  }
  return { ...connection, record, path };
}

export function parseAddressList(value: string, field: string, isAddress: (v: string) => boolean): string[] {
  if (!value.trim()) return [];
  const items = value.split(",").map((item) => item.trim());
  for (const item of items) {
    if (!isAddress(item)) throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--${field}: '${item}' is not an address`);
  }
  return items;
}
