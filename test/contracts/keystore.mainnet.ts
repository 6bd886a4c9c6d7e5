// The `mainnet` network of hardhat.config.ts as an operator uses it: MAINNET_RPC_URL points at a node
// (here a local one serving an in-process chain) and the signing key comes from Hardhat's encrypted
// keystore, stored with `hardhat keystore set PRIVATE_KEY` and unlocked with its password when a task
// first needs it. Both steps run the real CLI in a child process; no key is in the environment.
import { expect } from "chai";
import { Wallet } from "ethers";
import hre, { network } from "hardhat";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JsonRpcServer } from "hardhat/types/network";
import { deployRecordedStack } from "../support/deploy.ts";
import { restoreEnv } from "../support/env.ts";
import { runHardhat } from "../support/hardhat-cli.ts";

const PASSWORD = "correct horse battery staple";

describe("mainnet network with a keystore key", function () {
  let server: JsonRpcServer;
  let url: string;
  let keystoreHome: string;
  let deploymentsDir: string;
  const privateKey = Wallet.createRandom().privateKey;
  let keyAddress: string;
  let orchestratorAddress: string;

  before(async function () {
    server = await network.createServer("default", "127.0.0.1");
    const { address, port } = await server.listen();
    url = `http://${address}:${port}`;
    const { ethers } = await network.create({ network: "localhost", override: { url } });
    keyAddress = new ethers.Wallet(privateKey).address;
    const [funder] = await ethers.getSigners();
    await (await funder!.sendTransaction({ to: keyAddress, value: ethers.parseEther("1") })).wait();
    // The deployment the tasks read for network 'mainnet'; the keystore key stands in for the Safe, so
    // it holds GUARDIAN_ROLE.
    deploymentsDir = mkdtempSync(join(tmpdir(), "cloak-mainnet-"));
    const previous = process.env.CLOAK_DEPLOYMENTS_DIR;
    process.env.CLOAK_DEPLOYMENTS_DIR = deploymentsDir;
    try {
      const record = await deployRecordedStack(ethers, "mainnet", hre.config.paths.root, keyAddress);
      orchestratorAddress = record.contracts.Orchestrator!.address;
    } finally {
      restoreEnv("CLOAK_DEPLOYMENTS_DIR", previous);
    }
    // `hardhat keystore set PRIVATE_KEY` in a fresh Hardhat config directory: set the password, confirm
    // it, then enter the secret.
    keystoreHome = mkdtempSync(join(tmpdir(), "cloak-keystore-"));
    const stored = await runHardhat(["keystore", "set", "PRIVATE_KEY"], {
      env: { XDG_CONFIG_HOME: keystoreHome, PRIVATE_KEY: undefined },
      answers: [PASSWORD, PASSWORD, privateKey],
    });
    expect(stored.code, stored.stdout + stored.stderr).to.equal(0);
    expect(stored.stdout).to.include('Key "PRIVATE_KEY" set in the production keystore');
  });

  after(async function () {
    await server.close();
  });

  const pauseOnMainnet = (password: string) =>
    runHardhat(["pause", "--network", "mainnet", "--from", keyAddress], {
      env: { XDG_CONFIG_HOME: keystoreHome, MAINNET_RPC_URL: url, CLOAK_DEPLOYMENTS_DIR: deploymentsDir, PRIVATE_KEY: undefined },
      answers: [password],
    });

  it("refuses to sign when the keystore password is wrong, and sends nothing", async function () {
    const { ethers } = await network.create({ network: "localhost", override: { url } });
    const nonce = await ethers.provider.getTransactionCount(keyAddress);
    const result = await pauseOnMainnet("not the password");
    expect(result.code).to.not.equal(0);
    expect(result.prompts).to.equal(1);
    expect(result.stdout + result.stderr).to.include("Invalid password or corrupted keystore file");
    expect(await ethers.provider.getTransactionCount(keyAddress)).to.equal(nonce);
  });

  it("signs a pause with the key unlocked from the keystore by its password", async function () {
    const { ethers } = await network.create({ network: "localhost", override: { url } });
    const result = await pauseOnMainnet(PASSWORD);
    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(result.prompts).to.equal(1);
    expect(result.stdout).to.not.include(privateKey.slice(2));
    const orchestrator = await ethers.getContractAt("Orchestrator", orchestratorAddress);
    expect(await orchestrator.allPaused()).to.equal(true);
    const [paused] = await orchestrator.queryFilter(orchestrator.filters.AllPaused());
    expect(paused!.args.by).to.equal(keyAddress);
  });

  it("configures contract verification with ETHERSCAN_API_KEY (runbook UP-001)", async function () {
    expect(hre.tasks.getTask(["verify", "etherscan"])).to.not.equal(undefined);
    expect(hre.config.verify.etherscan.enabled).to.equal(true);
    expect(JSON.stringify(hre.config.verify.etherscan.apiKey)).to.include("ETHERSCAN_API_KEY");
  });
});
