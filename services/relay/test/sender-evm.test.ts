import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { toHex32 } from "@cloak/sdk";
import { openDatabase, type Database } from "@cloak/service-kit";
import {
  BACKENDS,
  EVM_RELAYER,
  EVM_WITHDRAWAL_RECIPIENT,
  HARDHAT_ACCOUNTS,
  deployEvm,
  evmExtDataOf,
  freshServerDatabase,
  loadEvmCorpus,
  publicInputsOfEntry,
  reachableTempDir,
  startHardhatNode,
  submitEvmCorpus,
  transactCalldata,
  type EvmCorpus,
  type EvmCorpusEntry,
  type EvmDeployment,
  type HardhatNode,
} from "@cloak/service-testkit";
import { Contract, JsonRpcProvider } from "ethers";
import { pino } from "pino";
import { createMetrics } from "@cloak/service-kit";
import { RelayError, RelayErrorCode } from "../src/errors.ts";
import { evmJobHandler } from "../src/evm-handler.ts";
import { JobQueue, retryPolicy } from "../src/queue/index.ts";
import { relayMetrics } from "../src/relay-metrics.ts";
import { workersSection } from "../src/config.ts";
import { EvmRevertError, EvmSender, shieldPoolInterface, type EvmTxRequest } from "../src/senders/evm/index.ts";
import { MIGRATIONS_DIR } from "../src/service.ts";
import { relayerWallet, requestOf } from "./support/evm.ts";

/** Above a depth-20 withdrawal's gas; fixed so a transaction that will revert is still sent (no estimate). */
const TRANSACT_GAS = 3_000_000n;
/** Corpus withdrawals each backend spends (they are spent for good on the shared node). */
const WITHDRAWALS_PER_BACKEND = 3;

