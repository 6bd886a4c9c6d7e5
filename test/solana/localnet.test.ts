// The local node itself (localnet/, `npm run localnet`): what it serves over JSON-RPC and WebSocket as
// web3.js uses it, the clock and slots it keeps, how it refuses bad input, and what survives a stop,
// a restart and a kill -9.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  Connection,
  Keypair,
  type GetProgramAccountsFilter,
  LAMPORTS_PER_SOL,
  PublicKey,
  SYSVAR_CLOCK_PUBKEY,
  SYSVAR_SLOT_HASHES_PUBKEY,
  SystemProgram,
  Transaction,
  sendAndConfirmTransaction,
} from "@solana/web3.js";
import { base58 } from "@scure/base";
import { BPF_LOADER_UPGRADEABLE_PROGRAM_ID, SCRAMBLE_REGISTRY_PROGRAM_ID, SHIELD_POOL_PROGRAM_ID, configPda, initializeConfigInstruction, unpauseInstruction } from "@cloak/sdk/solana";
import { LOCALNET_BINARY, startLocalnet, type Localnet } from "../../localnet/launcher.ts";

const NATIVE_LOADER = new PublicKey("NativeLoader1111111111111111111111111111111");
const ANCHOR_ACCOUNT_OWNED_BY_WRONG_PROGRAM = 3007;

async function rpc(url: string, method: string, params: unknown[]): Promise<{ result?: unknown; error?: { code: number; message: string } }> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  return (await response.json()) as { result?: unknown; error?: { code: number; message: string } };
}

function transfer(from: Keypair, to: PublicKey, lamports: number): Transaction {
  return new Transaction().add(SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: to, lamports }));
}

