// `npm run chains` then `npm run indexer` and `npm run relay` as the README says: the chains script
// brings up both local chains with Cloak deployed and deposits sent, and the indexer, started with no
// config file from the folder whose deployments/ holds the records (only the RPC URLs moved off the
// usual ports, which CI may have busy), finds and serves both pools; the relay, started with the config
// the script wrote, serves both chains with its keys. Stopping the script removes the records and keys.
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { IndexerClient, RelayerClient, type IndexerPool } from "@cloak/sdk";
import { Child, EVM_RELAYER, commitmentsOf, freePort, loadEvmCorpus, loadSolanaCorpus, reachableTempDir, repoRoot, runTs } from "@cloak/service-testkit";
import { eventually, getJson, INDEXER_MAIN } from "./support/indexer.ts";

const CHAINS_SCRIPT = join(repoRoot, "scripts", "local-chains.ts");
const RELAY_MAIN = join(repoRoot, "services", "relay", "src", "main.ts");
const DEPOSITS = 4;
const START_TIMEOUT_MS = 240_000;

/** A free port whose successor is free too (the Solana node's WebSocket takes rpc + 1). */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 65_535 && (await portFree(port + 1))) return port;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** Resolves with the line once the child prints one starting with `prefix`; fails if it exits first. */
function waitForText(child: Child, prefix: string): Promise<string> {
  return Promise.race([
    eventually(async () => child.stdoutText.find((line) => line.startsWith(prefix)), `a line starting '${prefix}'`, START_TIMEOUT_MS),
    child.exited.then(({ code, signal }) => {
      throw new Error(`exited (${code ?? signal}) before printing '${prefix}'; stdout: ${child.stdoutText.join("\n")}\nstderr: ${child.stderr.slice(-3000)}`);
    }),
  ]);
}

