// The whole EVM stack, in order, resumable: every finished step is recorded in the deployment file before
// the next starts, and a rerun skips what the record (and the chain) already holds.
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { DeploymentRecord } from "./deployment-file.ts";
import { deployPoseidonHasher } from "./poseidon.ts";

const NATIVE_ASSET = "0x0000000000000000000000000000000000000000";
/** TimelockController: address(0) as executor lets anyone run an operation the Safe scheduled, once ready. */
const OPEN_EXECUTOR = NATIVE_ASSET;

export interface PoolSpec {
  /** Key in the deployment file: `ShieldPool.<name>`. */
  name: string;
  /** ERC-20 address, or the zero address for the native coin. */
  asset: string;
  depositLimit: bigint;
}

export interface DeployOptions {
  /** The Safe that proposes to both timelocks and holds the guardian, guardian-revoker and relayer-manager roles. */
  safe: string;
  /**
   * The security council (a separate Safe in production) holding SECURITY_COUNCIL_ROLE: the emergency
   * path that fixes a live exploit while the pools are paused (docs/governance.md).
   */
  council: string;
  /** Further GUARDIAN_ROLE holders, e.g. a monitoring key that can only pause. */
  guardians: string[];
  standardDelay: bigint;
  emergencyDelay: bigint;
  pools: PoolSpec[];
  save: (record: DeploymentRecord) => void;
  log: (line: string) => void;
}

export function nativePool(depositLimit: bigint): PoolSpec {
  return { name: "native", asset: NATIVE_ASSET, depositLimit };
}

