// `npx hardhat deploy --network <net> (--safe <address> | --owners a,b,c --threshold 2) [--council <Safe> | --council-owners … --council-threshold k]`: the whole
// stack in order, recorded in deployments/<network>.json after every step; rerunning resumes.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { connect } from "../lib/connection.ts";
import { parseAddressList } from "../lib/connection.ts";
import { deploymentPath, newDeployment, readDeployment, writeDeployment } from "../lib/deployment-file.ts";
import { deployCloak, nativePool, type PoolSpec } from "../lib/deploy.ts";
import { TaskError, TaskErrorCode } from "../lib/errors.ts";
import { createSafe, deploySafeSingletons, safeContractNetworks } from "../lib/safe.ts";
import { COUNCIL_MIN_OWNERS, DEFAULT_DEPOSIT_LIMIT, PRODUCTION_EMERGENCY_DELAY, PRODUCTION_STANDARD_DELAY } from "../lib/constants.ts";
import { checkCouncilThreshold, checkStandardDelay, isLocalChain, minimumCouncilThreshold } from "../lib/governance-rules.ts";
import { Contract } from "ethers";
import { existsSync } from "node:fs";

export interface DeployArguments {
  safe: string;
  owners: string;
  threshold: number;
  council: string;
  councilOwners: string;
  councilThreshold: number;
  guardians: string;
  tokens: string;
  depositLimit: string;
  standardDelay: string;
  emergencyDelay: string;
}

/** The task's defaults (tasks/index.ts), for scripts and tests that run it with a few options changed. */
export const DEPLOY_DEFAULTS: DeployArguments = {
  safe: "",
  owners: "",
  threshold: 0,
  council: "",
  councilOwners: "",
  councilThreshold: 0,
  guardians: "",
  tokens: "",
  depositLimit: DEFAULT_DEPOSIT_LIMIT.toString(),
  standardDelay: PRODUCTION_STANDARD_DELAY.toString(),
  emergencyDelay: PRODUCTION_EMERGENCY_DELAY.toString(),
};