describe("npm run chains with the indexer and the relay on their defaults", () => {
  let dir: string;
  let deployments: string;
  let evmPort: number;
  let solanaPort: number;
  let chains: Child;
  let indexer: Child | undefined;
  let indexerUrl: string;
  let relay: Child | undefined;
  let relayUrl: string;
  let chainsEnv: NodeJS.ProcessEnv;

  before(async () => {
    // The indexer's embedded PostgreSQL lives under the folder: it must be reachable by the postgres user.
    dir = await reachableTempDir("cloak-local-chains");
    deployments = join(dir, "deployments");
    evmPort = await freePort();
    solanaPort = await freePortPair();
    chainsEnv = { HOME: process.env.HOME, CLOAK_DEPLOYMENTS_DIR: deployments };
    const args = ["--deposits", String(DEPOSITS), "--evm-port", String(evmPort), "--solana-port", String(solanaPort)];
    chains = runTs(CHAINS_SCRIPT, args, { cwd: repoRoot, env: chainsEnv });
    await waitForText(chains, "Ready: ");

    const indexerPort = await freePort();
    indexerUrl = `http://127.0.0.1:${indexerPort}`;
    indexer = runTs(INDEXER_MAIN, ["start"], {
      cwd: dir,
      env: { EVM_RPC_URLS: `http://127.0.0.1:${evmPort}`, RPC_URL: `http://127.0.0.1:${solanaPort}`, INDEXER_PORT: String(indexerPort) },
    });
    await indexer.waitForMessage("indexer: started");
    await eventually(async () => ((await getJson(`${indexerUrl}/ready`)).status === 200 ? true : undefined), "/ready = 200", START_TIMEOUT_MS);

    const relayPort = await freePort();
    relayUrl = `http://127.0.0.1:${relayPort}`;
    relay = runTs(RELAY_MAIN, ["start", "--config", join("deployments", "relay", "relay.toml")], { cwd: dir, env: { RELAY_PORT: String(relayPort) } });
    await relay.waitForMessage("relay: started");
  });

  after(async () => {
    for (const service of [indexer, relay]) {
      if (service && service.process.exitCode === null && service.process.signalCode === null) {
        service.process.kill("SIGTERM");
        await service.exited;
      }
    }
    // SIGINT, not SIGKILL: the script must stop its nodes (a killed script would leave them running).
    if (chains && chains.process.exitCode === null && chains.process.signalCode === null) {
      chains.process.kill("SIGINT");
      await chains.exited;
    }
  });

  it("prints the ready line naming both chains' URLs", () => {
    assert.ok(chains.stdoutText.includes(`Ready: evm=http://127.0.0.1:${evmPort} solana=http://127.0.0.1:${solanaPort}`), chains.stdoutText.join("\n"));
  });

  it("lets the indexer, started with only the RPC URLs set, list both native pools with the deposits' leaves", async () => {
    const evmRecord = JSON.parse(readFileSync(join(deployments, "localhost.json"), "utf8")) as { contracts: Record<string, { address: string }> };
    const solanaRecord = JSON.parse(readFileSync(join(deployments, "solana-localnet.json"), "utf8")) as { pools: Record<string, { pool: string }> };
    const evmPool = evmRecord.contracts["ShieldPool.native"]!.address.toLowerCase();
    const solPool = solanaRecord.pools.sol!.pool;
    const client = new IndexerClient(indexerUrl);
    // The EVM pool is read `confirmations` (2) blocks deep: the node's interval blocks bring the last deposits there.
    const pools = await eventually(async () => {
      const listed = await client.pools();
      return listed.filter((pool) => pool.leaves === 2 * DEPOSITS).length === 2 ? listed : undefined;
    }, `both pools at ${2 * DEPOSITS} leaves`);
    const summary = (pool: IndexerPool | undefined) => pool && { id: pool.id, chain: pool.chain, label: pool.label, leaves: pool.leaves };
    assert.deepEqual(summary(pools.find((pool) => pool.id === evmPool)), { id: evmPool, chain: "evm", label: "ShieldPool.native", leaves: 2 * DEPOSITS });
    assert.deepEqual(summary(pools.find((pool) => pool.id === solPool)), { id: solPool, chain: "solana", label: "sol", leaves: 2 * DEPOSITS });

    const served = async (pool: string) => {
      const leaves: bigint[] = [];
      for await (const leaf of client.allCommitments(pool)) leaves.push(BigInt(leaf.commitment));
      return leaves;
    };
    assert.deepEqual(await served(evmPool), commitmentsOf(loadEvmCorpus().deposits.slice(0, DEPOSITS)));
    assert.deepEqual(await served(solPool), commitmentsOf(loadSolanaCorpus().deposits.slice(0, DEPOSITS)));
  });

  it("lets the relay, started with the config the script wrote, serve both chains with the relayers registered there", async () => {
    const evmRecord = JSON.parse(readFileSync(join(deployments, "localhost.json"), "utf8")) as { contracts: Record<string, { address: string }> };
    const solanaRecord = JSON.parse(readFileSync(join(deployments, "solana-localnet.json"), "utf8")) as { programs: { shieldPool: string }; pools: Record<string, { pool: string }> };
    await eventually(async () => ((await getJson(`${relayUrl}/ready`)).status === 200 ? true : undefined), "the relay's /ready = 200", START_TIMEOUT_MS);
    const client = new RelayerClient(relayUrl);
    const info = await client.info();
    assert.equal(info.chains.evm?.relayer, EVM_RELAYER);
    assert.equal(info.chains.solana?.program, solanaRecord.programs.shieldPool);
    const printed = chains.stdoutText.find((line) => line.startsWith("  Relay "));
    assert.equal(printed, `  Relay   keys and config in ${join(deployments, "relay")} (relayer ${EVM_RELAYER} on EVM, ${info.chains.solana?.relayer} on Solana)`);
    const quotes = await Promise.all([client.quote(evmRecord.contracts["ShieldPool.native"]!.address), client.quote(solanaRecord.pools.sol!.pool)]);
    assert.deepEqual(quotes.map((quote) => [quote.chain, BigInt(quote.fee) > 0n]), [["evm", true], ["solana", true]]);
    const keys = readdirSync(join(deployments, "relay")).sort();
    assert.deepEqual(keys, ["evm-relayer.keystore.json", "evm-relayer.password", "relay.toml", "solana-relayer.json"]);
    for (const key of keys) assert.equal(statSync(join(deployments, "relay", key)).mode & 0o777, 0o600, key);
  });

  it("refuses a second run on the same ports, naming the busy port, and leaves the first run's records", async () => {
    const second = runTs(CHAINS_SCRIPT, ["--evm-port", String(evmPort), "--solana-port", String(solanaPort)], { cwd: repoRoot, env: chainsEnv });
    const { code } = await second.exited;
    assert.equal(code, 1);
    assert.equal(
      second.stderr.split("\n").find((line) => line.startsWith("local-chains:")),
      `local-chains: port ${evmPort} (the Hardhat node's) is in use on 127.0.0.1: is 'npm run chains' already running? Stop it, or choose other ports with --evm-port/--solana-port`,
    );
    assert.deepEqual(readdirSync(deployments).sort(), ["local-chains.json", "localhost.json", "relay", "solana-localnet.json"]);
  });

  it("refuses a second run on other ports that would write over the first run's records", async () => {
    const ports = [String(await freePort()), String(await freePortPair())];
    const second = runTs(CHAINS_SCRIPT, ["--evm-port", ports[0]!, "--solana-port", ports[1]!], { cwd: repoRoot, env: chainsEnv });
    const { code } = await second.exited;
    assert.equal(code, 1);
    assert.equal(
      second.stderr.split("\n").find((line) => line.startsWith("local-chains:")),
      `local-chains: ${deployments} holds the records of 'npm run chains' (process ${chains.process.pid}, ports ${evmPort} and ${solanaPort}), still running: stop it first, or set CLOAK_DEPLOYMENTS_DIR`,
    );
    assert.deepEqual(readdirSync(deployments).sort(), ["local-chains.json", "localhost.json", "relay", "solana-localnet.json"]);
  });

  it("on SIGINT stops both nodes, removes its records and the relay's keys, and exits 0", async () => {
    for (const service of [indexer!, relay!]) {
      service.process.kill("SIGTERM");
      await service.exited;
    }
    chains.process.kill("SIGINT");
    const { code } = await chains.exited;
    assert.equal(code, 0, chains.stderr);
    assert.ok(
      chains.stdoutText.includes(`Removed ${join(deployments, "localhost.json")}, ${join(deployments, "solana-localnet.json")}, ${join(deployments, "relay")}: they described chains that no longer exist.`),
      chains.stdoutText.join("\n"),
    );
    assert.deepEqual(readdirSync(deployments), []);
    assert.equal(await portFree(evmPort), true);
    assert.equal(await portFree(solanaPort), true);
  });
});
