// Issue 8's EVM governance attacks, step by step, through the real deployment: the `deploy` task with a
// 2-of-3 Safe, its two timelocks and a 3-of-4 security council Safe (Safe v1.4.1 contracts, proposals
// signed owner by owner), real depth-20 Groth16 proofs for the users' withdrawals.
//   1. The exit-window attack: pause, schedule an evil verifier (and an upgrade), keep the pools paused
//      for 42 h, unpause through the 6 h timelock, swap at hour 48. The swap must fail and users must be
//      able to withdraw throughout the window that follows.
//   2. The emergency path that remains: the council replaces the verifier at once, only while paused.
//   3. The freeze attack: a leaked monitoring key re-pauses after every unpause; the Safe revokes it at once.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import hre, { network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { Keypair, MerkleTree, getPoseidon, prepareTransaction, releaseProvingResources, toTransactArgs, type PoseidonHasher } from "@cloak/sdk";
import { DEPLOY_DEFAULTS } from "../../tasks/actions/deploy.ts";
import type { AdminOutcome } from "../../tasks/lib/admin.ts";
import { EXIT_WINDOW, PRODUCTION_EMERGENCY_DELAY, PRODUCTION_STANDARD_DELAY } from "../../tasks/lib/constants.ts";
import { deploymentPath, readDeployment, type DeploymentRecord } from "../../tasks/lib/deployment-file.ts";
import { addSignature, executeSafeProposal, proposeSafeTransaction, safeContractNetworks } from "../../tasks/lib/safe.ts";
import { deployAcceptAllVerifier } from "../support/evil-verifier.ts";
import { restoreEnv } from "../support/env.ts";
import { expectFailure } from "../support/expect-failure.ts";
import { PRODUCTION_DEPTH, proverFor } from "../support/fixtures.ts";

const { ethers, networkHelpers, networkName, provider } = await network.getOrCreate();
const HOUR = 3600n;
const adminFlags = { from: "", viaSafe: false, execute: false, out: "", proposal: "", propose: false };
const task = (name: string, args: Record<string, unknown>) => hre.tasks.getTask(name).run(args);