describe("local node over JSON-RPC", () => {
  let node: Localnet;
  before(async () => {
    node = await startLocalnet();
  });
  after(async () => {
    await node?.stop();
  });

  test("loads both programs natively with ProgramData naming the node's authority as upgrade authority", async () => {
    for (const program of [SHIELD_POOL_PROGRAM_ID, SCRAMBLE_REGISTRY_PROGRAM_ID]) {
      const account = await node.connection.getAccountInfo(program);
      assert.ok(account?.executable, `${program.toBase58()} is executable`);
      assert.ok(account.owner.equals(NATIVE_LOADER));
      const [programData] = PublicKey.findProgramAddressSync([program.toBytes()], BPF_LOADER_UPGRADEABLE_PROGRAM_ID);
      const data = (await node.connection.getAccountInfo(programData))!.data;
      // UpgradeableLoaderState::ProgramData: tag 3 (u32), slot (u64), Some (1) + authority.
      assert.equal(data.readUInt32LE(0), 3);
      assert.equal(data[12], 1);
      assert.ok(new PublicKey(data.subarray(13, 45)).equals(node.authority.publicKey));
    }
  });

  test("confirms a transfer sent by web3.js and reports its fee, balances and logs in getTransaction", async () => {
    const sender = await node.fundedKeypair(2);
    const recipient = Keypair.generate().publicKey;
    const signature = await sendAndConfirmTransaction(node.connection, transfer(sender, recipient, 1_234_567), [sender]);
    const landed = await node.connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
    assert.ok(landed?.meta);
    assert.equal(landed.meta.err, null);
    assert.equal(landed.meta.fee, 5_000);
    assert.deepEqual(landed.meta.preBalances.slice(0, 2), [2 * LAMPORTS_PER_SOL, 0]);
    assert.deepEqual(landed.meta.postBalances.slice(0, 2), [2 * LAMPORTS_PER_SOL - 1_234_567 - 5_000, 1_234_567]);
    assert.deepEqual(landed.meta.logMessages, ["Program 11111111111111111111111111111111 invoke [1]", "Program 11111111111111111111111111111111 success"]);
    assert.equal(await node.connection.getBalance(recipient), 1_234_567);
  });

  test("refuses a failing program call in preflight with the program's error code and its Anchor log lines", async () => {
    const stranger = await node.fundedKeypair(1);
    const error = await sendAndConfirmTransaction(node.connection, new Transaction().add(await unpauseInstruction({ admin: stranger.publicKey })), [stranger]).then(
      () => assert.fail("unpause before initialize succeeded"),
      (caught: unknown) => caught as Error & { transactionError?: { message: string }; transactionLogs?: string[] },
    );
    assert.match(error.message, new RegExp(`custom program error: 0x${ANCHOR_ACCOUNT_OWNED_BY_WRONG_PROGRAM.toString(16)}`));
    const logs = error.transactionLogs ?? [];
    assert.equal(logs[0], `Program ${SHIELD_POOL_PROGRAM_ID.toBase58()} invoke [1]`);
    assert.ok(logs.includes("Program log: Instruction: Unpause"), logs.join("\n"));
    assert.ok(logs.some((line) => line.startsWith("Program log: AnchorError caused by account: config. Error Code: AccountOwnedByWrongProgram. Error Number: 3007.")), logs.join("\n"));
    assert.equal(logs.at(-1), `Program ${SHIELD_POOL_PROGRAM_ID.toBase58()} failed: custom program error: 0x${ANCHOR_ACCOUNT_OWNED_BY_WRONG_PROGRAM.toString(16)}`);
  });

  test("runs initialize signed by the upgrade authority and serves the config to getProgramAccounts filters", async () => {
    const instruction = await initializeConfigInstruction({
      admin: node.authority.publicKey,
      pauseAuthority: PublicKey.default,
      securityCouncil: PublicKey.default,
      verifyingKeyDelaySeconds: 172_800n,
      powRequired: false,
    });
    await sendAndConfirmTransaction(node.connection, new Transaction().add(instruction), [node.authority]);
    const config = (await node.connection.getAccountInfo(configPda()[0]))!;
    const discriminator = config.data.subarray(0, 8);
    const addresses = async (filters: GetProgramAccountsFilter[]) => (await node.connection.getProgramAccounts(SHIELD_POOL_PROGRAM_ID, { filters })).map((entry) => entry.pubkey.toBase58());
    assert.deepEqual(await addresses([{ dataSize: config.data.length }, { memcmp: { offset: 0, bytes: base58.encode(discriminator) } }]), [configPda()[0].toBase58()]);
    assert.deepEqual(await addresses([{ memcmp: { offset: 0, bytes: discriminator.toString("base64"), encoding: "base64" } }]), [configPda()[0].toBase58()]);
    const none = await node.connection.getProgramAccounts(SHIELD_POOL_PROGRAM_ID, { filters: [{ dataSize: 1 }] });
    assert.deepEqual(none, []);
  });

  test("moves the Clock sysvar forward by cloak_increaseTime", async () => {
    const clockTime = async () => Number((await node.connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY))!.data.readBigInt64LE(32));
    const before = await clockTime();
    const moved = await node.increaseTime(172_800);
    const after = await clockTime();
    assert.ok(after >= before + 172_800, `clock ${before} → ${after}`);
    assert.equal(moved.unixTimestamp, after);
  });

  test("passes slots on its own, each leaving a SlotHashes entry for the slot that ended", async () => {
    const start = await node.connection.getSlot();
    while ((await node.connection.getSlot()) < start + 3) await new Promise((resolve) => setTimeout(resolve, 50));
    const { slot } = await node.advanceSlots(1);
    const data = (await node.connection.getAccountInfo(SYSVAR_SLOT_HASHES_PUBKEY))!.data;
    const entries = Number(data.readBigUInt64LE(0));
    assert.ok(entries >= 4, `${entries} SlotHashes entries`);
    assert.equal(Number(data.readBigUInt64LE(8)), slot - 1, "the newest entry is the slot that just ended");
    assert.equal(Number(data.readBigUInt64LE(8 + 40)), slot - 2);
  });

  test("jumps the slot with cloak_advanceSlots as skipped slots: one new block, so a cached blockhash stays valid", async () => {
    const sender = await node.fundedKeypair(1);
    const { blockhash } = await node.connection.getLatestBlockhash();
    const [slotBefore, heightBefore] = [await node.connection.getSlot(), await node.connection.getBlockHeight()];
    const { slot } = await node.advanceSlots(10_000);
    assert.ok(slot >= slotBefore + 10_000);
    assert.ok((await node.connection.getBlockHeight()) <= heightBefore + 5, "block height grew by the one new block (plus the slots that passed meanwhile)");
    assert.equal((await node.connection.isBlockhashValid(blockhash)).value, true);
    await sendAndConfirmTransaction(node.connection, transfer(sender, Keypair.generate().publicKey, 1), [sender]);
  });

  test("pages getSignaturesForAddress newest first with before and until", async () => {
    const sender = await node.fundedKeypair(1);
    const signatures: string[] = [];
    for (let i = 0; i < 4; i++) signatures.push(await sendAndConfirmTransaction(node.connection, transfer(sender, Keypair.generate().publicKey, 1 + i), [sender]));
    const newestFirst = [...signatures].reverse();
    const page = async (options: { limit?: number; before?: string; until?: string }) => (await node.connection.getSignaturesForAddress(sender.publicKey, options)).map((entry) => entry.signature);
    assert.deepEqual(await page({ limit: 2 }), newestFirst.slice(0, 2));
    assert.deepEqual(await page({ limit: 2, before: newestFirst[1] }), newestFirst.slice(2, 4));
    assert.deepEqual(await page({ until: newestFirst[2] }), newestFirst.slice(0, 2));
    // The airdrop that funded the sender is the oldest.
    assert.equal((await page({})).length, 5);
  });

  test("notifies a logs subscription of a transaction that mentions the address", async () => {
    const sender = await node.fundedKeypair(1);
    const heard = new Promise<{ signature: string; logs: string[] }>((resolve) => {
      const id = node.connection.onLogs(sender.publicKey, (entry) => {
        void node.connection.removeOnLogsListener(id);
        resolve(entry);
      });
    });
    // Give the subscription time to reach the node before the transaction lands.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const signature = await sendAndConfirmTransaction(node.connection, transfer(sender, Keypair.generate().publicKey, 7), [sender]);
    const entry = await heard;
    assert.equal(entry.signature, signature);
    assert.deepEqual(entry.logs, ["Program 11111111111111111111111111111111 invoke [1]", "Program 11111111111111111111111111111111 success"]);
  });

  test("notifies a signature subscription once when the transaction lands, and answers its later unsubscribe with true", async () => {
    const sender = await node.fundedKeypair(1);
    const transaction = transfer(sender, Keypair.generate().publicKey, 9);
    transaction.recentBlockhash = (await node.connection.getLatestBlockhash()).blockhash;
    transaction.sign(sender);
    const signature = base58.encode(transaction.signature!);
    const socket = new WebSocket(node.wsUrl);
    const messages: Array<Record<string, unknown>> = [];
    const next = () =>
      new Promise<Record<string, unknown>>((resolve) => {
        const waiting = () => (messages.length > 0 ? resolve(messages.shift()!) : setTimeout(waiting, 10));
        waiting();
      });
    socket.onmessage = (event) => messages.push(JSON.parse(String(event.data)) as Record<string, unknown>);
    await new Promise((resolve) => (socket.onopen = resolve));
    socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "signatureSubscribe", params: [signature, { commitment: "confirmed" }] }));
    const subscribed = await next();
    assert.equal(subscribed.id, 1);
    await node.connection.sendRawTransaction(transaction.serialize());
    const notified = await next();
    assert.equal(notified.method, "signatureNotification");
    assert.deepEqual((notified.params as { subscription: unknown; result: { value: unknown } }).subscription, subscribed.result);
    assert.deepEqual((notified.params as { result: { value: unknown } }).result.value, { err: null });
    socket.send(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "signatureUnsubscribe", params: [subscribed.result] }));
    assert.deepEqual(await next(), { jsonrpc: "2.0", id: 2, result: true });
    socket.close(1000);
  });

  test("refuses a malformed parameter with -32602 naming the method and the field", async () => {
    assert.deepEqual(await rpc(node.rpcUrl, "getBalance", ["not-a-key"]), {
      jsonrpc: "2.0",
      id: 1,
      error: { code: -32602, message: 'Invalid params: getBalance: address: "not-a-key" is not a base58 public key' },
    });
    assert.deepEqual((await rpc(node.rpcUrl, "getSignaturesForAddress", [PublicKey.default.toBase58(), { limit: 0 }])).error, {
      code: -32602,
      message: "Invalid params: getSignaturesForAddress: limit must be between 1 and 1000",
    });
    assert.deepEqual((await rpc(node.rpcUrl, "getBlock", [1])).error, { code: -32601, message: "Method not found: getBlock is not served by cloak-localnet" });
  });
});