describe("the EVM sender", () => {
  let node: HardhatNode;
  let deployment: EvmDeployment;
  let corpus: EvmCorpus;
  let provider: JsonRpcProvider;
  let dir: string;

  before(async () => {
    assert.equal(relayerWallet.address, EVM_RELAYER, "the derived key is the registered relayer's");
    assert.equal(HARDHAT_ACCOUNTS[3], EVM_RELAYER);
    dir = await reachableTempDir("cloak-relay-sender-evm");
    node = await startHardhatNode();
    deployment = await deployEvm(node.url, join(dir, "deployment"));
    corpus = loadEvmCorpus();
    await submitEvmCorpus(node.url, deployment, { corpus });
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
  });

  after(async () => {
    provider?.destroy();
    await node?.stop();
  });

  const withdrawal = (entry: EvmCorpusEntry): EvmTxRequest => ({ to: deployment.pool, data: transactCalldata(corpus, entry), value: 0n, gasLimit: TRANSACT_GAS });
  const transfer: EvmTxRequest = { to: EVM_WITHDRAWAL_RECIPIENT, data: "0x", value: 1n, gasLimit: 21_000n };
  const minedCount = async () => BigInt(await provider.getTransactionCount(EVM_RELAYER, "latest"));

  BACKENDS.forEach((backend, position) => {
    describe(`on the ${backend} database`, () => {
      let database: Database;
      let dropServerDatabase: (() => Promise<void>) | undefined;
      const senders: EvmSender[] = [];
      const entry = (offset: number) => corpus.withdrawals[position * WITHDRAWALS_PER_BACKEND + offset]!;
      const job = (name: string) => `${backend}-${name}`;
      const sender = () => {
        const created = new EvmSender({
          database: database.pool,
          evm: { rpc_urls: [node.url], timeout: 10_000, retries: 1, chain_id: Number(deployment.chainId) },
          wallet: relayerWallet,
          logger: pino({ level: "silent" }),
          pollIntervalMs: 25,
        });
        senders.push(created);
        return created;
      };

      before(async () => {
        let url: string | undefined;
        if (backend === "server") {
          const fresh = await freshServerDatabase(process.env.DATABASE_URL!);
          url = fresh.url;
          dropServerDatabase = fresh.drop;
        }
        database = await openDatabase({
          service: "relay",
          config: { url, embedded_dir: join(dir, `postgres-${backend}`), pool_size: 4, timeout: 10_000, max_lifetime: 3_600_000 },
          logger: pino({ level: "silent" }),
          migrationsDir: MIGRATIONS_DIR,
        });
        await database.migrate("up");
      });

      after(async () => {
        for (const created of senders) created.close();
        await database?.close();
        await dropServerDatabase?.();
      });

      it("submits a relayed withdrawal and confirms it: the recipient gets exactly the withdrawn amount, the relayer its fee", async () => {
        const withdrawn = entry(0);
        const ext = evmExtDataOf(corpus.header, withdrawn.extData);
        const recipientBefore = await provider.getBalance(ext.recipient);
        const relayerBefore = await provider.getBalance(EVM_RELAYER);
        const evm = sender();
        const sent = await evm.submit(job("withdrawal"), withdrawal(withdrawn));
        const confirmed = await evm.waitConfirmed(job("withdrawal"), 1, 30_000);
        assert.deepEqual([confirmed.hash, confirmed.nonce, confirmed.kind], [sent.hash, sent.nonce, "job"]);
        assert.equal(ext.relayer, EVM_RELAYER);
        assert.equal((await provider.getBalance(ext.recipient)) - recipientBefore, -ext.extAmount);
        assert.equal((await provider.getBalance(EVM_RELAYER)) - relayerBefore, ext.fee - confirmed.gasUsed * confirmed.effectiveGasPrice);
      });

      it("rebroadcasts the transaction stored before a crash instead of signing another, and exactly one lands", async () => {
        const before = await minedCount();
        const crashed = await sender().prepare(job("crash"), withdrawal(entry(1)));
        assert.equal(await provider.getTransaction(crashed.hash), null, "stored, never broadcast");
        const restarted = sender();
        const resent = await restarted.submit(job("crash"), withdrawal(entry(1)));
        assert.deepEqual([resent.hash, resent.nonce], [crashed.hash, crashed.nonce]);
        const confirmed = await restarted.waitConfirmed(job("crash"), 1, 30_000);
        assert.equal(confirmed.hash, crashed.hash);
        const again = await restarted.submit(job("crash"), withdrawal(entry(1)));
        assert.equal(again.hash, crashed.hash, "a retry after landing rebroadcasts the same transaction");
        assert.equal((await restarted.transactions(job("crash"))).length, 1);
        assert.equal(await minedCount(), before + 1n);
      });

      it("replaces a stuck transaction at the same nonce with fees 12.5 % higher, and only the replacement lands", async () => {
        const evm = sender();
        await provider.send("evm_setAutomine", [false]);
        try {
          const original = await evm.submit(job("bump"), withdrawal(entry(2)));
          assert.equal(await evm.bumpIfStuck(job("bump"), 3_600_000), null, "not stuck for an hour yet");
          const replacement = await evm.bumpIfStuck(job("bump"), 0);
          assert.ok(replacement);
          assert.equal(replacement.nonce, original.nonce);
          assert.ok(replacement.maxFeePerGas * 1000n >= original.maxFeePerGas * 1125n);
          assert.ok(replacement.maxPriorityFeePerGas * 1000n >= original.maxPriorityFeePerGas * 1125n);
          assert.deepEqual((await evm.transactions(job("bump"))).map((stored) => stored.replacedBy), [replacement.hash, null]);
          await provider.send("evm_mine", []);
        } finally {
          await provider.send("evm_setAutomine", [true]);
        }
        const [original, replacement] = await evm.transactions(job("bump"));
        const confirmed = await evm.waitConfirmed(job("bump"), 1, 30_000);
        assert.equal(confirmed.hash, replacement!.hash);
        assert.equal(await provider.getTransactionReceipt(original!.hash), null);
        assert.equal(await minedCount(), original!.nonce + 1n);
      });

      it("fails a withdrawal whose nullifier is already spent with the pool's NullifierAlreadySpent and the nullifier", async () => {
        const spent = entry(0);
        const evm = sender();
        const sent = await evm.submit(job("spent-again"), withdrawal(spent));
        const nullifier = toHex32(publicInputsOfEntry(spent).inputNullifiers[0]!);
        await assert.rejects(evm.waitConfirmed(job("spent-again"), 1, 30_000), (error: unknown) => {
          assert.ok(error instanceof EvmRevertError);
          assert.ok(error instanceof RelayError);
          assert.equal(error.code, RelayErrorCode.EVM_TRANSACTION_REVERTED);
          assert.equal(error.hash, sent.hash);
          assert.equal(error.errorName, "NullifierAlreadySpent");
          assert.deepEqual(error.errorArgs, [nullifier]);
          assert.equal(error.message, `transaction ${sent.hash} reverted: NullifierAlreadySpent(${nullifier})`);
          return true;
        });
      });

      it("refuses a withdrawal whose gas estimate already reverts with the pool's error, reserving no nonce", async () => {
        const spent = entry(0);
        const evm = sender();
        const nextNonce = async () => (await database.pool.query<{ next_nonce: string }>("SELECT next_nonce FROM evm_nonces")).rows.map((row) => row.next_nonce);
        const before = await nextNonce();
        const nullifier = toHex32(publicInputsOfEntry(spent).inputNullifiers[0]!);
        await assert.rejects(evm.submit(job("estimate-reverts"), { to: deployment.pool, data: transactCalldata(corpus, spent) }), (error: unknown) => {
          assert.ok(error instanceof EvmRevertError);
          assert.equal(error.code, RelayErrorCode.EVM_TRANSACTION_REVERTED);
          assert.deepEqual([error.hash, error.errorName, error.errorArgs], [null, "NullifierAlreadySpent", [nullifier]]);
          assert.equal(error.message, `gas estimate reverted: NullifierAlreadySpent(${nullifier})`);
          return true;
        });
        assert.deepEqual(await evm.transactions(job("estimate-reverts")), []);
        assert.deepEqual(await nextNonce(), before);
      });

      it("gives a job two senders submit at once one transaction, which lands once", async () => {
        const before = await minedCount();
        const [first, second] = await Promise.all([sender().submit(job("twice"), transfer), sender().submit(job("twice"), transfer)]);
        assert.deepEqual([second!.hash, second!.nonce], [first!.hash, first!.nonce]);
        const evm = sender();
        assert.equal((await evm.waitConfirmed(job("twice"), 1, 30_000)).hash, first!.hash);
        assert.equal((await evm.transactions(job("twice"))).length, 1);
        assert.equal(await minedCount(), before + 1n);
      });

      it("broadcasts the stored transaction of a nonce before its own first (its sender died before broadcasting), so both land in nonce order", async () => {
        const evm = sender();
        const held = await evm.prepare(job("held"), transfer);
        const mined = await minedCount();
        assert.equal(held.nonce, mined);
        // Without the one before it, Hardhat would refuse this nonce while automining ("Nonce too high"),
        // and a real mempool would hold it back.
        const ahead = await evm.submit(job("ahead"), transfer);
        assert.equal(ahead.nonce, mined + 1n);
        assert.equal((await evm.waitConfirmed(job("ahead"), 1, 30_000)).hash, ahead.hash);
        assert.equal((await evm.waitConfirmed(job("held"), 1, 30_000)).hash, held.hash);
        assert.equal((await evm.submit(job("held"), transfer)).hash, held.hash, "sending it again later changes nothing");
        assert.equal(await minedCount(), mined + 2n);
      });

      it("fails the broadcast of a transaction the node refuses, naming it and the node's reason; abandoning the job fills its nonce", async () => {
        const evm = sender();
        // More than the relayer holds: the node refuses it, and it never lands.
        const unpayable: EvmTxRequest = { to: EVM_WITHDRAWAL_RECIPIENT, data: "0x", value: 10n ** 30n, gasLimit: 21_000n };
        const stored = await evm.prepare(job("unpayable"), unpayable);
        const balance = await provider.getBalance(EVM_RELAYER);
        await assert.rejects(evm.submit(job("unpayable"), unpayable), (error: unknown) => {
          assert.ok(error instanceof RelayError);
          assert.equal(error.code, RelayErrorCode.EVM_BROADCAST_FAILED);
          const upfront = 21_000n * stored.maxFeePerGas + 10n ** 30n;
          assert.equal(error.message, `broadcast of ${stored.hash} (nonce ${stored.nonce}) refused: Sender doesn't have enough funds to send tx. The max upfront cost is: ${upfront} and the sender's balance is: ${balance}.`);
          return true;
        });
        const filler = await evm.abandon(job("unpayable"));
        assert.deepEqual([filler?.kind, filler?.nonce], ["filler", stored.nonce]);
        assert.deepEqual(await evm.waitConfirmed(job("unpayable"), 1, 30_000).then((confirmed) => [confirmed.kind, confirmed.nonce]), ["filler", stored.nonce]);
      });

      it("confirms only with the blocks asked for on top: short of them the wait times out naming the job", async () => {
        const evm = sender();
        const sent = await evm.submit(job("deep"), transfer);
        await assert.rejects(evm.waitConfirmed(job("deep"), 3, 0), (error: unknown) => {
          assert.ok(error instanceof RelayError);
          assert.equal(error.code, RelayErrorCode.EVM_CONFIRMATION_TIMEOUT);
          assert.equal(error.message, `job ${job("deep")}: no transaction with 3 confirmation(s) within 0 ms`);
          return true;
        });
        await provider.send("hardhat_mine", ["0x2"]);
        const confirmed = await evm.waitConfirmed(job("deep"), 3, 0);
        assert.equal(confirmed.hash, sent.hash);
        assert.equal((await provider.getBlockNumber()) - confirmed.blockNumber, 2);
      });

      it("refuses to wait for a job it has no transaction of", async () => {
        await assert.rejects(sender().waitConfirmed(job("never-submitted"), 1, 0), (error: unknown) => {
          assert.ok(error instanceof RelayError);
          assert.equal(error.code, RelayErrorCode.EVM_NO_TRANSACTION);
          assert.equal(error.message, `job ${job("never-submitted")} has no stored EVM transaction`);
          return true;
        });
      });

      it("gives two senders on one database distinct, consecutive nonces", async () => {
        const first = sender();
        const second = sender();
        const before = await minedCount();
        // Hardhat refuses a nonce ahead of the account's while it automines (a real mempool queues it): sends land in one block.
        await provider.send("evm_setAutomine", [false]);
        let sent;
        try {
          sent = await Promise.all([0, 1, 2, 3, 4, 5].map((n) => (n % 2 === 0 ? first : second).submit(job(`pair-${n}`), transfer)));
          await provider.send("evm_mine", []);
        } finally {
          await provider.send("evm_setAutomine", [true]);
        }
        const nonces = sent.map((stored) => stored.nonce).sort((a, b) => (a < b ? -1 : 1));
        assert.deepEqual(nonces, [0n, 1n, 2n, 3n, 4n, 5n].map((n) => before + n));
        await Promise.all([0, 1, 2, 3, 4, 5].map((n) => first.waitConfirmed(job(`pair-${n}`), 1, 30_000)));
        assert.equal(await minedCount(), before + 6n);
      });

      it("abandons an unmined job by sending a self-transfer at its nonce, so the job's transaction never lands and no nonce gap is left", async () => {
        const evm = sender();
        let original;
        let filler;
        await provider.send("evm_setAutomine", [false]);
        try {
          original = await evm.submit(job("abandoned"), transfer);
          filler = await evm.abandon(job("abandoned"));
          assert.ok(filler);
          assert.deepEqual([filler.kind, filler.nonce], ["filler", original.nonce]);
          await provider.send("evm_mine", []);
        } finally {
          await provider.send("evm_setAutomine", [true]);
        }
        const confirmed = await evm.waitConfirmed(job("abandoned"), 1, 30_000);
        assert.deepEqual([confirmed.hash, confirmed.kind], [filler.hash, "filler"]);
        assert.equal(await provider.getTransactionReceipt(original.hash), null);
        const mined = await provider.getTransaction(filler.hash);
        assert.deepEqual([mined?.to, mined?.value], [EVM_RELAYER, 0n]);
        const next = await evm.submit(job("after-abandoned"), transfer);
        assert.equal(next.nonce, original.nonce + 1n);
        assert.equal((await evm.waitConfirmed(job("after-abandoned"), 1, 30_000)).hash, next.hash);
      });

      it("gives up a job whose transaction did not land on its last attempt by sending a filler at its nonce, so the withdrawal can never land later", async () => {
        const evm = sender();
        const queue = new JobQueue(database.pool, retryPolicy(workersSection.parse({})));
        const withdrawn = corpus.withdrawals[20 + position]!;
        const [, , , n0, n1] = withdrawn.publicSignals.map((signal) => BigInt(signal));
        await queue.enqueue({ chain: "evm", pool: deployment.pool, nullifiers: [toHex32(n0!), toHex32(n1!)], fee: 1n, request: JSON.parse(JSON.stringify(requestOf(withdrawn))) });
        const [claimed] = await queue.claim(`last-attempt-${backend}`, 1, 60_000);
        const handler = evmJobHandler({
          queue,
          sender: evm,
          pool: await shieldPoolInterface(),
          confirmations: 0,
          timeoutMs: 1_000,
          metrics: relayMetrics(createMetrics(), queue),
          logger: pino({ level: "silent" }),
          isLastAttempt: () => true,
        });
        await provider.send("evm_setAutomine", [false]);
        let outcome;
        try {
          outcome = await handler(claimed!, { signal: new AbortController().signal, queue });
          await provider.send("evm_mine", []);
        } finally {
          await provider.send("evm_setAutomine", [true]);
        }
        const [original, filler] = await evm.transactions(claimed!.id);
        assert.deepEqual(outcome, {
          status: "failed",
          reason: `job ${claimed!.id}: no transaction with 0 confirmation(s) within 1000 ms; given up: nonce ${original!.nonce} goes to filler ${filler!.hash}`,
          retryable: true,
        });
        assert.deepEqual([filler!.kind, filler!.nonce], ["filler", original!.nonce]);
        assert.equal(await provider.getTransactionReceipt(original!.hash), null);
        assert.equal((await provider.getTransactionReceipt(filler!.hash))?.status, 1);
        const pool = new Contract(deployment.pool, ["function isSpent(bytes32) view returns (bool)"], provider);
        assert.deepEqual(await Promise.all([n0!, n1!].map((n) => pool.isSpent!(toHex32(n)))), [false, false]);
      });
    });
  });
});
