// The Solana deploy and read-only commands run as an operator runs them, against a local node holding one
// real deposit (a depth-20 proof through SolanaShieldPoolClient): the deployment record and its resumption,
// the daily health check, the state export and its verification (live and offline, a tampered export
// caught), and the event replay in chain order.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Connection, PublicKey, Transaction, TransactionInstruction, type Commitment, type RpcResponseAndContext, type SignatureResult, type TransactionConfirmationStrategy } from "@solana/web3.js";
import { Keypair, getPoseidon, releaseProvingResources, type SnarkjsProver } from "@cloak/sdk";
import { BPF_LOADER_UPGRADEABLE_PROGRAM_ID, NATIVE_MINT, SCRAMBLE_REGISTRY_PROGRAM_ID, SHIELD_POOL_PROGRAM_ID, SolanaShieldPoolClient, programDataPda, currentRoot, fetchCommitmentTree, fetchConfig, fetchRegistry, poolPda, treePda } from "@cloak/sdk/solana";
import { PRODUCTION_DEPTH, proverFor } from "../../support/fixtures.ts";
import { startLocalnet, type Localnet } from "../../../localnet/launcher.ts";
import { operator, runHardhat, succeeded, type Operator } from "./cli.ts";

/** confirmTransaction by polling getSignatureStatuses over HTTP, so no WebSocket outlives the node. */
class PollingConnection extends Connection {
  override async confirmTransaction(strategy: TransactionConfirmationStrategy | string, _commitment?: Commitment): Promise<RpcResponseAndContext<SignatureResult>> {
    const signature = typeof strategy === "string" ? strategy : strategy.signature;
    for (;;) {
      const { context, value } = await this.getSignatureStatuses([signature]);
      const status = value[0];
      if (status?.err || status?.confirmationStatus) return { context, value: { err: status.err } };
      await new Promise((done) => setTimeout(done, 50));
    }
  }
}

const DEPOSIT = 500_000_000n;
const hex32 = (value: bigint) => `0x${value.toString(16).padStart(64, "0")}`;

