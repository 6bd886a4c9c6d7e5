// `npm run chains`: the local chains the indexer and the relay run against on their defaults
// (`npm run indexer`, `npm run relay`): a Hardhat node on 127.0.0.1:8545 and the local Solana node on
// 127.0.0.1:8899, Cloak deployed on both the operator's way (the `deploy` task, the Solana deploy
// library), the first `--deposits` corpus deposits sent to each, the deployment records written where
// the services look (deployments/, or CLOAK_DEPLOYMENTS_DIR), and the relay's keys and config
// (deployments/relay/: its relayer keys registered on both chains). Runs until SIGINT/SIGTERM/SIGHUP, then stops both nodes and removes the
// records: both chains live in memory or a temporary ledger, so the records would describe nothing.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, relative, resolve, sep } from "node:path";
import { parseArgs } from "node:util";
import { PublicKey } from "@solana/web3.js";
import { NATIVE_MINT, poolPda } from "@cloak/sdk/solana";
import {
  CORPUS_COUNTS,
  deployEvm,
  deploySolana,
  repoRoot,
  startHardhatNode,
  startLocalnet,
  submitEvmCorpus,
  submitSolanaCorpus,
  writeLocalRelay,
  type HardhatNode,
  type Localnet,
} from "@cloak/service-testkit";
import { INDEXER_SPEC, LOCAL_DEPLOYMENTS } from "../services/indexer/src/config.ts";
import { deploymentPath } from "../tasks/lib/deployment-file.ts";
import { solanaDeploymentPath } from "../tasks/solana/lib/deployment.ts";

const USAGE = `Usage: npm run chains -- [--deposits <n>] [--evm-port <n>] [--solana-port <n>]
  --deposits <n>      corpus deposits sent to each chain's native pool (default 8, at most ${Math.min(CORPUS_COUNTS.evmDeposits, CORPUS_COUNTS.solanaDeposits)})
  --evm-port <n>      the Hardhat node's JSON-RPC port (default 8545)
  --solana-port <n>   the Solana node's JSON-RPC port (default 8899; its WebSocket takes the next one)
Records go to deployments/ (or CLOAK_DEPLOYMENTS_DIR) and are removed on exit.`;
/** The indexer reads EVM blocks this deep by default; the node mines an empty block every second so the last deposits get there. */
const EVM_BLOCK_INTERVAL_MS = 1_000;
/** The node's own default (`npm run localnet`), the pace of a real cluster. */
const SOLANA_SLOT_MS = 400;

/** A refusal the user can act on: printed without a stack, exit code 1. */
class ChainsError extends Error {
  constructor(readonly code: "BAD_OPTION" | "PORT_IN_USE" | "RECORDS_IN_USE", message: string) {
    super(message);
  }
}

function wholeOption(name: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new ChainsError("BAD_OPTION", `--${name} must be a whole number from ${min} to ${max}, not '${text}'`);
  return Number(text);
}

/** Whether something already listens on 127.0.0.1:port (checked up front: a Hardhat node that fails to bind would otherwise race a running one's answers). */
function portInUse(port: number): Promise<boolean> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => (error.code === "EADDRINUSE" ? resolvePort(true) : reject(error)));
    server.listen(port, "127.0.0.1", () => server.close(() => resolvePort(false)));
  });
}

interface Owner {
  pid: number;
  evmPort: number;
  solanaPort: number;
}

const shown = (path: string) => (path.startsWith(`${process.cwd()}${sep}`) ? relative(process.cwd(), path) : path);

