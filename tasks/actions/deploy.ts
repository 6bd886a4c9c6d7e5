// `npx hardhat deploy --network <net> (--safe <address> | --owners a,b,c --threshold 2)`: the whole
// stack in order, recorded in deployments/<network>.json after every step; rerunning resumes.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { connect } from "../lib/connection.ts";
import { parseAddressList } from "../lib/connection.ts";
import { deploymentPath, newDeployment, readDeployment, writeDeployment } from "../lib/deployment-file.ts";
import { deployCloak, nativePool, type PoolSpec } from "../lib/deploy.ts";
import { TaskError, TaskErrorCode } from "../lib/errors.ts";
import { createSafe, deploySafeSingletons, safeContractNetworks } from "../lib/safe.ts";
import { existsSync } from "node:fs";

export interface DeployArguments {
  safe: string;
  owners: string;
  threshold: number;
  guardians: string;
  tokens: string;
  depositLimit: string;
  standardDelay: string;
  emergencyDelay: string;
}

function parseSeconds(value: string, field: string): bigint {
  if (!/^\d+$/.test(value)) throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--${field}: '${value}' is not a whole number of seconds`);
  return BigInt(value);
}

export default async function deploy(args: DeployArguments, hre: HardhatRuntimeEnvironment): Promise<void> {
  const { ethers, networkName, chainId } = await connect(hre);
  const isAddress = (value: string) => ethers.isAddress(value);
  if (args.owners && args.safe) throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, "give either --safe (an existing Safe) or --owners/--threshold (a new one), not both");
  if (args.owners) args = { ...args, safe: await createGoverningSafe(hre, args, isAddress) };
  if (!isAddress(args.safe)) {
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--safe: '${args.safe}' is not an address (the Safe that will govern the deployment)`);
  }
  if ((await ethers.provider.getCode(args.safe)) === "0x") {
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--safe: ${args.safe} has no contract code on ${networkName}; deploy the Safe first`);
  }
  if (!/^\d+$/.test(args.depositLimit)) throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--deposit-limit: '${args.depositLimit}' is not a whole number`);
  const depositLimit = BigInt(args.depositLimit);
  const pools: PoolSpec[] = [
    nativePool(depositLimit),
    ...parseAddressList(args.tokens, "tokens", isAddress).map((asset) => ({ name: ethers.getAddress(asset), asset, depositLimit })),
  ];

  const path = deploymentPath(hre.config.paths.root, networkName);
  const record = existsSync(path) ? readDeployment(path, networkName) : newDeployment(networkName, chainId);
  if (record.chainId !== chainId.toString()) {
    throw new TaskError(TaskErrorCode.CHAIN_MISMATCH, `${path} belongs to chain ${record.chainId}, not ${chainId}: move it away to deploy afresh`);
  }
  const safeRecorded = record.contracts.Safe?.address;
  if (safeRecorded && ethers.getAddress(safeRecorded) !== ethers.getAddress(args.safe)) {
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--safe ${args.safe} differs from the Safe ${safeRecorded} this deployment was started with`);
  }
  record.contracts.Safe = { address: ethers.getAddress(args.safe) };

  console.log(`Deploying Cloak to '${networkName}' (chain ${chainId}); record: ${path}`);
  await deployCloak(ethers, record, {
    safe: ethers.getAddress(args.safe),
    guardians: parseAddressList(args.guardians, "guardians", isAddress),
    standardDelay: parseSeconds(args.standardDelay, "standard-delay"),
    emergencyDelay: parseSeconds(args.emergencyDelay, "emergency-delay"),
    pools,
    save: (updated) => writeDeployment(path, updated),
    log: (line) => console.log(line),
  });
  writeDeployment(path, record);
  console.log("Deployment complete.");
}

/** --owners/--threshold: a new Safe (after the Safe contracts themselves, on a chain that lacks them). */
async function createGoverningSafe(hre: HardhatRuntimeEnvironment, args: DeployArguments, isAddress: (v: string) => boolean): Promise<string> {
  const connection = await hre.network.getOrCreate();
  const owners = parseAddressList(args.owners, "owners", isAddress);
  const chainId = (await connection.ethers.provider.getNetwork()).chainId;
  // Idempotent: on a chain that already has Safe 1.4.1 at its canonical addresses this sends nothing.
  await deploySafeSingletons(connection.ethers);
  const [payer] = await connection.ethers.getSigners();
  const safe = await createSafe({
    provider: connection.provider,
    signer: payer!.address,
    owners,
    threshold: args.threshold,
    contractNetworks: safeContractNetworks(chainId),
  });
  console.log(`Safe ${safe}: ${args.threshold} of ${owners.length} owners (${owners.join(", ")})`);
  return safe;
}