function parseSeconds(value: string, field: string): bigint {
  if (!/^\d+$/.test(value)) throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--${field}: '${value}' is not a whole number of seconds`);
  return BigInt(value);
}

export default async function deploy(args: DeployArguments, hre: HardhatRuntimeEnvironment): Promise<void> {
  const { ethers, networkName, chainId } = await connect(hre);
  const isAddress = (value: string) => ethers.isAddress(value);
  if (args.owners && args.safe) throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, "give either --safe (an existing Safe) or --owners/--threshold (a new one), not both");
  if (args.council && args.councilOwners) {
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, "give either --council (an existing Safe) or --council-owners/--council-threshold (a new one), not both");
  }
  if (args.owners) args = { ...args, safe: await createGoverningSafe(hre, args, isAddress) };
  if (!isAddress(args.safe)) {
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--safe: '${args.safe}' is not an address (the Safe that will govern the deployment)`);
  }
  if ((await ethers.provider.getCode(args.safe)) === "0x") {
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--safe: ${args.safe} has no contract code on ${networkName}; deploy the Safe first`);
  }
  const standardDelay = parseSeconds(args.standardDelay, "standard-delay");
  checkStandardDelay(chainId, standardDelay);
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
  const council = await securityCouncil(hre, args, record.contracts.SecurityCouncil?.address, isAddress);
  const councilRecorded = record.contracts.SecurityCouncil?.address;
  if (councilRecorded && ethers.getAddress(councilRecorded) !== council.address) {
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `security council ${council.address} differs from ${councilRecorded}, which this deployment was started with`);
  }
  if (council.address === ethers.getAddress(args.safe) && !isLocalChain(chainId)) {
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, "the security council must be a Safe separate from the governing Safe: it exists to act when the governing keys cannot be trusted");
  }
  record.contracts.SecurityCouncil = { address: council.address, details: { owners: council.owners, threshold: council.threshold } };
  if (council.owners.length < COUNCIL_MIN_OWNERS && !isLocalChain(chainId)) {
    console.warn(`! the security council has ${council.owners.length} owners; L2BEAT Stage 1 expects at least ${COUNCIL_MIN_OWNERS}`);
  }

  console.log(`Deploying Cloak to '${networkName}' (chain ${chainId}); record: ${path}`);
  await deployCloak(ethers, record, {
    safe: ethers.getAddress(args.safe),
    council: council.address,
    guardians: parseAddressList(args.guardians, "guardians", isAddress),
    standardDelay,
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
  const owners = parseAddressList(args.owners, "owners", isAddress);
  const safe = await newSafe(hre, owners, args.threshold);
  console.log(`Safe ${safe}: ${args.threshold} of ${owners.length} owners (${owners.join(", ")})`);
  return safe;
}

async function newSafe(hre: HardhatRuntimeEnvironment, owners: string[], threshold: number): Promise<string> {
  const connection = await hre.network.getOrCreate();
  const chainId = (await connection.ethers.provider.getNetwork()).chainId;
  // Idempotent: on a chain that already has Safe 1.4.1 at its canonical addresses this sends nothing.
  await deploySafeSingletons(connection.ethers);
  const [payer] = await connection.ethers.getSigners();
  return createSafe({ provider: connection.provider, signer: payer!.address, owners, threshold, contractNetworks: safeContractNetworks(chainId) });
}

interface Council {
  address: string;
  owners: string[];
  threshold: number;
}

const SAFE_VIEWS = ["function getOwners() view returns (address[])", "function getThreshold() view returns (uint256)"];

/**
 * The security council: --council (an existing Safe), --council-owners/--council-threshold (a new one),
 * the one a resumed deployment recorded, or on a local chain a default 75 % Safe of the first accounts.
 * Off local chains its threshold must be at least 75 % of its owners.
 */
async function securityCouncil(hre: HardhatRuntimeEnvironment, args: DeployArguments, recorded: string | undefined, isAddress: (v: string) => boolean): Promise<Council> {
  const { ethers, chainId } = await connect(hre);
  if (args.councilOwners) {
    const owners = parseAddressList(args.councilOwners, "council-owners", isAddress).map((o) => ethers.getAddress(o));
    checkCouncilThreshold(chainId, owners.length, args.councilThreshold);
    const address = await newSafe(hre, owners, args.councilThreshold);
    console.log(`Security council Safe ${address}: ${args.councilThreshold} of ${owners.length} owners`);
    return { address, owners, threshold: args.councilThreshold };
  }
  const given = args.council || recorded;
  if (!given) {
    if (!isLocalChain(chainId)) {
      throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `chain ${chainId} needs a security council: --council <Safe> or --council-owners a,b,... --council-threshold k (at least 75 %)`);
    }
    const owners = (await ethers.getSigners()).slice(0, 4).map((s) => s.address);
    const threshold = minimumCouncilThreshold(owners.length);
    const address = await newSafe(hre, owners, threshold);
    console.log(`Security council Safe ${address} (local default): ${threshold} of ${owners.length} owners`);
    return { address, owners, threshold };
  }
  if (!isAddress(given)) throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--council: '${given}' is not an address`);
  const address = ethers.getAddress(given);
  if ((await ethers.provider.getCode(address)) === "0x") {
    if (!isLocalChain(chainId)) throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--council: ${address} has no contract code on chain ${chainId}; the council must be a Safe`);
    // A local stand-in key (tests): one owner, itself.
    return { address, owners: [address], threshold: 1 };
  }
  const safe = new Contract(address, SAFE_VIEWS, ethers.provider);
  let owners: string[];
  let threshold: number;
  try {
    owners = ((await safe.getFunction("getOwners")()) as string[]).map((o) => ethers.getAddress(o));
    threshold = Number(await safe.getFunction("getThreshold")());
  } catch {
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--council: ${address} is not a Safe (no getOwners/getThreshold)`);
  }
  checkCouncilThreshold(chainId, owners.length, threshold);
  return { address, owners, threshold };
}
