// The read-only operator tasks (health, balances, state:export, state:verify, events:replay) run as an
// operator would, through Hardhat's task manager, against a stack deployed by the deploy library on the
// shared in-process chain, after a real deposit and a real relayed withdrawal (depth-20 proofs).
import { expect } from "chai";
import hre, { network } from "hardhat";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Keypair,
  PoolSync,
  getPoseidon,
  proveTransaction,
  releaseProvingResources,
  toTransactArgs,
  type SnarkjsProver,
  type TransactionRequest,
} from "@cloak/sdk";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { Log, Provider } from "ethers";
import type { Orchestrator, ShieldPool, TimelockController } from "../../types/ethers-contracts/index.js";
import { EXIT_WINDOW, PRODUCTION_EMERGENCY_DELAY, PRODUCTION_STANDARD_DELAY } from "../../tasks/lib/constants.ts";
import type { DeploymentRecord } from "../../tasks/lib/deployment-file.ts";
import { deployRecordedStack } from "../support/deploy.ts";
import type { StateExport } from "../../tasks/lib/state-file.ts";
import { scanLogs } from "@cloak/sdk";
import type { HealthReport } from "../../tasks/actions/health.ts";
import type { BalancesReport } from "../../tasks/actions/balances.ts";
import type { StateExportResult } from "../../tasks/actions/state-export.ts";
import type { StateVerifyResult } from "../../tasks/actions/state-verify.ts";
import type { EventsReplayResult, ReplayLine } from "../../tasks/actions/events-replay.ts";
import { PRODUCTION_DEPTH, proverFor } from "../support/fixtures.ts";

process.env.CLOAK_DEPLOYMENTS_DIR ??= mkdtempSync(join(tmpdir(), "cloak-deployments-"));
const { ethers, networkHelpers, networkName } = await network.getOrCreate();

const ETH = 10n ** 18n;
const DEPOSIT = 1n * ETH;
const WITHDRAWAL = (4n * ETH) / 10n;
const FEE = ETH / 100n;

interface TaskRun<T> {
  result: T;
  exitCode: number;
  output: string;
}

/**
 * Runs a task as the CLI would and returns what it returned, the exit code it set and what it printed.
 * process.exitCode is restored afterwards: a task's "critical" must not fail the whole mocha run.
 */