function parseOptions() {
  try {
    return parseArgs({
      options: {
        deposits: { type: "string", default: "8" },
        "evm-port": { type: "string", default: "8545" },
        "solana-port": { type: "string", default: "8899" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    console.error(`local-chains: ${(error as Error).message}\n${USAGE}`);
    process.exit(1);
  }
}
const values = parseOptions();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

// Relative CLOAK_DEPLOYMENTS_DIR is taken from the working directory, as the tasks take it.
const evmRecord = resolve(deploymentPath(repoRoot, "localhost"));
const solanaRecord = resolve(solanaDeploymentPath(repoRoot, "localnet"));
const recordsDir = dirname(evmRecord);
/** deployEvm's Safe proposal registering the relayer: executed during the deploy, of no use after it. */
const relayerProposal = resolve(recordsDir, "register-relayer.json");
/** The run (process and ports) whose chains the records describe, so a later run can tell live records from a killed run's. */
const ownerFile = resolve(recordsDir, "local-chains.json");
/** The relay's keys and config for these chains (`npm run relay` reads relay.toml there). */
const relayDir = resolve(recordsDir, "relay");
const written = [evmRecord, solanaRecord, relayerProposal, relayDir, ownerFile];

let hardhat: HardhatNode | undefined;
let localnet: Localnet | undefined;
let stopping: Promise<void> | undefined;
/** Set once this run has claimed the records folder: only then are the records there its own to remove. */
let ownsRecords = false;

/** Both chains' setup while it runs: a stop waits for it, so no node it starts is left behind. */
let startup: Promise<unknown> | undefined;
/** A chain still starting gives up at its next step once a stop began (an RPC client may instead retry a while). */
const STARTUP_SETTLE_MS = 15_000;

/** Stops whatever runs, removes the records, and exits (once, whichever signal or failure comes first). */
function stop(code: number): Promise<void> {
  stopping ??= (async () => {
    console.log("\nStopping the local chains…");
    // Stopping the nodes first cuts short any deploy still talking to them; then a node that was just
    // starting is stopped once its setup has given up.
    await Promise.allSettled([hardhat?.stop(), localnet?.stop()]);
    if (startup) await Promise.race([startup, new Promise((settle) => setTimeout(settle, STARTUP_SETTLE_MS).unref())]);
    const failures: string[] = [];
    for (const [name, node] of [["Hardhat node", hardhat], ["Solana node", localnet]] as const) {
      try {
        await node?.stop();
      } catch (error) {
        failures.push(`${name}: ${(error as Error).message}`);
      }
    }
    const removed = ownsRecords ? written.filter((path) => path !== ownerFile && existsSync(path)) : [];
    if (ownsRecords) for (const path of written) rmSync(path, { recursive: true, force: true });
    if (removed.length > 0) console.log(`Removed ${removed.map(shown).join(", ")}: they described chains that no longer exist.`);
    for (const failure of failures) console.error(`local-chains: ${failure}`);
    process.exit(failures.length > 0 ? 1 : code);
  })();
  return stopping;
}

/** Throws once a stop began, so a chain's setup ends at its next step. */
function unlessStopping(): void {
  if (stopping) throw new Error("stopped while starting");
}

async function start(): Promise<void> {
  const deposits = wholeOption("deposits", values.deposits, 0, Math.min(CORPUS_COUNTS.evmDeposits, CORPUS_COUNTS.solanaDeposits));
  const evmPort = wholeOption("evm-port", values["evm-port"], 1, 65_535);
  const solanaPort = wholeOption("solana-port", values["solana-port"], 1, 65_534);
  const solanaWsPort = solanaPort + 1;
  for (const [port, what] of [[evmPort, "the Hardhat node's"], [solanaPort, "the Solana node's JSON-RPC"], [solanaWsPort, "the Solana node's WebSocket"]] as const) {
    if (await portInUse(port)) {
      throw new ChainsError("PORT_IN_USE", `port ${port} (${what}) is in use on 127.0.0.1: is 'npm run chains' already running? Stop it, or choose other ports with --evm-port/--solana-port`);
    }
  }
  if (existsSync(ownerFile)) {
    const owner = JSON.parse(readFileSync(ownerFile, "utf8")) as Owner;
    // Its nodes still listening means its records still describe running chains.
    if ((await portInUse(owner.evmPort)) || (await portInUse(owner.solanaPort))) {
      throw new ChainsError("RECORDS_IN_USE", `${shown(recordsDir)} holds the records of 'npm run chains' (process ${owner.pid}, ports ${owner.evmPort} and ${owner.solanaPort}), still running: stop it first, or set CLOAK_DEPLOYMENTS_DIR`);
    }
  }
  // Nothing runs on these ports, so records already there describe chains that are gone; deploying
  // over them would resume a deployment whose contracts no longer exist.
  const stale = [evmRecord, solanaRecord, relayerProposal, relayDir].filter((path) => existsSync(path));
  for (const path of stale) rmSync(path, { recursive: true });
  if (stale.length > 0) console.log(`Removed ${stale.map(shown).join(", ")}, left by chains that are no longer running.`);
  mkdirSync(recordsDir, { recursive: true });
  writeFileSync(ownerFile, `${JSON.stringify({ pid: process.pid, evmPort, solanaPort } satisfies Owner)}\n`);
  ownsRecords = true;

  console.log(`Starting a Hardhat node on 127.0.0.1:${evmPort} and the Solana node on 127.0.0.1:${solanaPort}, deploying Cloak on both…`);
  // The chains are independent: set them up side by side.
  const chains = [
    (async () => {
      hardhat = await startHardhatNode({ port: evmPort });
      unlessStopping();
      await rpc(hardhat.url, "evm_setIntervalMining", [EVM_BLOCK_INTERVAL_MS]);
      const deployment = await deployEvm(hardhat.url, recordsDir);
      rmSync(relayerProposal, { force: true });
      unlessStopping();
      await submitEvmCorpus(hardhat.url, deployment, { to: deposits });
      return deployment;
    })(),
    (async () => {
      localnet = await startLocalnet({ rpcPort: solanaPort, wsPort: solanaWsPort, slotTimeMs: SOLANA_SLOT_MS });
      unlessStopping();
      const deployment = await deploySolana({ connection: localnet.connection, authority: localnet.authority, cluster: "localnet", deploymentFile: solanaRecord });
      unlessStopping();
      await submitSolanaCorpus({ node: localnet, deployment, deploymentFile: solanaRecord }, { to: deposits });
      return deployment;
    })(),
  ] as const;
  startup = Promise.allSettled(chains);
  const [evm, solana] = await Promise.all(chains);
  const relay = await writeLocalRelay({
    dir: relayDir,
    evm: { rpcUrl: hardhat!.url, chainId: evm.chainId, deploymentFile: evm.path },
    solana: { node: localnet!, deployment: solana, deploymentFile: solanaRecord },
  });

  // The indexer's default embedded database, under the folder it runs in.
  const indexerData = resolve(dirname(recordsDir), ".data", "indexer");
  const solPool = poolPda(NATIVE_MINT, new PublicKey(solana.programs.shieldPool))[0].toBase58();
  const leaves = `${deposits} corpus deposits, ${2 * deposits} leaves`;
  const lines = [
    "",
    "Cloak's local chains are running:",
    `  EVM     Hardhat node ${hardhat!.url} (chain id ${evm.chainId}, a block every ${EVM_BLOCK_INTERVAL_MS / 1000} s)`,
    `          native pool ${evm.pool} (${leaves})`,
    `          record ${shown(evm.path)}`,
    `  Solana  local node ${localnet!.rpcUrl} (WebSocket ${localnet!.wsUrl})`,
    `          SOL pool ${solPool} (${leaves})${solana.pools.token ? `; token pool ${solana.pools.token.pool} (mint ${solana.testMint?.address})` : ""}`,
    `          record ${shown(solanaRecord)}`,
    `  Relay   keys and config in ${shown(relayDir)} (relayer ${relay.evmRelayer} on EVM, ${relay.solanaRelayer} on Solana)`,
    "",
    `Next, in another shell: ${indexerCommand(evmPort, solanaPort)}`,
    `  (the indexer serves http://127.0.0.1:${INDEXER_SPEC.defaultPort}: /api/v1/pools, /ready, /health, /metrics)`,
    ...(existsSync(indexerData)
      ? [`  ${shown(indexerData)} may hold an earlier index of these pool addresses on chains now gone: remove it first (rm -rf ${shown(indexerData)})`]
      : []),
    `And: ${relayCommand(relay.config)}`,
    `  (the relay serves http://127.0.0.1:3002: /api/v1/info, /api/v1/quote, /api/v1/transact, /ready; Solana withdrawals also need a miner's claim)`,
    "Ctrl-C stops both chains and removes their records.",
  ];
  console.log(lines.join("\n"));
  // The line scripts and tests wait for.
  console.log(`Ready: evm=${hardhat!.url} solana=${localnet!.rpcUrl}`);
}

/** `npm run indexer`, with what it needs besides its defaults when these chains are not where they look. */
function indexerCommand(evmPort: number, solanaPort: number): string {
  const env = [
    ...(evmPort !== 8545 ? [`EVM_RPC_URLS=http://127.0.0.1:${evmPort}`] : []),
    ...(solanaPort !== 8899 ? [`RPC_URL=http://127.0.0.1:${solanaPort}`] : []),
  ];
  if (resolve(LOCAL_DEPLOYMENTS.evm) === evmRecord) return [...env, "npm run indexer"].join(" ");
  // The indexer looks for the local records in deployments/ of its working directory.
  const start = [...env, `node ${resolve(repoRoot, "services/indexer/bin/cloak-indexer.js")} start`].join(" ");
  return recordsDir.endsWith("/deployments")
    ? `(cd ${dirname(recordsDir)} && ${start})`
    : `${start}, with [evm] deployment = "${evmRecord}" and [solana] deployment = "${solanaRecord}" in its --config file`;
}

/** `npm run relay` when the records are where it looks (deployments/ of the repository), else the relay started with the config written. */
function relayCommand(config: string): string {
  if (config === resolve(repoRoot, "deployments", "relay", "relay.toml")) return "npm run relay";
  return `node ${resolve(repoRoot, "services/relay/bin/cloak-relay.js")} start --config ${config}`;
}

async function rpc(url: string, method: string, params: unknown[]): Promise<void> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const body = (await response.json()) as { error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void stop(0));
try {
  await start();
} catch (error) {
  if (error instanceof ChainsError) {
    console.error(`local-chains: ${error.message}`);
    // Refused before anything started: nothing to stop, and the records (if any) are not ours.
    process.exit(1);
  }
  // A failure after a stop began is the stop cutting the setup short, not news.
  if (!stopping) console.error(`local-chains: ${(error as Error).stack ?? String(error)}`);
  await stop(1);
}
