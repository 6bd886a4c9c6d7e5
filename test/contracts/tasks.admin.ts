// The admin tasks run as an operator would (through Hardhat's task manager) against a deployment on
// the shared in-process chain: immediate actions, timelocked ones before and after their delay, and
// the refusals an operator must understand (missing role, operation not ready).
import { MerkleTree, getPoseidon } from "@cloak/sdk";
import { expect } from "chai";
import hre, { network } from "hardhat";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PRODUCTION_EMERGENCY_DELAY, PRODUCTION_STANDARD_DELAY } from "../../tasks/lib/constants.ts";
import type { DeploymentRecord } from "../../tasks/lib/deployment-file.ts";
import { deployRecordedStack } from "../support/deploy.ts";
import type { AdminOutcome } from "../../tasks/lib/admin.ts";
import { deployAcceptAllVerifier } from "../support/evil-verifier.ts";
import { restoreEnv } from "../support/env.ts";
import { expectFailure } from "../support/expect-failure.ts";

process.env.CLOAK_DEPLOYMENTS_DIR ??= mkdtempSync(join(tmpdir(), "cloak-deployments-"));
const { ethers, networkHelpers, networkName } = await network.getOrCreate();

const noFlags = { from: "", viaSafe: false, execute: false, after: "", out: "", proposal: "", propose: false };