async function runTask<T>(name: string, args: Record<string, unknown>): Promise<TaskRun<T>> {
  const previous = process.exitCode;
  const { log, error } = console;
  const lines: string[] = [];
  process.exitCode = undefined;
  console.log = (...parts: unknown[]) => void lines.push(parts.join(" "));
  console.error = (...parts: unknown[]) => void lines.push(parts.join(" "));
  try {
    const result = (await hre.tasks.getTask(name).run(args)) as T;
    return { result, exitCode: Number(process.exitCode ?? 0), output: lines.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
    process.exitCode = previous;
  }
}


describe("read-only operator tasks", function () {
  let record: DeploymentRecord;
  let orchestrator: Orchestrator;
  let pool: ShieldPool;
  let emergency: TimelockController;
  let safe: HardhatEthersSigner;
  let relayer: HardhatEthersSigner;
  let depositor: HardhatEthersSigner;
  let depositBlock: number;
  let withdrawalBlock: number;
  const workDir = mkdtempSync(join(tmpdir(), "cloak-state-"));

  before(async function () {
    this.timeout(180_000);
    const signers = await ethers.getSigners();
    const [, safeKey, relayerKey, recipient, depositorKey] = signers;
    safe = safeKey!;
    relayer = relayerKey!;
    depositor = depositorKey!;
    const chainId = (await ethers.provider.getNetwork()).chainId;

    record = await deployRecordedStack(ethers, networkName, hre.config.paths.root, safe.address);
    orchestrator = await ethers.getContractAt("Orchestrator", record.contracts.Orchestrator!.address);
    pool = await ethers.getContractAt("ShieldPool", record.contracts["ShieldPool.native"]!.address);
    emergency = await ethers.getContractAt("TimelockController", record.contracts.EmergencyTimelock!.address);
    await (await orchestrator.connect(safe).addRelayer(relayer.address)).wait();

    const prover: SnarkjsProver = await proverFor(PRODUCTION_DEPTH);
    const poseidon = await getPoseidon();
    const view = new PoolSync(ethers.provider, await pool.getAddress(), poseidon, { fromBlock: 0 });
    const alice = Keypair.generate(poseidon);
    const extData = (overrides: Partial<TransactionRequest["extData"]>): TransactionRequest["extData"] => ({
      chainId,
      pool: pool.target as string,
      recipient: ethers.ZeroAddress,
      relayer: ethers.ZeroAddress,
      extAmount: 0n,
      fee: 0n,
      ...overrides,
    });

    const deposit = await proveTransaction({ tree: view.tree, inputs: [], outputs: [{ amount: DEPOSIT, recipient: alice }], extData: extData({ extAmount: DEPOSIT }) }, prover, poseidon);
    const depositArgs = toTransactArgs(deposit);
    depositBlock = (await (await pool.connect(depositor).transact(depositArgs.proof, depositArgs.extData, { value: DEPOSIT })).wait())!.blockNumber;
    await view.sync();

    const [note] = view.notesOf(alice);
    const withdrawal = await proveTransaction(
      {
        tree: view.tree,
        inputs: [{ note: note!, owner: alice }],
        outputs: [{ amount: DEPOSIT - WITHDRAWAL - FEE, recipient: alice }],
        extData: extData({ recipient: recipient!.address, relayer: relayer.address, extAmount: -WITHDRAWAL, fee: FEE }),
      },
      prover,
      poseidon,
    );
    const withdrawalArgs = toTransactArgs(withdrawal);
    withdrawalBlock = (await (await pool.connect(relayer).transact(withdrawalArgs.proof, withdrawalArgs.extData)).wait())!.blockNumber;
  });

  after(releaseProvingResources);

  it("state:verify passes on the live chain and accounts for the pool's whole balance", async function () {
    const { result, exitCode } = await runTask<StateVerifyResult>("state:verify", { file: "", json: false });
    expect(exitCode).to.equal(0);
    expect(result.ok).to.equal(true);
    const [native] = result.pools;
    expect(native!.leaves).to.equal(4);
    expect(native!.rebuiltRoot).to.equal(await pool.getLastRoot());
    expect(native!.balance).to.equal(DEPOSIT - WITHDRAWAL - FEE);
    expect(native!.expectedBalance).to.equal(DEPOSIT - WITHDRAWAL - FEE);
    expect(native!.surplus).to.equal(0n);
  });

  it("state:export at an earlier block excludes later commitments, nullifiers and withdrawals", async function () {
    const out = join(workDir, "at-deposit.json");
    const { result, exitCode } = await runTask<StateExportResult>("state:export", { block: String(depositBlock), out });
    expect(exitCode).to.equal(0);
    const file = JSON.parse(readFileSync(out, "utf8")) as StateExport;
    expect(file).to.deep.equal(JSON.parse(JSON.stringify(result.state)));
    expect(file.format).to.equal("cloak-state/1");
    expect(file.blockNumber).to.equal(depositBlock);
    const [native] = file.pools;
    expect(native!.commitments.map((c) => c.index)).to.deep.equal([0, 1]);
    expect(native!.nullifiers).to.have.length(2);
    expect(native!.transacts.map((t) => t.extAmount)).to.deep.equal([DEPOSIT.toString()]);
    expect(native!.nextLeafIndex).to.equal(2);
    expect(native!.balance).to.equal(DEPOSIT.toString());
    expect(native!.lastRoot).to.equal(await pool.getLastRoot({ blockTag: depositBlock }));
    expect(native!.lastRoot).to.not.equal(await pool.getLastRoot());
    expect(file.orchestrator.relayers).to.deep.equal([relayer.address]);
    expect(file.orchestrator.verifier).to.equal(record.contracts.Transaction20Verifier!.address);
  });

  it("state:verify fails on an export file whose commitment was altered", async function () {
    const out = join(workDir, "latest.json");
    await runTask<StateExportResult>("state:export", { block: "latest", out });
    const clean = await runTask<StateVerifyResult>("state:verify", { file: out, json: false });
    expect(clean.exitCode, clean.output).to.equal(0);

    const state = JSON.parse(readFileSync(out, "utf8")) as StateExport;
    state.pools[0]!.commitments[3]!.commitment = ethers.toBeHex(123456789n, 32);
    const tampered = join(workDir, "tampered.json");
    writeFileSync(tampered, JSON.stringify(state));
    const { result, exitCode, output } = await runTask<StateVerifyResult>("state:verify", { file: tampered, json: false });
    expect(exitCode).to.equal(1);
    expect(result.ok).to.equal(false);
    const problems = result.pools[0]!.problems.join("\n");
    expect(problems).to.match(/after leaves 2\.\.3 the rebuilt root .* but the Transact of tx/);
    expect(problems).to.match(/differs from the pool's last root/);
    expect(output).to.contain("State does NOT verify.");
  });

  it("events:replay from a block lists the withdrawal's nullifiers, commitments and settlement in chain order", async function () {
    const out = join(workDir, "replay.ndjson");
    const { result, exitCode } = await runTask<EventsReplayResult>("events:replay", { fromBlock: String(withdrawalBlock), toBlock: "latest", out });
    expect(exitCode).to.equal(0);
    const lines = readFileSync(out, "utf8").trim().split("\n").map((line) => JSON.parse(line) as ReplayLine);
    expect(result.count).to.equal(lines.length);
    expect(lines.every((l) => l.blockNumber >= withdrawalBlock)).to.equal(true);
    const fromPool = lines.filter((l) => l.contract === "ShieldPool.native");
    expect(fromPool.map((l) => l.event)).to.deep.equal(["NewNullifier", "NewNullifier", "NewCommitment", "NewCommitment", "Transact"]);
    expect(fromPool.filter((l) => l.event === "NewCommitment").map((l) => l.args.index)).to.deep.equal(["2", "3"]);
    const transact = fromPool.find((l) => l.event === "Transact")!;
    expect(transact.args).to.include({ extAmount: (-WITHDRAWAL).toString(), fee: FEE.toString(), relayer: relayer.address });
    const order = lines.map((l) => [l.blockNumber, l.logIndex] as const);
    const sorted = [...order].sort(([b1, i1], [b2, i2]) => b1 - b2 || i1 - i2);
    expect(order).to.deep.equal(sorted);
  });

  it("events:replay from the deposit's block replays every commitment once, by leaf index", async function () {
    const out = join(workDir, "replay-all.ndjson");
    const { result } = await runTask<EventsReplayResult>("events:replay", { fromBlock: String(depositBlock), toBlock: String(withdrawalBlock), out });
    const lines = readFileSync(out, "utf8").trim().split("\n").map((line) => JSON.parse(line) as ReplayLine);
    expect(lines.filter((l) => l.event === "NewCommitment").map((l) => l.args.index)).to.deep.equal(["0", "1", "2", "3"]);
    expect(result.counts).to.include({ NewCommitment: 4, NewNullifier: 4, Transact: 2 });
  });

  it("reads logs through a node that caps ranges by halving the refused range, in chain order", async function () {
    const requested: Array<[number, number]> = [];
    const capped = {
      async getLogs(filter: { address: string[]; fromBlock: number; toBlock: number }): Promise<Log[]> {
        requested.push([filter.fromBlock, filter.toBlock]);
        if (filter.toBlock - filter.fromBlock >= 4) throw new Error("query exceeds max block range 4");
        return ethers.provider.getLogs(filter);
      },
    } as unknown as Provider;
    const seen: string[] = [];
    await scanLogs(capped, [pool.target as string], 0, withdrawalBlock, (logs) => void seen.push(...logs.map((l) => `${l.blockNumber}:${l.index}`)));
    const direct = await ethers.provider.getLogs({ address: pool.target as string, fromBlock: 0, toBlock: withdrawalBlock });
    expect(requested.length).to.be.greaterThan(1);
    expect(requested.every(([from, to]) => to >= from)).to.equal(true);
    expect(seen).to.deep.equal(direct.map((l) => `${l.blockNumber}:${l.index}`));
  });

  it("balances exits critical (code 2) for a relayer drained below 0.1 ETH", async function () {
    await networkHelpers.setBalance(relayer.address, ETH / 20n);
    const [deployer] = await ethers.getSigners();
    const { result, exitCode, output } = await runTask<BalancesReport>("balances", { warning: "1", critical: "0.1", accounts: deployer!.address, json: false });
    expect(exitCode).to.equal(2);
    expect(result.status).to.equal("CRITICAL");
    expect(result.accounts.map((a) => [a.address, a.kind, a.status])).to.deep.equal([
      [relayer.address, "relayer", "CRITICAL"],
      [deployer!.address, "extra", "OK"],
    ]);
    expect(output).to.match(/CRITICAL\s+relayer\s+0x/i);
  });

  it("balances warns, and exits 0, for a relayer between the thresholds", async function () {
    await networkHelpers.setBalance(relayer.address, ETH / 2n);
    const { result, exitCode } = await runTask<BalancesReport>("balances", { warning: "1", critical: "0.1", accounts: "", json: false });
    expect(exitCode).to.equal(0);
    expect(result.accounts.map((a) => a.status)).to.deep.equal(["WARNING"]);
  });

  it("health reports a sound deployment: roles as governance.md assigns them, both delays, the pool's tree", async function () {
    const { result, exitCode } = await runTask<HealthReport>("health", { json: false });
    expect(exitCode).to.equal(0);
    // Plain keys stand in for the Safe and the council here, and health says so; nothing else is amiss.
    const council = record.contracts.SecurityCouncil!.address;
    expect(result.findings).to.deep.equal([
      { severity: "warning", message: `RELAYER_MANAGER_ROLE is held by a plain key Safe (${safe.address}), not a Safe or timelock: one leaked key holds the power` },
      { severity: "warning", message: `GUARDIAN_REVOKER_ROLE is held by a plain key Safe (${safe.address}), not a Safe or timelock: one leaked key holds the power` },
      { severity: "warning", message: `SECURITY_COUNCIL_ROLE is held by a plain key SecurityCouncil (${council}), not a Safe or timelock: one leaked key holds the power` },
    ]);
    const holders = Object.fromEntries(result.roles.map((r) => [r.role, r.holders.map((h) => h.label ?? h.address)]));
    expect(holders).to.deep.equal({
      DEFAULT_ADMIN_ROLE: ["StandardTimelock"],
      GOVERNOR_ROLE: ["StandardTimelock"],
      UPGRADER_ROLE: ["StandardTimelock"],
      GUARDIAN_ROLE: ["Safe"],
      UNPAUSER_ROLE: ["EmergencyTimelock"],
      RELAYER_MANAGER_ROLE: ["Safe"],
      GUARDIAN_REVOKER_ROLE: ["Safe", "EmergencyTimelock"],
      SECURITY_COUNCIL_ROLE: ["SecurityCouncil"],
    });
    expect(result.exitWindow).to.deep.equal({
      exitWindowSeconds: EXIT_WINDOW,
      unpausedSince: Number(await orchestrator.unpausedSince()),
      open: true,
      changesExecutableAt: Number(await orchestrator.unpausedSince() + EXIT_WINDOW),
      pausedPools: [],
    });
    expect(result.timelocks.map((t) => [t.label, t.minDelaySeconds, t.pending.length])).to.deep.equal([
      ["StandardTimelock", PRODUCTION_STANDARD_DELAY, 0],
      ["EmergencyTimelock", PRODUCTION_EMERGENCY_DELAY, 0],
    ]);
    const [native] = result.pools;
    expect(native).to.include({ label: "ShieldPool.native", paused: false, nextLeafIndex: 4, lastRoot: await pool.getLastRoot(), balance: DEPOSIT - WITHDRAWAL - FEE });
    expect(result.relayers.map((r) => r.address)).to.deep.equal([relayer.address]);
  });

  it("health reports a paused pool after pause, critical, with its scheduled unpause pending", async function () {
    await (await orchestrator.connect(safe).pause(pool.target)).wait();
    const data = orchestrator.interface.encodeFunctionData("unpause", [pool.target]);
    await (await emergency.connect(safe).schedule(orchestrator.target, 0n, data, ethers.ZeroHash, ethers.id("unpause"), PRODUCTION_EMERGENCY_DELAY)).wait();

    const { result, exitCode, output } = await runTask<HealthReport>("health", { json: true });
    expect(exitCode).to.equal(1);
    expect(result.status).to.equal("critical");
    expect(result.pools[0]).to.include({ paused: true, ownPause: true });
    expect(result.orchestrator.allPaused).to.equal(false);
    expect(result.findings).to.deep.include({ severity: "critical", message: "ShieldPool.native is paused by its own switch" });
    expect(result.exitWindow).to.include({ open: false, changesExecutableAt: null });
    expect(result.exitWindow.pausedPools).to.deep.equal(["ShieldPool.native"]);
    const [op] = result.timelocks.find((t) => t.label === "EmergencyTimelock")!.pending;
    expect(op).to.include({ state: "pending", eta: result.blockTimestamp + Number(PRODUCTION_EMERGENCY_DELAY) });
    expect(op!.calls[0]).to.include({ targetLabel: "Orchestrator", decoded: `unpause(${pool.target as string})` });
    // --json prints exactly one JSON object, bigints as decimal strings.
    const printed = JSON.parse(output) as { pools: Array<{ paused: boolean; balance: string }> };
    expect(printed.pools[0]).to.include({ paused: true, balance: (DEPOSIT - WITHDRAWAL - FEE).toString() });
  });

  it("health warns of a queued updateDelay on the standard timelock, then of a delay below the exit window once it runs", async function () {
    const standard = await ethers.getContractAt("TimelockController", record.contracts.StandardTimelock!.address);
    const data = standard.interface.encodeFunctionData("updateDelay", [3600n]);
    await (await standard.connect(safe).schedule(standard.target, 0n, data, ethers.ZeroHash, ethers.id("shorter delay"), PRODUCTION_STANDARD_DELAY)).wait();
    const queued = await runTask<HealthReport>("health", { json: true });
    const [op] = queued.result.timelocks.find((t) => t.label === "StandardTimelock")!.pending;
    expect(queued.result.findings).to.deep.include({
      severity: "warning",
      message: `StandardTimelock has a queued updateDelay (${op!.id}): it changes how long every later operation is public before it runs`,
    });
    await networkHelpers.time.increase(PRODUCTION_STANDARD_DELAY);
    await (await standard.execute(standard.target, 0n, data, ethers.ZeroHash, ethers.id("shorter delay"))).wait();
    const shortened = await runTask<HealthReport>("health", { json: true });
    expect(shortened.result.findings).to.deep.include({
      severity: "warning",
      message: "StandardTimelock's delay (1h) is below the exit window (48h): a verifier rotation or an upgrade can run before users have seen it coming for the whole window",
    });
  });
});
