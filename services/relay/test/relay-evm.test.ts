import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { JsonRpcProvider } from "ethers";
import { stringify } from "smol-toml";
import {
  BACKENDS,
  EVM_RELAYER,
  EVM_WITHDRAWAL_RECIPIENT,
  deployEvm,
  freePort,
  freshServerDatabase,
  reachableTempDir,
  runSchemathesis,
  runTs,
  startHardhatNode,
  submitEvmCorpus,
  type Child,
  type EvmDeployment,
  type HardhatNode,
} from "@cloak/service-testkit";
import { Keypair, RelayerClient, RelayerError, ShieldPoolClient, getPoseidon, loadBundledProver, releaseProvingResources } from "@cloak/sdk";
import { corpus, requestOf, writeRelayerKeystore } from "./support/evm.ts";

const RELAY_MAIN = new URL("../src/main.ts", import.meta.url).pathname;

async function call(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}


describe("the relay over a Hardhat node", () => {
  let node: HardhatNode;
  let deployment: EvmDeployment;
  let dir: string;
  let provider: JsonRpcProvider;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "cloak-relay-e2e-"));
    node = await startHardhatNode();
    deployment = await deployEvm(node.url, dir);
    // The corpus's withdrawals are proven against the root after all 512 deposits.
    await submitEvmCorpus(node.url, deployment, { concurrency: 4 });
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  });

  after(async () => {
    // The wallet's withdrawal proves in this process; snarkjs' worker threads would keep it alive.
    await releaseProvingResources();
    provider?.destroy();
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [round, backend] of BACKENDS.entries()) {
    describe(`on ${backend} PostgreSQL`, () => {
      let relay: Child;
      let url: string;
      let drop: () => Promise<void> = async () => undefined;
      let configFile: string;
      let config: Record<string, unknown>;
      let jobId = "";
      const entry = corpus.withdrawals[round]!;

      before(async () => {
        const keys = await writeRelayerKeystore(await reachableTempDir("cloak-relay-keys"));
        let database: Record<string, unknown> = { embedded_dir: join(await reachableTempDir("cloak-relay-db"), "postgres"), pool_size: 5 };
        if (backend === "server") {
          const created = await freshServerDatabase(process.env.DATABASE_URL!);
          database = { url: created.url, pool_size: 5 };
          drop = created.drop;
        }
        const port = await freePort();
        configFile = join(dir, `relay-${backend}.toml`);
        config = {
          server: { port, rate_limit_per_ip: 100_000 },
          database,
          evm: { rpc_urls: [node.url], chain_id: Number(deployment.chainId), confirmations: 0, deployment: deployment.path },
          keys: { evm_keystore: keys.keystore, evm_password_file: keys.passwordFile },
          // The corpus pays 1e14 wei: quote at 0.1 gwei a gas so its fee covers the quote.
          fees: { evm_gas_price_wei: "100000000" },
        };
        writeFileSync(configFile, stringify(config));
        relay = runTs(RELAY_MAIN, ["start", "--config", configFile], { cwd: dir });
        await relay.waitForMessage("relay: started");
        url = `http://127.0.0.1:${port}`;
      });

      after(async () => {
        if (relay && relay.process.exitCode === null) {
          relay.process.kill("SIGTERM");
          await relay.exited;
        }
        await drop();
      });

      it("names its relayer address, chain and pool in /info", async () => {
        const info = await new RelayerClient(url).info();
        assert.deepEqual(info.chains.evm, { chainId: "31337", relayer: EVM_RELAYER, pools: [{ address: deployment.pool, asset: "0x0000000000000000000000000000000000000000" }] });
      });

      it("accepts a withdrawal, submits it and confirms it, paying the recipient and itself exactly", async () => {
        const recipientBefore = await provider.getBalance(EVM_WITHDRAWAL_RECIPIENT);
        const relayerBefore = await provider.getBalance(EVM_RELAYER);
        const client = new RelayerClient(url);
        const { job, created } = await client.submit(requestOf(entry));
        jobId = job.id;
        assert.deepEqual([job.state, created], ["queued", true]);
        const progress: string[] = [];
        const final = await client.waitForJob(job.id, { intervalMs: 100, timeoutMs: 60_000, onProgress: (state) => progress.push(state.state) });
        assert.equal(final.state, "confirmed");
        assert.equal(progress.at(-1), "confirmed");
        const receipt = (await provider.getTransactionReceipt(final.txHash!))!;
        assert.equal(receipt.from, EVM_RELAYER);
        assert.equal((await provider.getBalance(EVM_WITHDRAWAL_RECIPIENT)) - recipientBefore, -BigInt(entry.extData.extAmount));
        assert.equal((await provider.getBalance(EVM_RELAYER)) - relayerBefore, BigInt(entry.extData.fee) - receipt.gasUsed * receipt.gasPrice);
      });

      it("answers the same withdrawal again with the same job instead of a second one", async () => {
        const client = new RelayerClient(url);
        const again = await client.submit(requestOf(entry));
        assert.deepEqual([again.created, again.job.state], [false, "confirmed"]);
        assert.equal((await client.queueStatus()).byState.confirmed, 1);
      });

      it("stops being ready while its balance is below the critical threshold, and is ready again above it", async () => {
        const readiness = async (ready: boolean) => {
          for (let i = 0; i < 100; i++) {
            const answer = await call(`${url}/ready`);
            if (answer.body.ready === ready) return answer;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          assert.fail(`/ready never answered ready = ${ready}`);
        };
        // SIGHUP applies new thresholds at once: one above everything the relayer holds.
        writeFileSync(configFile, stringify({ ...config, balance: { evm_critical_wei: (10n ** 30n).toString(), evm_warning_wei: (10n ** 31n).toString() } }));
        relay.process.kill("SIGHUP");
        const low = await readiness(false);
        assert.equal(low.status, 503);
        assert.match(String((low.body.reasons as string[])[0]), new RegExp(`^evm relayer ${EVM_RELAYER} holds \\d+ wei, below balance\\.evm_critical_wei = ${10n ** 30n}$`));
        assert.equal((await call(`${url}/health`)).body.status, "critical");
        writeFileSync(configFile, stringify(config));
        relay.process.kill("SIGHUP");
        assert.equal((await readiness(true)).status, 200);
      });

      // Once is enough: the routes are the same on every backend.
      if (round === 0) it("passes schemathesis over its /openapi.json: no 5xx, every answer as documented", async () => {
        const schemathesisConfig = join(dir, "schemathesis.toml");
        writeFileSync(schemathesisConfig, `[parameters]\n"query.pool" = "${deployment.pool}"\n"path.id" = "${jobId}"\n`);
        const { code, output } = await runSchemathesis(url, [], { configFile: schemathesisConfig });
        assert.equal(code, 0, output);
        // Generated bodies are mostly refused (a random proof fails the intake): schemathesis warns of that.
        assert.match(output, /Test cases:\n\s+(\d+) generated, \1 passed/);
      });

      // One wallet round trip is enough: it is the SDK's side, the same on every backend.
      if (round === 0) it("takes a wallet's withdrawal made with ShieldPoolClient.withdrawViaRelay at its quoted fee", async () => {
        const user = await provider.getSigner(6);
        const poseidon = await getPoseidon();
        const wallet = Keypair.generate(poseidon);
        const pool = new ShieldPoolClient(user, deployment.pool, await loadBundledProver(), poseidon, { fromBlock: deployment.poolDeployBlock });
        await pool.deposit(2n * 10n ** 16n, wallet);
        const quote = await new RelayerClient(url).quote(deployment.pool);
        const recipient = "0x00000000000000000000000000000000000c10a6";
        const userBefore = await provider.getBalance(await user.getAddress());
        const { job, proven } = await pool.withdrawViaRelay(wallet, 10n ** 16n, recipient, url, { intervalMs: 100, timeoutMs: 120_000 });
        assert.equal(job.state, "confirmed");
        assert.equal(proven.extData.fee, BigInt(quote.fee));
        assert.equal(proven.extData.relayer, EVM_RELAYER);
        assert.equal(await provider.getBalance(recipient), 10n ** 16n);
        assert.equal(await provider.getBalance(await user.getAddress()), userBefore, "the wallet's account sent nothing and paid no gas");
        assert.equal(await pool.balanceOf(wallet), 10n ** 16n - BigInt(quote.fee));
      });

      it("refuses a withdrawal whose fee was changed after proving, naming the mismatch", async () => {
        const tampered = requestOf(corpus.withdrawals[10 + round]!);
        tampered.extData = { ...tampered.extData, fee: String(BigInt(tampered.extData.fee) + 1n) };
        const refused = await new RelayerClient(url).submit(tampered).catch((error: unknown) => error);
        assert.ok(refused instanceof RelayerError);
        assert.deepEqual([refused.code, refused.status], ["EXT_DATA_MISMATCH", 400]);
        assert.match(refused.message, /^POST \/transact: extData: hashes to 0x[0-9a-f]{64}, not publicSignals\[2\] \(extDataHash\) 0x[0-9a-f]{64}$/);
      });
    });
  }
});