/** A node on `ledger` without --reset, for the restart scenarios (startLocalnet always starts fresh). */
async function startOn(ledger: string): Promise<{ connection: Connection; rpcUrl: string; child: ReturnType<typeof spawn> }> {
  const child = spawn(LOCALNET_BINARY, ["--rpc-port", "0", "--ws-port", "0", "--ledger", ledger, "--slot-time", "100"], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /^Cloak localnet ready .*$/m.exec(out);
      if (ready) resolve(ready[0]);
    });
    child.once("exit", (code) => reject(new Error(`cloak-localnet exited ${code} before ready:\n${out}`)));
  });
  const rpcUrl = /rpc=(\S+)/.exec(line)![1]!;
  return { connection: new Connection(rpcUrl, { commitment: "confirmed", wsEndpoint: /ws=(\S+)/.exec(line)![1]! }), rpcUrl, child };
}

const exitOf = (child: ReturnType<typeof spawn>) => new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));

describe("local node lifecycle", () => {
  const ledger = mkdtempSync(join(tmpdir(), "cloak-localnet-lifecycle-"));
  after(() => rmSync(ledger, { recursive: true, force: true }));

  test("stops on SIGTERM with exit code 0 and restarts with its accounts, history and clock offset", async () => {
    const first = await startOn(ledger);
    const recipient = Keypair.generate().publicKey;
    const signature = await first.connection.requestAirdrop(recipient, 42);
    await first.connection.confirmTransaction({ signature, ...(await first.connection.getLatestBlockhash()) });
    const { result: moved } = (await rpc(first.rpcUrl, "cloak_increaseTime", [1_000_000])) as { result: { unixTimestamp: number } };
    const exit = exitOf(first.child);
    first.child.kill("SIGTERM");
    assert.deepEqual(await exit, { code: 0, signal: null });

    const second = await startOn(ledger);
    try {
      assert.equal(await second.connection.getBalance(recipient), 42);
      assert.equal((await second.connection.getSignatureStatus(signature, { searchTransactionHistory: true })).value?.err, null);
      const clock = Number((await second.connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY))!.data.readBigInt64LE(32));
      assert.ok(clock >= moved.unixTimestamp, `the clock kept its offset (${clock} >= ${moved.unixTimestamp})`);
    } finally {
      second.child.kill("SIGTERM");
      await exitOf(second.child);
    }
  });

  test("loses nothing older than the 5 s autosave when killed with SIGKILL", async () => {
    const first = await startOn(ledger);
    const recipient = Keypair.generate().publicKey;
    const signature = await first.connection.requestAirdrop(recipient, 77);
    // Polled over HTTP: a WebSocket client would keep reconnecting to the killed node.
    while (!(await first.connection.getSignatureStatus(signature)).value) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const exit = exitOf(first.child);
    first.child.kill("SIGKILL");
    assert.equal((await exit).signal, "SIGKILL");

    const second = await startOn(ledger);
    try {
      assert.equal(await second.connection.getBalance(recipient), 77);
      assert.ok(await second.connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 }));
    } finally {
      second.child.kill("SIGTERM");
      await exitOf(second.child);
    }
  });

  test("keeps a blockhash valid for 150 blocks at 400 ms slots and then refuses it with BlockhashNotFound", async () => {
    const node = await startLocalnet({ slotTimeMs: 400 });
    try {
      const sender = await node.fundedKeypair(1);
      const connection = new Connection(node.rpcUrl, { commitment: "confirmed", disableRetryOnRateLimit: true });
      const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash();
      const height = await connection.getBlockHeight();
      assert.ok(lastValidBlockHeight - height <= 150 && lastValidBlockHeight - height >= 149, `${lastValidBlockHeight} - ${height}`);
      // One block per call; the node's own 400 ms slots add a few more while this runs.
      while ((await connection.getBlockHeight()) < lastValidBlockHeight - 2) await node.advanceSlots(1);
      assert.equal((await connection.isBlockhashValid(blockhash)).value, true);
      while ((await connection.getBlockHeight()) <= lastValidBlockHeight) await node.advanceSlots(1);
      assert.equal((await connection.isBlockhashValid(blockhash)).value, false);
      const stale = transfer(sender, Keypair.generate().publicKey, 1);
      stale.recentBlockhash = blockhash;
      stale.sign(sender);
      await assert.rejects(connection.sendRawTransaction(stale.serialize()), /Transaction simulation failed: Blockhash not found/);
    } finally {
      await node.stop();
    }
  });

  test("forgets the saved state with --reset", async () => {
    const node = await startLocalnet();
    try {
      assert.equal(await node.connection.getTransactionCount(), 0);
    } finally {
      await node.stop();
    }
  });

  test("exits 2 naming an unknown option", () => {
    const run = spawnSync(LOCALNET_BINARY, ["--rpc-prot", "1"], { encoding: "utf8" });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^cloak-localnet: unknown option "--rpc-prot"/);
  });
});
