// Deploys the EVM stack for tests: hasher, verifier, Orchestrator and pool proxies, with the deployer
// holding every role (governance through timelocks and a Safe is exercised by its own tests).
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { Orchestrator, ShieldPool } from "../../types/ethers-contracts/index.js";
import { DEFAULT_DEPOSIT_LIMIT } from "../../tasks/lib/constants.ts";
import { deployPoseidonHasher } from "../../tasks/lib/poseidon.ts";


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