describe("Solana deploy and read-only commands", () => {
  let node: Localnet;
  let op: Operator;
  let admin: string;
  let deployOutput: string;
  let prover: SnarkjsProver;
  let deposit: { signature: string; slot: number };
  const [solPool] = poolPda(NATIVE_MINT);

  before(async () => {
    node = await startLocalnet();
    op = operator(node);
    admin = op.keypairFile("admin", node.authority);
    deployOutput = succeeded(await op.run("solana:deploy", ["-k", admin, "--pow-required", "false"]));
    prover = await proverFor(PRODUCTION_DEPTH);
    const depositor = await op.funded(5);
    const connection = new PollingConnection(node.rpcUrl, "confirmed");
    const client = new SolanaShieldPoolClient(connection, depositor, NATIVE_MINT, prover, await getPoseidon());
    const { signature } = await client.deposit(DEPOSIT, Keypair.generate(await getPoseidon()));
    deposit = { signature, slot: (await connection.getSignatureStatuses([signature])).value[0]!.slot };
  });

  after(async () => {
    await releaseProvingResources();
    await node?.stop();
  });

  const onChainRoot = async () => hex32(currentRoot((await fetchCommitmentTree(node.connection, treePda(solPool)[0]))!.tree));

  it("solana:deploy records every step and the deployment's public keys, and never a secret key", () => {
    for (const step of ["registry", "config", "pool:sol", "tree:sol", "mint", "pool:token", "tree:token"]) assert.match(deployOutput, new RegExp(`^  \\+ ${step} \\(\\w+\\)$`, "m"));
    const text = readFileSync(join(op.deployments, "solana-localnet.json"), "utf8");
    const record = JSON.parse(text);
    assert.equal(record.authority, node.authority.publicKey.toBase58());
    assert.equal(record.pools.sol.pool, solPool.toBase58());
    assert.equal(record.testMint.decimals, 6);
    assert.ok(!text.includes(JSON.stringify(Array.from(node.authority.secretKey))) && !/\[\s*\d+(\s*,\s*\d+){31,}/.test(text), "no key bytes in the record");
  });

  it("solana:deploy run again finds every step done and keeps the record's accounts", async () => {
    const before = JSON.parse(readFileSync(join(op.deployments, "solana-localnet.json"), "utf8"));
    const stdout = succeeded(await op.run("solana:deploy", ["-k", admin]));
    for (const step of ["registry", "config", "pool:sol", "tree:sol", "mint", "pool:token", "tree:token"]) assert.match(stdout, new RegExp(`^  = ${step} \\(already done\\)$`, "m"));
    const after = JSON.parse(readFileSync(join(op.deployments, "solana-localnet.json"), "utf8"));
    assert.deepEqual({ ...after, updatedAt: null }, { ...before, updatedAt: null });
  });

  it("solana:health reports each program's upgrade authority as a plain key, the roots and the vaults", async () => {
    const result = await op.run("solana:health", ["--json"]);
    const report = JSON.parse(succeeded(result));
    assert.equal(report.status, "warning");
    for (const program of report.programs) {
      assert.deepEqual([program.upgradeAuthority, program.plainKey], [node.authority.publicKey.toBase58(), true]);
    }
    assert.ok(report.findings.some((f: { message: string }) => f.message.startsWith("shield_pool's upgrade authority") && f.message.includes("is a plain key")));
    const sol = report.pools.find((p: { label: string }) => p.label === "sol");
    assert.equal(sol.lastRoot, await onChainRoot());
    assert.equal(sol.nextLeafIndex, 2);
    assert.equal(sol.balance, DEPOSIT.toString());
    assert.ok(sol.vaultLamports >= sol.vaultRentMinimum);
  });

  it("solana:health reaches the node by --rpc-url, the services' spelling of -u", async () => {
    const result = await runHardhat(["solana:health", "--rpc-url", node.rpcUrl, "--json"], { CLOAK_DEPLOYMENTS_DIR: op.deployments });
    assert.equal(JSON.parse(succeeded(result)).cluster, "localnet");
  });

  it("solana:health is critical (exit code 1) while the pool is paused", async () => {
    succeeded(await op.run("solana:pause", ["-k", admin]));
    const result = await op.run("solana:health");
    assert.equal(result.code, 1);
    assert.match(result.stdout, /✖ CRITICAL the shield pool is PAUSED/);
    succeeded(await op.run("solana:unpause", ["-k", admin]));
  });

  it("solana:state:export writes each pool's commitments, nullifiers and root as the chain holds them", async () => {
    const out = join(op.dir, "state.json");
    succeeded(await op.run("solana:state:export", ["--out", out]));
    const state = JSON.parse(readFileSync(out, "utf8"));
    const sol = state.pools.find((p: { label: string }) => p.label === "sol");
    assert.equal(sol.commitments.length, 2);
    assert.equal(sol.nullifiers.length, 2);
    assert.deepEqual(sol.transacts.map((t: { transactionHash: string; extAmount: string }) => [t.transactionHash, t.extAmount]), [[deposit.signature, DEPOSIT.toString()]]);
    assert.equal(sol.lastRoot, await onChainRoot());
    // The ring holds the empty tree's root, then the deposit's.
    assert.deepEqual(sol.rootHistory, [state.pools.find((p: { label: string }) => p.label === "token").lastRoot, sol.lastRoot]);
    assert.equal(sol.balance, DEPOSIT.toString());
  });

  it("solana:state:verify rebuilds each tree from the Transacted events and finds the on-chain roots", async () => {
    const result = JSON.parse(succeeded(await op.run("solana:state:verify", ["--json"])));
    assert.equal(result.ok, true);
    const sol = result.pools.find((p: { label: string }) => p.label === "sol");
    assert.deepEqual([sol.leaves, sol.rebuiltRoot, sol.claimedRoot], [2, await onChainRoot(), await onChainRoot()]);
  });

  it("solana:state:verify --file flags an export whose commitment was altered (exit code 1)", async () => {
    const out = join(op.dir, "tampered.json");
    succeeded(await op.run("solana:state:export", ["--out", out]));
    const state = JSON.parse(readFileSync(out, "utf8"));
    const sol = state.pools.find((p: { label: string }) => p.label === "sol");
    sol.commitments[1].commitment = hex32(BigInt(sol.commitments[1].commitment) ^ 1n);
    writeFileSync(out, JSON.stringify(state));
    const result = await op.run("solana:state:verify", ["--file", out]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, new RegExp(`✖ after leaves 0\\.\\.1 the rebuilt root is 0x[0-9a-f]{64}, but the Transact of tx ${deposit.signature} announced ${sol.transacts[0].newRoot}`));
  });

  it("solana:events:replay writes both programs' events as NDJSON in chain order from the given slot", async () => {
    const out = join(op.dir, "events.ndjson");
    succeeded(await op.run("solana:events:replay", ["--from-slot", "0", "--out", out]));
    const lines = readFileSync(out, "utf8").trim().split("\n").map((line) => JSON.parse(line));
    const names = lines.map((line) => line.event);
    // Chain order holds across slots and within each program; two programs' events in one slot may
    // interleave either way (no getBlock to give the position in the block; docs/admin-procedures.md).
    const shieldPoolNames = lines.filter((line) => line.program === "shield_pool").map((line) => line.event);
    const registryNames = lines.filter((line) => line.program === "scramble_registry").map((line) => line.event);
    assert.deepEqual(shieldPoolNames.slice(0, 2), ["ConfigInitialized", "PoolInitialized"]);
    assert.equal(registryNames[0], "RegistryInitialized");
    assert.ok(names.indexOf("TreeGrown") < names.lastIndexOf("PoolInitialized"));
    assert.deepEqual(
      lines.map((line) => line.slot),
      [...lines.map((line) => line.slot)].sort((a, b) => a - b),
    );
    const transacted = lines.filter((line) => line.event === "Transacted");
    assert.deepEqual(transacted.map((line) => [line.signature, line.program, line.args.pool, line.args.extAmount]), [[deposit.signature, "shield_pool", solPool.toBase58(), DEPOSIT.toString()]]);

    const later = join(op.dir, "later.ndjson");
    succeeded(await op.run("solana:events:replay", ["--from-slot", String(deposit.slot), "--out", later]));
    const fromDeposit = readFileSync(later, "utf8").trim().split("\n").map((line) => JSON.parse(line));
    assert.ok(fromDeposit.every((line) => line.slot >= deposit.slot));
    assert.equal(fromDeposit.filter((line) => line.event === "Transacted").length, 1);
    assert.ok(!fromDeposit.some((line) => line.event === "ConfigInitialized"));
  });

  it("solana:deploy --admin proposes both programs' admin to the given key, which accepts with the admin commands", async () => {
    const next = await op.funded(1);
    const stdout = succeeded(await op.run("solana:deploy", ["-k", admin, "--admin", next.publicKey.toBase58()]));
    assert.match(stdout, /^  \+ admin-transfer \(\w+\)$/m);
    assert.match(stdout, /^  \+ registry-admin-transfer \(\w+\)$/m);
    assert.equal((await fetchConfig(node.connection))!.pendingAdmin.toBase58(), next.publicKey.toBase58());
    assert.equal((await fetchRegistry(node.connection))!.pendingAdmin.toBase58(), next.publicKey.toBase58());
    const nextFile = op.keypairFile("next-admin", next);
    succeeded(await op.run("solana:admin:accept", ["-k", nextFile]));
    succeeded(await op.run("solana:registry:admin:accept", ["-k", nextFile]));
    assert.equal((await fetchConfig(node.connection))!.admin.toBase58(), next.publicKey.toBase58());
    assert.equal((await fetchRegistry(node.connection))!.admin.toBase58(), next.publicKey.toBase58());
  });

  /** The upgradeable loader's SetAuthority (instruction 4), as `solana program set-upgrade-authority [--final]` sends it. */
  async function setUpgradeAuthority(program: PublicKey, next: PublicKey | null): Promise<void> {
    const data = Buffer.alloc(4);
    data.writeUInt32LE(4, 0);
    const keys = [
      { pubkey: programDataPda(program)[0], isSigner: false, isWritable: true },
      { pubkey: node.authority.publicKey, isSigner: true, isWritable: false },
      ...(next ? [{ pubkey: next, isSigner: false, isWritable: false }] : []),
    ];
    const { blockhash } = await node.connection.getLatestBlockhash();
    const transaction = new Transaction({ feePayer: node.authority.publicKey, recentBlockhash: blockhash }).add(new TransactionInstruction({ programId: BPF_LOADER_UPGRADEABLE_PROGRAM_ID, keys, data }));
    transaction.sign(node.authority);
    const signature = await node.connection.sendRawTransaction(transaction.serialize());
    await new PollingConnection(node.rpcUrl, "confirmed").confirmTransaction(signature);
  }

  it("solana:health tells a vault (a PDA) holding an upgrade authority from a plain key, and flags an immutable program", async () => {
    // A Squads vault is a PDA, off the ed25519 curve; any program's PDA stands in for one here.
    const [vault] = PublicKey.findProgramAddressSync([Buffer.from("multisig-vault")], new PublicKey("SQDS4ep65T869zMMBKyuUq6aD6EgTu8psMjkvj52pCf"));
    await setUpgradeAuthority(SCRAMBLE_REGISTRY_PROGRAM_ID, vault);
    await setUpgradeAuthority(SHIELD_POOL_PROGRAM_ID, null);
    const report = JSON.parse(succeeded(await op.run("solana:health", ["--json"])));
    const byName = Object.fromEntries(report.programs.map((p: { program: string }) => [p.program, p]));
    assert.deepEqual([byName.scramble_registry.upgradeAuthority, byName.scramble_registry.plainKey], [vault.toBase58(), false]);
    assert.deepEqual([byName.shield_pool.upgradeAuthority, byName.shield_pool.deployed], [null, true]);
    const messages = report.findings.map((f: { message: string }) => f.message);
    assert.ok(!messages.some((m: string) => m.includes("upgrade authority") && m.includes("plain key")), messages.join("\n"));
    assert.ok(messages.includes("shield_pool is immutable (no upgrade authority): a bug can only be paused, never fixed"));
  });
});
