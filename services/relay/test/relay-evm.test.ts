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
  runTs,
  startHardhatNode,
  submitEvmCorpus,
  type Child,
  type EvmDeployment,
  type HardhatNode,
} from "@cloak/service-testkit";
import { corpus, requestOf, writeRelayerKeystore } from "./support/evm.ts";

const RELAY_MAIN = new URL("../src/main.ts", import.meta.url).pathname;

interface JobAnswer {
  job: { id: string; state: string; txHash: string | null; reason: string | null };
  created: boolean;
}

async function call(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const post = (url: string, body: unknown) => call(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

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
        const { status, body } = await call(`${url}/api/v1/info`);
        assert.equal(status, 200);
        assert.deepEqual((body.chains as { evm: unknown }).evm, { chainId: "31337", relayer: EVM_RELAYER, pools: [{ address: deployment.pool, asset: "0x0000000000000000000000000000000000000000" }] });
      });

      it("accepts a withdrawal, submits it and confirms it, paying the recipient and itself exactly", async () => {
        const recipientBefore = await provider.getBalance(EVM_WITHDRAWAL_RECIPIENT);
        const relayerBefore = await provider.getBalance(EVM_RELAYER);
        const accepted = await post(`${url}/api/v1/transact`, requestOf(entry));
        assert.equal(accepted.status, 202);
        const { job } = accepted.body as unknown as JobAnswer;
        assert.equal(job.state, "queued");
        let final: JobAnswer["job"] | undefined;
        for (let i = 0; i < 300 && !final; i++) {
          const { body } = await call(`${url}/api/v1/jobs/${job.id}`);
          const state = body as unknown as JobAnswer["job"];
          if (state.state === "confirmed" || state.state === "failed" || state.state === "dead") final = state;
          else await new Promise((resolve) => setTimeout(resolve, 200));
        }
        assert.equal(final?.state, "confirmed", `job ended ${final?.state}: ${final?.reason}`);
        const receipt = (await provider.getTransactionReceipt(final.txHash!))!;
        assert.equal(receipt.from, EVM_RELAYER);
        assert.equal((await provider.getBalance(EVM_WITHDRAWAL_RECIPIENT)) - recipientBefore, -BigInt(entry.extData.extAmount));
        assert.equal((await provider.getBalance(EVM_RELAYER)) - relayerBefore, BigInt(entry.extData.fee) - receipt.gasUsed * receipt.gasPrice);
      });

      it("answers the same withdrawal again with the same job instead of a second one", async () => {
        const again = await post(`${url}/api/v1/transact`, requestOf(entry));
        const { body } = await call(`${url}/api/v1/queue/status`);
        assert.equal(again.status, 200);
        assert.equal((again.body as unknown as JobAnswer).created, false);
        assert.equal((body.byState as Record<string, number>).confirmed, 1);
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

      it("refuses a withdrawal whose fee was changed after proving, naming the mismatch", async () => {
        const tampered = requestOf(corpus.withdrawals[10 + round]!);
        tampered.extData = { ...tampered.extData, fee: String(BigInt(tampered.extData.fee) + 1n) };
        const { status, body } = await post(`${url}/api/v1/transact`, tampered);
        assert.equal(status, 400);
        assert.equal(body.error, "EXT_DATA_MISMATCH");
        assert.match(String(body.message), /^extData: hashes to 0x[0-9a-f]{64}, not publicSignals\[2\] \(extDataHash\) 0x[0-9a-f]{64}$/);
      });
    });
  }
});
