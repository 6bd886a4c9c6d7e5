// Admin tasks through the Safe, as operators run them: --via-safe writes a proposal signed by one
// owner, safe:sign adds a co-signer, safe:execute refuses below the threshold and executes at it; the
// proposal can also be exported as a Safe{Wallet} Transaction Builder batch.
import { expect } from "chai";
import hre, { network } from "hardhat";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deploymentPath, readDeployment, type DeploymentRecord } from "../../tasks/lib/deployment-file.ts";
import { verifyTransactionBuilderChecksum, type TransactionBuilderBatch } from "../../tasks/lib/safe.ts";
import type { AdminOutcome } from "../../tasks/lib/admin.ts";
import { restoreEnv } from "../support/env.ts";
import { expectFailure } from "../support/expect-failure.ts";

const { ethers, networkName } = await network.getOrCreate();
const noFlags = { from: "", viaSafe: false, execute: false, after: "", out: "", proposal: "", propose: false };

describe("admin tasks through the Safe", function () {
  const previousDir = process.env.CLOAK_DEPLOYMENTS_DIR;
  const work = mkdtempSync(join(tmpdir(), "cloak-safe-tasks-"));
  let record: DeploymentRecord;
  let owners: string[];

  before(async function () {
    process.env.CLOAK_DEPLOYMENTS_DIR = work;
    owners = (await ethers.getSigners()).slice(5, 8).map((s) => s.address);
    await hre.tasks.getTask("deploy").run({
      safe: "",
      owners: owners.join(","),
      threshold: 2,
      guardians: "",
      tokens: "",
      depositLimit: "1000",
      standardDelay: "172800",
      emergencyDelay: "21600",
    });
    record = readDeployment(deploymentPath(hre.config.paths.root, networkName), networkName);
  });

  after(function () {
    restoreEnv("CLOAK_DEPLOYMENTS_DIR", previousDir);
  });

  const orchestrator = () => ethers.getContractAt("Orchestrator", record.contracts.Orchestrator!.address);



  it("relayer:add --via-safe writes a proposal that executes only with a second owner's signature", async function () {
    const relayer = ethers.Wallet.createRandom().address;
    const proposal = join(work, "add-relayer.json");
    const outcome = (await hre.tasks.getTask("relayer:add").run({ ...noFlags, relayer, viaSafe: true, proposal, from: owners[0] })) as AdminOutcome;
    expect(outcome.kind).to.equal("safe");
    expect(existsSync(proposal)).to.equal(true);

    await expectFailure(hre.tasks.getTask("safe:execute").run({ file: proposal, from: owners[2] }), /SAFE_THRESHOLD_NOT_MET: .*needs 2 signatures/);
    expect(await (await orchestrator()).isRelayer(relayer)).to.equal(false);

    await hre.tasks.getTask("safe:sign").run({ file: proposal, from: owners[1] });
    await hre.tasks.getTask("safe:execute").run({ file: proposal, from: owners[2] });
    expect(await (await orchestrator()).isRelayer(relayer)).to.equal(true);
    expect(((await hre.tasks.getTask("relayer:list").run({})) as string[]).map((a) => a.toLowerCase())).to.include(relayer.toLowerCase());
  });

  it("pause --via-safe --out also writes a Transaction Builder batch with a valid checksum", async function () {
    const out = join(work, "pause-batch.json");
    await hre.tasks.getTask("pause").run({ ...noFlags, viaSafe: true, out, proposal: join(work, "pause.json"), from: owners[0] });
    const batch = JSON.parse(readFileSync(out, "utf8")) as TransactionBuilderBatch;
    expect(batch.transactions).to.have.length(1);
    expect(batch.transactions[0]!.to).to.equal(record.contracts.Orchestrator!.address);
    expect(verifyTransactionBuilderChecksum(batch)).to.equal(true);
  });

  it("refuses a proposal from a key that is not an owner", async function () {
    const [deployer] = await ethers.getSigners();
    await expectFailure(hre.tasks.getTask("pause").run({ ...noFlags, viaSafe: true, proposal: join(work, "x.json"), from: deployer!.address }), /SAFE_NOT_OWNER/);
  });

  it("refuses to send directly when the role is held by the Safe, and says to use --via-safe", async function () {
    await expectFailure(hre.tasks.getTask("pause").run({ ...noFlags, from: owners[0] }), /lacks GUARDIAN_ROLE.*use --via-safe/);
  });
});