describe("governance attacks (issue 8) through the real Safes and timelocks", function () {
  let signers: HardhatEthersSigner[];
  let poseidon: PoseidonHasher;

  /** `deploy` as an operator runs it: Safe owners 1-3 (2 of 3), the local default council (accounts 0-3, 3 of 4), account 6 a monitoring key. */
  async function deployedByTask(): Promise<DeploymentRecord> {
    const [, owner1, owner2, owner3, , , monitor] = await ethers.getSigners();
    await task("deploy", { ...DEPLOY_DEFAULTS, owners: [owner1, owner2, owner3].map((s) => s!.address).join(","), threshold: 2, guardians: monitor!.address });
    return readDeployment(deploymentPath(hre.config.paths.root, networkName), networkName);
  }

  // Its own deployments folder: `deploy` resumes from the file of the network it finds there, so a
  // folder shared with another suite would hand this one that suite's Safe.
  const previousDir = process.env.CLOAK_DEPLOYMENTS_DIR;

  before(async function () {
    process.env.CLOAK_DEPLOYMENTS_DIR = mkdtempSync(join(tmpdir(), "cloak-attacks-"));
    signers = await ethers.getSigners();
    poseidon = await getPoseidon();
  });

  after(async function () {
    restoreEnv("CLOAK_DEPLOYMENTS_DIR", previousDir);
    await releaseProvingResources();
  });

  async function stack() {
    const record = await networkHelpers.loadFixture(deployedByTask);
    const at = (key: string) => record.contracts[key]!.address;
    return {
      record,
      orchestrator: await ethers.getContractAt("Orchestrator", at("Orchestrator")),
      pool: await ethers.getContractAt("ShieldPool", at("ShieldPool.native")),
      standard: await ethers.getContractAt("TimelockController", at("StandardTimelock")),
      emergency: await ethers.getContractAt("TimelockController", at("EmergencyTimelock")),
      safe: record.contracts.Safe!.address,
      council: record.contracts.SecurityCouncil!.address,
    };
  }

  /** Raw calls from a Safe, proposed by the first signer and co-signed by the rest (an attacker owning the keys needs no task). */
  async function fromSafe(safe: string, calls: Array<{ to: string; data: string }>, owners: HardhatEthersSigner[]): Promise<void> {
    const connection = { provider, contractNetworks: safeContractNetworks((await ethers.provider.getNetwork()).chainId) };
    let proposal = await proposeSafeTransaction({ ...connection, signer: owners[0]!.address, safeAddress: safe, calls: calls.map((c) => ({ ...c, value: 0n })) });
    for (const owner of owners.slice(1)) proposal = await addSignature(proposal, { ...connection, signer: owner.address });
    await executeSafeProposal(proposal, { ...connection, signer: owners[0]!.address });
  }

  /** An admin task with --via-safe, co-signed with safe:sign and run with safe:execute, as the runbook does. */
  async function taskThroughSafe(name: string, args: Record<string, unknown>, owners: HardhatEthersSigner[]): Promise<void> {
    const proposal = join(mkdtempSync(join(tmpdir(), "cloak-proposal-")), "proposal.json");
    const outcome = (await task(name, { ...adminFlags, ...args, viaSafe: true, proposal, from: owners[0]!.address })) as AdminOutcome;
    if (outcome.kind !== "safe") expect.fail(`${name} should produce a Safe proposal`);
    for (const owner of owners.slice(1)) await task("safe:sign", { file: outcome.path, from: owner.address });
    await task("safe:execute", { file: outcome.path, from: owners[0]!.address });
  }

  /** Alice's deposit of 1 ETH into an empty pool: the note and the tree a wallet would rebuild from the pool's events. */
  async function deposit(pool: string, alice: Keypair) {
    const chainId = (await ethers.provider.getNetwork()).chainId;
    const tree = new MerkleTree(PRODUCTION_DEPTH, poseidon);
    const amount = 10n ** 18n;
    const prepared = prepareTransaction(
      { tree, inputs: [], outputs: [{ amount, recipient: alice }], extData: { chainId, pool, recipient: ethers.ZeroAddress, relayer: ethers.ZeroAddress, fee: 0n, extAmount: amount } },
      poseidon,
    );
    const proven = { ...prepared, ...(await (await proverFor(PRODUCTION_DEPTH)).prove(prepared.circuitInputs)) };
    const { proof, extData } = toTransactArgs(proven);
    await (await (await ethers.getContractAt("ShieldPool", pool)).connect(signers[7]!).transact(proof, extData, { value: amount })).wait();
    tree.insertMany(prepared.outputNotes.map((n) => n.commitment));
    return { tree, note: { ...prepared.outputNotes[0]!, leafIndex: 0 }, amount };
  }

  /** Alice withdraws her whole note to `to`, with a real proof; resolves to the transaction. */
  async function withdraw(pool: string, alice: Keypair, funds: Awaited<ReturnType<typeof deposit>>, to: string) {
    const chainId = (await ethers.provider.getNetwork()).chainId;
    const prepared = prepareTransaction(
      {
        tree: funds.tree,
        inputs: [{ note: funds.note, owner: alice }],
        outputs: [],
        extData: { chainId, pool, recipient: to, relayer: ethers.ZeroAddress, fee: 0n, extAmount: -funds.amount },
      },
      poseidon,
    );
    const proven = { ...prepared, ...(await (await proverFor(PRODUCTION_DEPTH)).prove(prepared.circuitInputs)) };
    const { proof, extData } = toTransactArgs(proven);
    return (await ethers.getContractAt("ShieldPool", pool)).connect(signers[7]!).transact(proof, extData);
  }

  it("the audit's exit-window attack fails: the verifier swap and the upgrade at hour 48 revert with ExitWindowNotElapsed(unpause + 48 h), and users withdraw meanwhile", async function () {
    const s = await stack();
    const [, owner1, owner2] = signers;
    const alice = Keypair.generate(poseidon);
    const funds = await deposit(String(s.pool.target), alice);
    const evil = await deployAcceptAllVerifier(ethers);
    const orchestratorV2 = await ethers.deployContract("OrchestratorV2");
    const attacker = signers[8]!;

    // Hour 0: the Safe pauses everything and schedules the swap and an upgrade on the 48 h timelock.
    await fromSafe(s.safe, [{ to: String(s.orchestrator.target), data: s.orchestrator.interface.encodeFunctionData("pauseAll") }], [owner1!, owner2!]);
    const swap = { target: String(s.orchestrator.target), data: s.orchestrator.interface.encodeFunctionData("setVerifier", [evil]), salt: ethers.id("evil verifier") };
    const upgrade = { target: String(s.orchestrator.target), data: s.orchestrator.interface.encodeFunctionData("upgradeToAndCall", [String(orchestratorV2.target), "0x"]), salt: ethers.id("evil upgrade") };
    for (const op of [swap, upgrade]) {
      const schedule = s.standard.interface.encodeFunctionData("schedule", [op.target, 0n, op.data, ethers.ZeroHash, op.salt, PRODUCTION_STANDARD_DELAY]);
      await fromSafe(s.safe, [{ to: String(s.standard.target), data: schedule }], [owner1!, owner2!]);
    }
    // Withdrawals fail the whole time the pools are paused.
    await expect(withdraw(String(s.pool.target), alice, funds, attacker.address)).to.be.revertedWithCustomError(s.pool, "PoolIsPaused");

    // Hour 42: the Safe schedules unpauseAll on the 6 h timelock; hour 48: anyone executes it.
    await networkHelpers.time.increase(42n * HOUR);
    const unpause = { data: s.orchestrator.interface.encodeFunctionData("unpauseAll"), salt: ethers.id("unpause at hour 48") };
    const scheduleUnpause = s.emergency.interface.encodeFunctionData("schedule", [s.orchestrator.target, 0n, unpause.data, ethers.ZeroHash, unpause.salt, PRODUCTION_EMERGENCY_DELAY]);
    await fromSafe(s.safe, [{ to: String(s.emergency.target), data: scheduleUnpause }], [owner1!, owner2!]);
    await networkHelpers.time.increase(PRODUCTION_EMERGENCY_DELAY);
    const unpaused = await (await s.emergency.connect(attacker).execute(s.orchestrator.target, 0n, unpause.data, ethers.ZeroHash, unpause.salt)).wait();
    const unpausedAt = BigInt((await ethers.provider.getBlock(unpaused!.blockNumber))!.timestamp);
    expect(await s.orchestrator.changesExecutableAt()).to.equal(unpausedAt + EXIT_WINDOW);

    // Hour 48: both operations are ready on the timelock, and both are refused by the Orchestrator.
    expect(await s.standard.isOperationReady(await s.standard.hashOperation(swap.target, 0n, swap.data, ethers.ZeroHash, swap.salt))).to.equal(true);
    await expect(s.standard.connect(attacker).execute(swap.target, 0n, swap.data, ethers.ZeroHash, swap.salt))
      .to.be.revertedWithCustomError(s.orchestrator, "ExitWindowNotElapsed")
      .withArgs(unpausedAt + EXIT_WINDOW);
    await expect(s.standard.connect(attacker).execute(upgrade.target, 0n, upgrade.data, ethers.ZeroHash, upgrade.salt))
      .to.be.revertedWithCustomError(s.orchestrator, "ExitWindowNotElapsed")
      .withArgs(unpausedAt + EXIT_WINDOW);
    expect(await s.orchestrator.verifier()).to.equal(s.record.contracts.Transaction20Verifier!.address);

    // During the window every user can leave: Alice withdraws her whole deposit.
    const recipient = ethers.Wallet.createRandom().address;
    await (await withdraw(String(s.pool.target), alice, funds, recipient)).wait();
    expect(await ethers.provider.getBalance(recipient)).to.equal(funds.amount);

    // Re-pausing just before the deadline restarts the window instead of letting the swap through.
    await networkHelpers.time.increase(EXIT_WINDOW - 2n * HOUR);
    await fromSafe(s.safe, [{ to: String(s.orchestrator.target), data: s.orchestrator.interface.encodeFunctionData("pauseAll") }], [owner1!, owner2!]);
    await networkHelpers.time.increase(3n * HOUR);
    await expect(s.standard.connect(attacker).execute(swap.target, 0n, swap.data, ethers.ZeroHash, swap.salt))
      .to.be.revertedWithCustomError(s.orchestrator, "ExitWindowNotElapsed")
      .withArgs(ethers.MaxUint256);
  });

  it("the documented emergency path works: while paused, the 3-of-4 council Safe replaces the verifier at once (emergency:verifier --via-safe)", async function () {
    const s = await stack();
    const [owner0, owner1, owner2, owner3] = signers;
    const fixed = await (await ethers.deployContract("Transaction20Verifier")).getAddress();
    const previous = await s.orchestrator.verifier();
    await expectFailure(task("emergency:verifier", { ...adminFlags, verifier: fixed, viaSafe: true, from: owner0!.address }), /global pause is off/);

    await taskThroughSafe("pause", {}, [owner1!, owner2!]);
    await expectFailure(taskThroughSafe("emergency:verifier", { verifier: fixed }, [owner0!, owner1!]), /SAFE_THRESHOLD_NOT_MET/);
    const block = await ethers.provider.getBlockNumber();
    await taskThroughSafe("emergency:verifier", { verifier: fixed }, [owner0!, owner1!, owner3!]);
    expect(await s.orchestrator.verifier()).to.equal(fixed);
    const [event] = await s.orchestrator.queryFilter(s.orchestrator.filters.EmergencyVerifierRotated(), block);
    expect([event!.args.previous, event!.args.current, event!.args.by]).to.deep.equal([previous, fixed, s.council]);
  });

  it("the council's emergency upgrade works only while paused: emergency:upgrade --via-safe upgrades the Orchestrator at once", async function () {
    const s = await stack();
    const [owner0, owner1, owner2, owner3] = signers;
    await expectFailure(task("emergency:upgrade", { ...adminFlags, proxy: "Orchestrator", impl: "OrchestratorV2", viaSafe: true, from: owner0!.address }), /global pause is off/);
    await taskThroughSafe("pause", {}, [owner1!, owner2!]);
    await taskThroughSafe("emergency:upgrade", { proxy: "Orchestrator", impl: "OrchestratorV2" }, [owner0!, owner1!, owner3!]);
    expect(await (await ethers.getContractAt("OrchestratorV2", s.orchestrator.target)).version()).to.equal(2n);
  });

  it("the freeze attack fails: a leaked monitoring key that re-pauses is revoked by the Safe at once (guardian:revoke --via-safe) and cannot pause again", async function () {
    const s = await stack();
    const [, owner1, owner2, , , , monitor] = signers;
    const guardian = await s.orchestrator.GUARDIAN_ROLE();
    await task("pause", { ...adminFlags, from: monitor!.address });
    // The Safe unpauses through the 6 h timelock; the key pauses again in the next block.
    await taskThroughSafe("unpause", {}, [owner1!, owner2!]);
    await networkHelpers.time.increase(PRODUCTION_EMERGENCY_DELAY);
    await task("unpause", { ...adminFlags, execute: true, from: signers[8]!.address });
    await task("pause", { ...adminFlags, from: monitor!.address });
    expect(await s.orchestrator.allPaused()).to.equal(true);

    // No timelock in the way: one Safe transaction takes the role.
    await taskThroughSafe("guardian:revoke", { guardian: monitor!.address }, [owner1!, owner2!]);
    expect(await s.orchestrator.hasRole(guardian, monitor!.address)).to.equal(false);
    await taskThroughSafe("unpause", {}, [owner1!, owner2!]);
    await networkHelpers.time.increase(PRODUCTION_EMERGENCY_DELAY);
    await task("unpause", { ...adminFlags, execute: true, from: signers[8]!.address });
    await expect(s.orchestrator.connect(monitor!).pauseAll()).to.be.revertedWithCustomError(s.orchestrator, "AccessControlUnauthorizedAccount").withArgs(monitor!.address, guardian);
    expect(await s.orchestrator.allPaused()).to.equal(false);
  });
});
