import { createRequire } from "node:module";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import hardhatUpgrades from "@openzeppelin/hardhat-upgrades";
import { configVariable, defineConfig } from "hardhat/config";

import { cloakTasks } from "./tasks/index.ts";

// solc comes from the pinned npm `solc` package (soljson.js, the WASM build) instead of Hardhat's
// downloader, so compiling needs no access to binaries.soliditylang.org and always uses the exact
// compiler in package-lock.json.
const require = createRequire(import.meta.url);
const solcPath = require.resolve("solc/soljson.js");
const { version: solcVersion } = require("solc/package.json") as { version: string };

// The highest EVM target solc 0.8.30 supports; EDR's default hardfork (osaka) runs it unchanged.
const evmVersion = "prague";

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers, hardhatUpgrades],
  tasks: cloakTasks,
  solidity: {
    // Proxies come straight from OpenZeppelin; building them here gives tests and tasks their artifacts.
    npmFilesToBuild: [
      "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol",
      "@openzeppelin/contracts/governance/TimelockController.sol",
      "@openzeppelin/contracts/token/ERC20/IERC20.sol",
    ],
    profiles: {
      default: {
        version: solcVersion,
        path: solcPath,
        settings: { evmVersion },
      },
      production: {
        version: solcVersion,
        path: solcPath,
        settings: { evmVersion, optimizer: { enabled: true, runs: 200 } },
      },
    },
  },
  paths: {
    sources: "contracts",
    tests: { mocha: "test/contracts", solidity: "test/solidity" },
  },
  typechain: {
    outDir: "types/ethers-contracts",
  },
  networks: {
    // The in-process EDR network used by `hardhat test` and scripts when no --network is given.
    // Hardhat 3 names it `default` (Hardhat 2 called it `hardhat`); `hardhat node` serves `node`.
    default: {
      type: "edr-simulated",
      chainType: "l1",
    },
    localhost: {
      type: "http",
      chainType: "l1",
      url: process.env.LOCALHOST_RPC_URL ?? "http://127.0.0.1:8545",
    },
    // Configuration variables are resolved only when this network is connected to, so unset
    // SEPOLIA_RPC_URL / MAINNET_RPC_URL / PRIVATE_KEY do not affect compile or test. Each is read from
    // the environment first, then from Hardhat's encrypted keystore (`npx hardhat keystore set
    // PRIVATE_KEY`, which asks for the keystore's password when a task first needs the key).
    sepolia: {
      type: "http",
      chainType: "l1",
      url: configVariable("SEPOLIA_RPC_URL"),
      accounts: [configVariable("PRIVATE_KEY")],
    },
    // The runbook's network (docs/admin-procedures.md, docs/operations.md).
    mainnet: {
      type: "http",
      chainType: "l1",
      url: configVariable("MAINNET_RPC_URL"),
      accounts: [configVariable("PRIVATE_KEY")],
    },
  },
  // `npx hardhat verify --network mainnet <address> [constructor args]` (runbook UP-001, day 1).
  verify: {
    etherscan: { apiKey: configVariable("ETHERSCAN_API_KEY") },
  },
});
