// Deploys the EVM stack for tests: hasher, verifier, Orchestrator and pool proxies, with the deployer
// holding every role (governance through timelocks and a Safe is exercised by its own tests).
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { Orchestrator, ShieldPool } from "../../types/ethers-contracts/index.js";
import { DEFAULT_DEPOSIT_LIMIT, PRODUCTION_EMERGENCY_DELAY, PRODUCTION_STANDARD_DELAY } from "../../tasks/lib/constants.ts";
import { deployCloak, nativePool } from "../../tasks/lib/deploy.ts";
import { deploymentPath, newDeployment, writeDeployment, type DeploymentRecord } from "../../tasks/lib/deployment-file.ts";
import { deployPoseidonHasher } from "../../tasks/lib/poseidon.ts";


/** The test signer that stands in for the security council unless a test names one. */
export const COUNCIL_SIGNER = 9;

export async function deployProxy(ethers: HardhatEthers, implementation: string, initData: string): Promise<string> {
  const proxy = await ethers.deployContract("ERC1967Proxy", [implementation, initData]);
  return proxy.getAddress();
}

export interface Stack {
  admin: HardhatEthersSigner;
  orchestrator: Orchestrator;
  pool: ShieldPool;
  hasher: string;
  verifier: string;
}

export async function deployStack(ethers: HardhatEthers, options: { token?: string } = {}): Promise<Stack> {
  const [admin] = await ethers.getSigners();
  const hasher = await deployPoseidonHasher(ethers);
  const verifier = await (await ethers.deployContract("Transaction20Verifier")).getAddress();

  const orchestratorImpl = await ethers.deployContract("Orchestrator");
  const orchestratorAddress = await deployProxy(
    ethers,
    await orchestratorImpl.getAddress(),
    orchestratorImpl.interface.encodeFunctionData("initialize", [admin!.address, verifier]),
  );
  const orchestrator = await ethers.getContractAt("Orchestrator", orchestratorAddress);
  for (const role of ["GOVERNOR_ROLE", "UPGRADER_ROLE", "GUARDIAN_ROLE", "UNPAUSER_ROLE", "RELAYER_MANAGER_ROLE"] as const) {
    await orchestrator.grantRole(await orchestrator[role](), admin!.address);
  }

  const token = options.token ?? ethers.ZeroAddress;
  const poolImpl = await ethers.deployContract("ShieldPool");
  const poolAddress = await deployProxy(
    ethers,
    await poolImpl.getAddress(),
    poolImpl.interface.encodeFunctionData("initialize", [orchestratorAddress, token, hasher]),
  );
  await orchestrator.registerPool(poolAddress, token, DEFAULT_DEPOSIT_LIMIT);
  const pool = await ethers.getContractAt("ShieldPool", poolAddress);
  return { admin: admin!, orchestrator, pool, hasher, verifier };
}

/**
 * The stack as `deploy` leaves it (production delays, native pool, deployer holding no role), with a
 * plain key standing in for the Safe so tests can act without co-signers, recorded in the deployment
 * file the tasks read. The Safe route itself is covered by Safe.ts and tasks.safe.ts.
 */
export async function deployRecordedStack(ethers: HardhatEthers, networkName: string, root: string, safe: string, council?: string): Promise<DeploymentRecord> {
  const record = newDeployment(networkName, (await ethers.provider.getNetwork()).chainId);
  // A plain key stands in for the security council Safe too (its Safe route is tested in governance-attacks.ts).
  const councilKey = council ?? (await ethers.getSigners())[COUNCIL_SIGNER]!.address;
  await deployCloak(ethers, record, {
    safe,
    council: councilKey,
    guardians: [],
    standardDelay: PRODUCTION_STANDARD_DELAY,
    emergencyDelay: PRODUCTION_EMERGENCY_DELAY,
    pools: [nativePool(DEFAULT_DEPOSIT_LIMIT)],
    save: () => {},
    log: () => {},
  });
  // As the deploy task does: health and role errors name the Safe from the record.
  record.contracts.Safe = { address: safe };
  record.contracts.SecurityCouncil = { address: councilKey };
  writeDeployment(deploymentPath(root, networkName), record);
  return record;
}