/** Deploys or completes the stack described by `options` into `record`; returns the same record. */
export async function deployCloak(ethers: HardhatEthers, record: DeploymentRecord, options: DeployOptions): Promise<DeploymentRecord> {
  const [deployer] = await ethers.getSigners();
  if (!deployer) throw new Error("no deployer account is configured for this network");
  const { log, save } = options;

  async function contract(name: string, make: () => Promise<{ address: string; details?: Record<string, string | number | string[]> }>): Promise<string> {
    const existing = record.contracts[name];
    if (existing && (await ethers.provider.getCode(existing.address)) !== "0x") {
      log(`  = ${name.padEnd(28)} ${existing.address} (already deployed)`);
      return existing.address;
    }
    const made = await make();
    record.contracts[name] = made.details ? { address: made.address, details: made.details } : { address: made.address };
    save(record);
    log(`  + ${name.padEnd(28)} ${made.address}`);
    return made.address;
  }

  async function once(step: string, run: () => Promise<void>): Promise<void> {
    if (record.completed.includes(step)) return;
    await run();
    record.completed.push(step);
    save(record);
    log(`  ✓ ${step}`);
  }

  /** The new contract's address and the block its creation was mined in. */
  async function deployAt(artifact: string, args: unknown[] = []): Promise<{ address: string; block: number }> {
    const deployed = await ethers.deployContract(artifact, args);
    const receipt = await deployed.deploymentTransaction()?.wait();
    if (!receipt) throw new Error(`${artifact}: the deployment transaction has no receipt`);
    return { address: await deployed.getAddress(), block: receipt.blockNumber };
  }

  async function deploy(artifact: string, args: unknown[] = []): Promise<string> {
    return (await deployAt(artifact, args)).address;
  }

  async function proxy(implementation: string, initData: string): Promise<string> {
    return deploy("ERC1967Proxy", [implementation, initData]);
  }

  const hasher = await contract("PoseidonT3", async () => ({ address: await deployPoseidonHasher(ethers) }));
  const verifier = await contract("Transaction20Verifier", async () => ({ address: await deploy("Transaction20Verifier") }));

  const orchestratorImpl = await contract("Orchestrator.implementation", async () => ({ address: await deploy("Orchestrator") }));
  const orchestratorAddress = await contract("Orchestrator", async () => {
    const factory = await ethers.getContractFactory("Orchestrator");
    const init = factory.interface.encodeFunctionData("initialize", [deployer.address, verifier]);
    return { address: await proxy(orchestratorImpl, init), details: { implementation: orchestratorImpl } };
  });
  const orchestrator = await ethers.getContractAt("Orchestrator", orchestratorAddress);
  // Before any pool exists: once one does, granting the council's exit-window bypass must itself wait
  // out the exit window (Orchestrator._grantRole).
  await once("grant security council", async () => {
    const council = await orchestrator.SECURITY_COUNCIL_ROLE();
    if (!(await orchestrator.hasRole(council, options.council))) await (await orchestrator.grantRole(council, options.council)).wait();
  });

  const standardTimelock = await contract("StandardTimelock", async () => ({
    address: await deploy("TimelockController", [options.standardDelay, [options.safe], [OPEN_EXECUTOR], NATIVE_ASSET]),
    details: { delaySeconds: Number(options.standardDelay), proposer: options.safe },
  }));
  const emergencyTimelock = await contract("EmergencyTimelock", async () => ({
    address: await deploy("TimelockController", [options.emergencyDelay, [options.safe], [OPEN_EXECUTOR], NATIVE_ASSET]),
    details: { delaySeconds: Number(options.emergencyDelay), proposer: options.safe },
  }));

  const poolImpl = await contract("ShieldPool.implementation", async () => ({ address: await deploy("ShieldPool") }));
  const governor = await orchestrator.GOVERNOR_ROLE();
  for (const pool of options.pools) {
    const key = `ShieldPool.${pool.name}`;
    const poolAddress = await contract(key, async () => {
      const factory = await ethers.getContractFactory("ShieldPool");
      const init = factory.interface.encodeFunctionData("initialize", [orchestratorAddress, pool.asset, hasher]);
      // deployBlock: where a wallet or the indexer starts reading the pool's logs (no event precedes it).
      const made = await deployAt("ERC1967Proxy", [poolImpl, init]);
      return { address: made.address, details: { implementation: poolImpl, asset: pool.asset, deployBlock: made.block } };
    });
    await once(`register ${key}`, async () => {
      if (await orchestrator.isPool(poolAddress)) return;
      // The deployer governs only while the stack is being assembled; it renounces at the end.
      if (!(await orchestrator.hasRole(governor, deployer.address))) await (await orchestrator.grantRole(governor, deployer.address)).wait();
      await (await orchestrator.registerPool(poolAddress, pool.asset, pool.depositLimit)).wait();
    });
  }

  await once("grant roles", async () => {
    const grants: Array<[string, string]> = [
      [await orchestrator.DEFAULT_ADMIN_ROLE(), standardTimelock],
      [governor, standardTimelock],
      [await orchestrator.UPGRADER_ROLE(), standardTimelock],
      [await orchestrator.UNPAUSER_ROLE(), emergencyTimelock],
      [await orchestrator.RELAYER_MANAGER_ROLE(), options.safe],
      // Either can take a leaked monitoring key's guardian role at once; neither can grant it.
      [await orchestrator.GUARDIAN_REVOKER_ROLE(), options.safe],
      [await orchestrator.GUARDIAN_REVOKER_ROLE(), emergencyTimelock],
      ...[options.safe, ...options.guardians].map((holder): [string, string] => [ethers.id("GUARDIAN_ROLE"), holder]),
    ];
    for (const [role, holder] of grants) {
      if (!(await orchestrator.hasRole(role, holder))) await (await orchestrator.grantRole(role, holder)).wait();
    }
  });

  await once("deployer renounces its roles", async () => {
    for (const role of [governor, await orchestrator.DEFAULT_ADMIN_ROLE()]) {
      if (await orchestrator.hasRole(role, deployer.address)) await (await orchestrator.renounceRole(role, deployer.address)).wait();
    }
  });
  return record;
}
