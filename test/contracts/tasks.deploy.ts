// The deploy task as an operator runs it: a fresh deployment governed by a new 2-of-3 Safe, a rerun
// that resumes instead of redeploying, and the refusals for bad input.
import { expect } from "chai";
import { Wallet } from "ethers";
import type { JsonRpcServer } from "hardhat/types/network";
import hre, { network } from "hardhat";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEPLOY_DEFAULTS } from "../../tasks/actions/deploy.ts";
import { deploymentPath, readDeployment } from "../../tasks/lib/deployment-file.ts";
import { expectFailure } from "../support/expect-failure.ts";
import { restoreEnv } from "../support/env.ts";
import { runHardhat } from "../support/hardhat-cli.ts";

const { ethers, networkName } = await network.getOrCreate();


describe("deploy task", function () {
  const previousDir = process.env.CLOAK_DEPLOYMENTS_DIR;
  const defaults = { ...DEPLOY_DEFAULTS, depositLimit: "1000" };
  const deploy = (args: Partial<typeof defaults>) => hre.tasks.getTask("deploy").run({ ...defaults, ...args });
  let owners: string[];

  before(async function () {
    process.env.CLOAK_DEPLOYMENTS_DIR = mkdtempSync(join(tmpdir(), "cloak-deploy-"));
    owners = (await ethers.getSigners()).slice(1, 4).map((s) => s.address);
  });

  after(function () {
    restoreEnv("CLOAK_DEPLOYMENTS_DIR", previousDir);
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

  it("gives the Safe and the emergency timelock GUARDIAN_REVOKER_ROLE, and a local default 3-of-4 council Safe SECURITY_COUNCIL_ROLE", async function () {
    const deployed = record();
    const orchestrator = await ethers.getContractAt("Orchestrator", deployed.contracts.Orchestrator!.address);
    const revoker = await orchestrator.GUARDIAN_REVOKER_ROLE();
    expect(await orchestrator.hasRole(revoker, deployed.contracts.Safe!.address)).to.equal(true);
    expect(await orchestrator.hasRole(revoker, deployed.contracts.EmergencyTimelock!.address)).to.equal(true);
    const council = deployed.contracts.SecurityCouncil!.address;
    expect(council).to.not.equal(deployed.contracts.Safe!.address);
    expect(await orchestrator.hasRole(await orchestrator.SECURITY_COUNCIL_ROLE(), council)).to.equal(true);
    const safe = await ethers.getContractAt(["function getOwners() view returns (address[])", "function getThreshold() view returns (uint256)"], council);
    expect(await safe.getFunction("getThreshold")()).to.equal(3n);
    expect(await safe.getFunction("getOwners")()).to.have.length(4);
  });

  it("records each pool's deployment block: the pool has code at that block and none at the one before", async function () {
    const deployed = record();
    for (const name of Object.keys(deployed.contracts).filter((k) => k.startsWith("ShieldPool.") && k !== "ShieldPool.implementation")) {
      const { address, details } = deployed.contracts[name]!;
      const block = details?.deployBlock;
      expect(block, name).to.be.a("number");
      expect(await ethers.provider.getCode(address, block as number), name).to.not.equal("0x");
      expect(await ethers.provider.getCode(address, (block as number) - 1), name).to.equal("0x");
    }
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

  it("refuses both --council and --council-owners", async function () {
    process.env.CLOAK_DEPLOYMENTS_DIR = mkdtempSync(join(tmpdir(), "cloak-deploy-"));
    await expectFailure(deploy({ owners: owners.join(","), threshold: 2, council: owners[0]!, councilOwners: owners.join(","), councilThreshold: 3 }), /either --council .* or --council-owners/);
  });
});

// The non-local rules, on a node that reports Ethereum mainnet's chain id, through the real CLI.
describe("deploy task off local chains (chain id 1)", function () {
  let server: JsonRpcServer;
  let url: string;
  let someContract: string;
  const deployer = Wallet.createRandom();

  before(async function () {
    server = await network.createServer({ network: "default", override: { chainId: 1 } }, "127.0.0.1");
    const { address, port } = await server.listen();
    url = `http://${address}:${port}`;
    const { ethers: remote } = await network.create({ network: "localhost", override: { url } });
    const [funder] = await remote.getSigners();
    await (await funder!.sendTransaction({ to: deployer.address, value: remote.parseEther("10") })).wait();
    someContract = await (await remote.deployContract("TestToken")).getAddress();
  });

  after(async function () {
    await server.close();
  });

  const deployOnMainnet = (args: string[]) =>
    runHardhat(["deploy", "--network", "mainnet", "--safe", someContract, ...args], {
      env: { MAINNET_RPC_URL: url, PRIVATE_KEY: deployer.privateKey, CLOAK_DEPLOYMENTS_DIR: mkdtempSync(join(tmpdir(), "cloak-mainnet-deploy-")) },
      answers: [],
    });

  it("refuses a standard delay below the Orchestrator's EXIT_WINDOW, before sending anything", async function () {
    const result = await deployOnMainnet(["--standard-delay", "3600", "--council", someContract]);
    expect(result.code).to.not.equal(0);
    expect(result.stdout + result.stderr).to.include("--standard-delay 3600 s is below the Orchestrator's EXIT_WINDOW (172800 s) on chain 1");
  });

  it("refuses a security council whose threshold is below 75 % of its owners", async function () {
    const councilOwners = Array.from({ length: 8 }, () => Wallet.createRandom().address).join(",");
    const result = await deployOnMainnet(["--council-owners", councilOwners, "--council-threshold", "5"]);
    expect(result.code).to.not.equal(0);
    expect(result.stdout + result.stderr).to.include("security council threshold 5 of 8 owners is below 75 % (at least 6 of 8) on chain 1");
  });

  it("refuses to deploy without a security council", async function () {
    const result = await deployOnMainnet([]);
    expect(result.code).to.not.equal(0);
    expect(result.stdout + result.stderr).to.include("chain 1 needs a security council");
  });
});