describe("admin tasks", function () {
  let record: DeploymentRecord;
  let operator: string;
  let stranger: string;

  /**
   * A fresh deployment for every test (a chain snapshot after the first), so no test depends on what
   * another left behind. The deployment file keeps the same addresses, so it is written once.
   */
  async function freshDeployment(): Promise<DeploymentRecord> {
    const [, safeKey] = await ethers.getSigners();
    return deployRecordedStack(ethers, networkName, hre.config.paths.root, safeKey!.address);
  }

  beforeEach(async function () {
    const [, safeKey, other] = await ethers.getSigners();
    operator = safeKey!.address;
    stranger = other!.address;
    record = await networkHelpers.loadFixture(freshDeployment);
  });

  const run = (name: string, args: Record<string, unknown>) => hre.tasks.getTask(name).run({ ...noFlags, ...args }) as Promise<AdminOutcome>;
  const orchestrator = () => ethers.getContractAt("Orchestrator", record.contracts.Orchestrator!.address);
  const nativePool = () => record.contracts["ShieldPool.native"]!.address;
  const standardTimelock = () => ethers.getContractAt("TimelockController", record.contracts.StandardTimelock!.address);

  it("pause stops a pool at once when run by the guardian", async function () {
    const outcome = await run("pause", { pool: "native", from: operator });
    expect(outcome.kind).to.equal("sent");
    expect(await (await orchestrator()).isPaused(nativePool())).to.equal(true);
  });

  it("pause names the missing role and its holders for a key without it", async function () {
    await expectFailure(run("pause", { from: stranger }), /lacks GUARDIAN_ROLE.*held by/);
  });

  it("unpause is scheduled on the emergency timelock and refused before 6 hours", async function () {
    await run("pause", { pool: "native", from: operator });
    const scheduled = await run("unpause", { pool: "native", from: operator });
    expect(scheduled.kind).to.equal("scheduled");
    await expectFailure(run("unpause", { pool: "native", from: stranger, execute: true }), /not ready: it becomes executable at/);
    expect(await (await orchestrator()).isPaused(nativePool())).to.equal(true);
  });

  it("unpause --execute resumes the pool once the emergency delay has passed", async function () {
    await run("pause", { pool: "native", from: operator });
    await run("unpause", { pool: "native", from: operator });
    await networkHelpers.time.increase(PRODUCTION_EMERGENCY_DELAY);
    const outcome = await run("unpause", { pool: "native", from: stranger, execute: true });
    expect(outcome.kind).to.equal("executed");
    expect(await (await orchestrator()).isPaused(nativePool())).to.equal(false);
  });

  it("guardian:revoke takes a guardian's role at once, and its next pause fails the role check", async function () {
    const o = await orchestrator();
    const guardian = await o.GUARDIAN_ROLE();
    const monitor = await ethers.getSigner(stranger);
    // The standard timelock grants a monitoring key (48 h); the Safe's key revokes it at once.
    await networkHelpers.impersonateAccount(record.contracts.StandardTimelock!.address);
    await networkHelpers.setBalance(record.contracts.StandardTimelock!.address, 10n ** 18n);
    await o.connect(await ethers.getSigner(record.contracts.StandardTimelock!.address)).grantRole(guardian, stranger);
    const outcome = await run("guardian:revoke", { guardian: stranger, from: operator });
    expect(outcome.kind).to.equal("sent");
    expect(await o.hasRole(guardian, stranger)).to.equal(false);
    await expect(o.connect(monitor).pause(nativePool())).to.be.revertedWithCustomError(o, "AccessControlUnauthorizedAccount").withArgs(stranger, guardian);
  });

  it("guardian:revoke refuses an address that holds no guardian role", async function () {
    await expectFailure(run("guardian:revoke", { guardian: stranger, from: operator }), new RegExp(`--guardian: ${stranger} holds no GUARDIAN_ROLE`));
  });

  it("relayer:add, relayer:rotate and relayer:remove act at once", async function () {
    const [a, b] = [ethers.Wallet.createRandom().address, ethers.Wallet.createRandom().address];
    await run("relayer:add", { relayer: a, from: operator });
    await run("relayer:rotate", { relayer: a, replacement: b, from: operator });
    expect(await (await orchestrator()).relayers()).to.deep.equal([b]);
    await run("relayer:remove", { relayer: b, from: operator });
    expect(await (await orchestrator()).relayers()).to.deep.equal([]);
  });

  it("verifier:rotate takes effect only when executed after 48 hours", async function () {
    const replacement = await (await ethers.deployContract("Transaction20Verifier")).getAddress();
    const before = await (await orchestrator()).verifier();
    await run("verifier:rotate", { verifier: replacement, from: operator });
    expect(await (await orchestrator()).verifier()).to.equal(before);
    await networkHelpers.time.increase(PRODUCTION_STANDARD_DELAY);
    await run("verifier:rotate", { verifier: replacement, from: operator, execute: true });
    expect(await (await orchestrator()).verifier()).to.equal(replacement);
  });

  it("params:set changes a deposit limit through the standard timelock", async function () {
    await run("params:set", { pool: "native", depositLimit: "5", from: operator });
    await networkHelpers.time.increase(PRODUCTION_STANDARD_DELAY);
    await run("params:set", { pool: "native", depositLimit: "5", from: operator, execute: true });
    expect(await (await orchestrator()).depositLimit(nativePool())).to.equal(5n);
  });

  it("upgrade:propose refuses a layout-incompatible implementation with the tool's explanation", async function () {
    await expectFailure(run("upgrade:propose", { proxy: "ShieldPool.native", impl: "ShieldPoolLayoutClash", from: operator }), /not a safe upgrade of ShieldPool/);
  });

  it("upgrade:propose schedules a compatible upgrade that upgrade:execute applies after 48 hours", async function () {
    const proposed = await run("upgrade:propose", { proxy: "Orchestrator", impl: "OrchestratorV2", from: operator });
    expect(proposed.kind).to.equal("scheduled");
    await expectFailure(hre.tasks.getTask("upgrade:execute").run({ proxy: "Orchestrator", from: "" }), /not ready/);
    await networkHelpers.time.increase(PRODUCTION_STANDARD_DELAY);
    await hre.tasks.getTask("upgrade:execute").run({ proxy: "Orchestrator", from: "" });
    const upgraded = await ethers.getContractAt("OrchestratorV2", record.contracts.Orchestrator!.address);
    expect(await upgraded.version()).to.equal(2n);
  });

  it("upgrade:status lists executed and pending operations with their state", async function () {
    await run("pause", { from: operator });
    await run("unpause", { from: operator });
    await networkHelpers.time.increase(PRODUCTION_EMERGENCY_DELAY);
    await run("unpause", { from: stranger, execute: true });
    await run("params:set", { pool: "native", depositLimit: "7", from: operator });
    const statuses = (await hre.tasks.getTask("upgrade:status").run({})) as Array<{ state: string; timelockName: string; summary: string[] }>;
    expect(statuses.map((s) => [s.state, s.timelockName, s.summary[0]])).to.deep.equal([
      ["pending", "StandardTimelock", `Orchestrator.setDepositLimit(${nativePool()}, 7)`],
      ["done", "EmergencyTimelock", "Orchestrator.unpauseAll()"],
    ]);
  });

  it("schedules a second change of the same setting after the first, so it cannot run before it", async function () {
    const scheduledFirst = await run("params:set", { pool: "native", depositLimit: "5", from: operator });
    const scheduledSecond = await run("params:set", { pool: "native", depositLimit: "6", from: operator });
    if (scheduledFirst.kind !== "scheduled" || scheduledSecond.kind !== "scheduled") expect.fail("both changes should be scheduled");
    expect(scheduledFirst.predecessor).to.equal(ethers.ZeroHash);
    expect(scheduledSecond.predecessor).to.equal(scheduledFirst.operationId);
    await networkHelpers.time.increase(PRODUCTION_STANDARD_DELAY);
    await expectFailure(
      run("params:set", { pool: "native", depositLimit: "6", from: stranger, execute: true }),
      new RegExp(`must wait for its predecessor ${scheduledFirst.operationId}`),
    );
    await run("params:set", { pool: "native", depositLimit: "5", from: stranger, execute: true });
    await run("params:set", { pool: "native", depositLimit: "6", from: stranger, execute: true });
    expect(await (await orchestrator()).depositLimit(nativePool())).to.equal(6n);
  });

  it("an open executor calling the timelock directly cannot run the later change first", async function () {
    const scheduledFirst = await run("params:set", { pool: "native", depositLimit: "5", from: operator });
    await run("params:set", { pool: "native", depositLimit: "6", from: operator });
    if (scheduledFirst.kind !== "scheduled") expect.fail("the change should be scheduled");
    await networkHelpers.time.increase(PRODUCTION_STANDARD_DELAY);
    const timelock = await standardTimelock();
    const [, later] = (await timelock.queryFilter(timelock.filters.CallScheduled())).map((e) => e.args);
    const salt = (await timelock.queryFilter(timelock.filters.CallSalt(later!.id)))[0]!.args.salt;
    await expect(timelock.connect(await ethers.getSigner(stranger)).execute(later!.target, later!.value, later!.data, later!.predecessor, salt))
      .to.be.revertedWithCustomError(timelock, "TimelockUnexecutedPredecessor")
      .withArgs(scheduledFirst.operationId);
  });

  it("verifier:rotate refuses a verifier that accepts a tampered proof, and schedules nothing", async function () {
    const evil = await deployAcceptAllVerifier(ethers);
    await expectFailure(
      run("verifier:rotate", { verifier: evil, from: operator }),
      /VERIFIER_CHECK_FAILED: .*accepts a proof whose public signal root, publicAmount, extDataHash, inputNullifier\[0\], inputNullifier\[1\], outputCommitment\[0\], outputCommitment\[1\] was altered/,
    );
    expect(await (await standardTimelock()).queryFilter((await standardTimelock()).filters.CallScheduled())).to.deep.equal([]);
  });

  it("verifier:rotate refuses a real verifier wrapped to ignore the root, naming the root", async function () {
    // The check proves a deposit into an empty tree, so a wrapper pinning the root to the empty root
    // accepts that proof and every copy of it with another root: the one signal it fails to bind.
    const emptyRoot = new MerkleTree(20, await getPoseidon()).root;
    const real = await ethers.deployContract("Transaction20Verifier");
    const ignoresRoot = await ethers.deployContract("SignalIgnoringVerifier", [await real.getAddress(), 0n, emptyRoot]);
    await expectFailure(
      run("verifier:rotate", { verifier: await ignoresRoot.getAddress(), from: operator }),
      /VERIFIER_CHECK_FAILED: .*accepts a proof whose public signal root was altered: it does not bind the proof to that signal/,
    );
    expect(await (await standardTimelock()).queryFilter((await standardTimelock()).filters.CallScheduled())).to.deep.equal([]);
  });

  it("an operation scheduled --after another cannot execute before it, even by an open executor", async function () {
    const stray = await (await ethers.deployContract("TestToken")).getAddress();
    const first = await run("rescue", { token: stray, to: stranger, amount: "1", from: operator });
    if (first.kind !== "scheduled") expect.fail("the rescue should be scheduled");
    const dependent = await run("params:set", { pool: "native", depositLimit: "5", from: operator, after: first.operationId });
    if (dependent.kind !== "scheduled") expect.fail("the limit change should be scheduled");
    expect(dependent.predecessor).to.equal(first.operationId);
    await networkHelpers.time.increase(PRODUCTION_STANDARD_DELAY);
    const timelock = await standardTimelock();
    const limitCall = (await orchestrator()).interface.encodeFunctionData("setDepositLimit", [nativePool(), 5n]);
    const salt = (await timelock.queryFilter(timelock.filters.CallSalt(dependent.operationId)))[0]!.args.salt;
    await expect(timelock.connect(await ethers.getSigner(stranger)).execute(record.contracts.Orchestrator!.address, 0n, limitCall, first.operationId, salt))
      .to.be.revertedWithCustomError(timelock, "TimelockUnexecutedPredecessor")
      .withArgs(first.operationId);
    await expectFailure(
      run("params:set", { pool: "native", depositLimit: "5", from: stranger, execute: true }),
      new RegExp(`must wait for its predecessor ${first.operationId}`),
    );
  });

  it("--after refuses a value that is not an operation id", async function () {
    await expectFailure(
      run("params:set", { pool: "native", depositLimit: "5", from: operator, after: "0x1234" }),
      /INVALID_ARGUMENT: --after: '0x1234' is not an operation id \(0x followed by 64 hex digits/,
    );
    expect(await (await standardTimelock()).queryFilter((await standardTimelock()).filters.CallScheduled())).to.deep.equal([]);
  });

  it("--after refuses an id that is not scheduled on the action's timelock", async function () {
    await run("pause", { from: operator });
    const unpause = await run("unpause", { from: operator });
    if (unpause.kind !== "scheduled") expect.fail("the unpause should be scheduled");
    await expectFailure(
      run("params:set", { pool: "native", depositLimit: "5", from: operator, after: unpause.operationId }),
      new RegExp(`INVALID_ARGUMENT: --after: operation ${unpause.operationId} is not scheduled on the StandardTimelock`),
    );
    expect(await (await standardTimelock()).queryFilter((await standardTimelock()).filters.CallScheduled())).to.deep.equal([]);
  });

  it("--after refuses a cancelled operation", async function () {
    const first = await run("params:set", { pool: "native", depositLimit: "5", from: operator });
    if (first.kind !== "scheduled") expect.fail("the change should be scheduled");
    const timelock = await standardTimelock();
    const safe = await ethers.getSigner(operator);
    await timelock.connect(safe).cancel(first.operationId);
    await expectFailure(
      run("rescue", { token: await (await ethers.deployContract("TestToken")).getAddress(), to: stranger, amount: "1", from: operator, after: first.operationId }),
      new RegExp(`INVALID_ARGUMENT: --after: operation ${first.operationId} is cancelled on the StandardTimelock`),
    );
  });

  it("--after refuses a predecessor that lets the operation overtake an open change of the same setting", async function () {
    const sameSetting = await run("params:set", { pool: "native", depositLimit: "5", from: operator });
    const other = await run("rescue", { token: await (await ethers.deployContract("TestToken")).getAddress(), to: stranger, amount: "1", from: operator });
    if (sameSetting.kind !== "scheduled" || other.kind !== "scheduled") expect.fail("both should be scheduled");
    await expectFailure(
      run("params:set", { pool: "native", depositLimit: "6", from: operator, after: other.operationId }),
      new RegExp(`INVALID_ARGUMENT: --after: operation ${sameSetting.operationId} changes the same setting and is still open, but ${other.operationId} does not wait for it`),
    );
  });

  it("--after accepts a predecessor whose chain already waits for the open change of the same setting", async function () {
    const sameSetting = await run("params:set", { pool: "native", depositLimit: "5", from: operator });
    if (sameSetting.kind !== "scheduled") expect.fail("the change should be scheduled");
    const token = await (await ethers.deployContract("TestToken")).getAddress();
    const between = await run("rescue", { token, to: stranger, amount: "1", from: operator, after: sameSetting.operationId });
    if (between.kind !== "scheduled") expect.fail("the rescue should be scheduled");
    const last = await run("params:set", { pool: "native", depositLimit: "6", from: operator, after: between.operationId });
    if (last.kind !== "scheduled") expect.fail("the second change should be scheduled");
    expect([between.predecessor, last.predecessor]).to.deep.equal([sameSetting.operationId, between.operationId]);
  });

  it("--after is refused with --execute, which runs the operation as it was scheduled", async function () {
    const first = await run("params:set", { pool: "native", depositLimit: "5", from: operator });
    if (first.kind !== "scheduled") expect.fail("the change should be scheduled");
    await networkHelpers.time.increase(PRODUCTION_STANDARD_DELAY);
    await expectFailure(
      run("params:set", { pool: "native", depositLimit: "5", from: operator, execute: true, after: first.operationId }),
      /INVALID_ARGUMENT: --after applies when scheduling; --execute runs the operation with the predecessor it was scheduled with/,
    );
  });

  it("--after is refused for an action that takes effect at once", async function () {
    await expectFailure(
      run("pause", { from: operator, after: ethers.ZeroHash }),
      /INVALID_ARGUMENT: --after: pause all pools takes effect at once; only timelocked actions have a predecessor/,
    );
  });

  it("verifier:rotate refuses a verifier that rejects a valid proof of the given key", async function () {
    const depth20Verifier = await (await ethers.deployContract("Transaction20Verifier")).getAddress();
    await expectFailure(
      run("verifier:rotate", { verifier: depth20Verifier, depth: 5, from: operator }),
      /VERIFIER_CHECK_FAILED: .*rejects a valid proof made with .*transaction_5/,
    );
    expect(await (await standardTimelock()).queryFilter((await standardTimelock()).filters.CallScheduled())).to.deep.equal([]);
  });

  it("verifier:rotate refuses a contract that is no verifier", async function () {
    const token = await (await ethers.deployContract("TestToken")).getAddress();
    await expectFailure(run("verifier:rotate", { verifier: token, from: operator }), /VERIFIER_CHECK_FAILED: .*reverts on a valid proof/);
  });

  it("leaves changes of different settings independent", async function () {
    await run("rescue", { token: await (await ethers.deployContract("TestToken")).getAddress(), to: stranger, amount: "1", from: operator });
    const limit = await run("params:set", { pool: "native", depositLimit: "9", from: operator });
    if (limit.kind !== "scheduled") expect.fail("the limit change should be scheduled");
    expect(limit.predecessor).to.equal(ethers.ZeroHash);
  });

  it("rescue returns a stray token after the standard delay and refuses a pool asset", async function () {
    const stray = await ethers.deployContract("TestToken");
    await stray.mint(record.contracts.Orchestrator!.address, 50n);
    const args = { token: await stray.getAddress(), to: stranger, amount: "50", from: operator };
    await run("rescue", args);
    await networkHelpers.time.increase(PRODUCTION_STANDARD_DELAY);
    await run("rescue", { ...args, execute: true });
    expect(await stray.balanceOf(stranger)).to.equal(50n);
    await expectFailure(run("rescue", { ...args, token: ethers.ZeroAddress }), /pool asset/);
  });

  it("refuses an unknown pool name and lists the deployment's pools", async function () {
    await expectFailure(run("pause", { pool: "dogecoin", from: operator }), /--pool: 'dogecoin'.*ShieldPool.native/);
  });

  it("refuses a network without a deployment file", async function () {
    const saved = process.env.CLOAK_DEPLOYMENTS_DIR;
    process.env.CLOAK_DEPLOYMENTS_DIR = mkdtempSync(join(tmpdir(), "cloak-empty-"));
    try {
      await expectFailure(run("pause", { from: operator }), /no deployment for network/);
    } finally {
      restoreEnv("CLOAK_DEPLOYMENTS_DIR", saved);
    }
  });
});
