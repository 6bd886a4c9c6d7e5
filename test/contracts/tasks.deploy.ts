// The deploy task as an operator runs it: a fresh deployment governed by a new 2-of-3 Safe, a rerun
// that resumes instead of redeploying, and the refusals for bad input.
import { expect } from "chai";
import hre, { network } from "hardhat";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deploymentPath, readDeployment } from "../../tasks/lib/deployment-file.ts";
import { expectFailure } from "../support/expect-failure.ts";

const { ethers, networkName } = await network.getOrCreate();


describe("deploy task", function () {
  const previousDir = process.env.CLOAK_DEPLOYMENTS_DIR;
  const defaults = { safe: "", owners: "", threshold: 0, guardians: "", tokens: "", depositLimit: "1000", standardDelay: "172800", emergencyDelay: "21600" };
  const deploy = (args: Partial<typeof defaults>) => hre.tasks.getTask("deploy").run({ ...defaults, ...args });
  let owners: string[];

  before(async function () {
    process.env.CLOAK_DEPLOYMENTS_DIR = mkdtempSync(join(tmpdir(), "cloak-deploy-"));
    owners = (await ethers.getSigners()).slice(1, 4).map((s) => s.address);
  });

  after(function () {
    process.env.CLOAK_DEPLOYMENTS_DIR = previousDir;
  });

  const record = () => readDeployment(deploymentPath(hre.config.paths.root, networkName), networkName);

  it("deploys the whole stack under a new 2-of-3 Safe and records every address", async function () {
    const token = await (await ethers.deployContract("TestToken")).getAddress();
    await deploy({ owners: owners.join(","), threshold: 2, tokens: token });
    const deployed = record();
    for (const name of ["Safe", "PoseidonT3", "Transaction20Verifier", "Orchestrator", "StandardTimelock", "EmergencyTimelock", "ShieldPool.native", `ShieldPool.${token}`]) {
      expect(deployed.contracts[name], name).to.not.equal(undefined);
      expect(await ethers.provider.getCode(deployed.contracts[name]!.address), name).to.not.equal("0x");
    }
    const safe = await ethers.getContractAt(["function getOwners() view returns (address[])", "function getThreshold() view returns (uint256)"], deployed.contracts.Safe!.address);
    expect(await safe.getFunction("getThreshold")()).to.equal(2n);
    expect(await safe.getFunction("getOwners")()).to.have.members(owners);
    const orchestrator = await ethers.getContractAt("Orchestrator", deployed.contracts.Orchestrator!.address);
    expect(await orchestrator.pools()).to.have.length(2);
  });

  it("resumes on a rerun: nothing is deployed twice", async function () {
    const before = record();
    const blockBefore = await ethers.provider.getBlockNumber();
    await deploy({ safe: before.contracts.Safe!.address, tokens: Object.keys(before.contracts).find((k) => k.startsWith("ShieldPool.0x"))!.slice("ShieldPool.".length) });
    expect(record().contracts).to.deep.equal(before.contracts);
    expect(await ethers.provider.getBlockNumber()).to.equal(blockBefore);
  });

  it("refuses a different Safe for a deployment already started", async function () {
    await expectFailure(deploy({ safe: record().contracts.Orchestrator!.address }), /differs from the Safe/);
  });

  it("refuses a Safe address with no code", async function () {
    await expectFailure(deploy({ safe: ethers.Wallet.createRandom().address }), /has no contract code/);
  });

  it("refuses both --safe and --owners", async function () {
    await expectFailure(deploy({ safe: owners[0]!, owners: owners.join(","), threshold: 2 }), /either --safe .* or --owners/);
  });

  it("refuses a threshold above the number of owners", async function () {
    process.env.CLOAK_DEPLOYMENTS_DIR = mkdtempSync(join(tmpdir(), "cloak-deploy-"));
    await expectFailure(deploy({ owners: owners.join(","), threshold: 4 }), /threshold must be between 1 and 3/);
  });
});
