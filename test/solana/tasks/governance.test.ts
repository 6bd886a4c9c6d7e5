// Every Solana governance command run as an operator runs it (`npx hardhat solana:<command> -u <url> -k
// <keypair file>`) against a local node: what each changes on chain, and each refusal by the program's
// exact error, code and program id. The commands share one node and one deployment and run in order.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Keypair, PublicKey, VersionedMessage } from "@solana/web3.js";
import {
  MIN_VERIFYING_KEY_DELAY_SECONDS,
  NATIVE_MINT,
  SCRAMBLE_REGISTRY_PROGRAM_ID,
  SHIELD_POOL_PROGRAM_ID,
  fetchConfig,
  fetchPool,
  fetchRegistry,
  poolPda,
  registeredRelayers,
} from "@cloak/sdk/solana";
import { startLocalnet, type Localnet } from "../../../localnet/launcher.ts";
import { operator, refusedWith, succeeded, type Operator } from "./cli.ts";

const SHIELD_POOL = SHIELD_POOL_PROGRAM_ID.toBase58();
const REGISTRY = SCRAMBLE_REGISTRY_PROGRAM_ID.toBase58();

describe("Solana governance commands", () => {
  let node: Localnet;
  let op: Operator;
  let admin: string;
  let stranger: string;
  let pauser: Keypair;
  let council: Keypair;
  let councilFile: string;

  const config = async () => (await fetchConfig(node.connection))!;
  const keys = (list: PublicKey[]) => list.map((key) => key.toBase58());

  before(async () => {
    node = await startLocalnet();
    op = operator(node);
    admin = op.keypairFile("admin", node.authority);
    stranger = op.keypairFile("stranger", await op.funded(10));
    pauser = await op.funded(10);
    council = await op.funded(10);
    councilFile = op.keypairFile("council", council);
    succeeded(
      await op.run("solana:deploy", ["-k", admin, "--pause-authority", pauser.publicKey.toBase58(), "--security-council", council.publicKey.toBase58(), "--pow-required", "false"]),
    );
  });

  after(async () => {
    await node?.stop();
  });

  it("solana:pause stops transacts when the pause authority signs", async () => {
    succeeded(await op.run("solana:pause", ["-k", op.keypairFile("pauser", pauser)]));
    assert.equal((await config()).paused, 1);
  });

  it("solana:unpause resumes transacts when the admin signs and restarts the exit window", async () => {
    const before = await config();
    succeeded(await op.run("solana:unpause", ["-k", admin]));
    const after = await config();
    assert.equal(after.paused, 0);
    assert.ok(after.unpausedSince >= before.unpausedSince);
  });

  it("solana:pause by a key that is neither pause authority nor admin is refused with NotPauseAuthority", async () => {
    refusedWith(await op.run("solana:pause", ["-k", stranger]), "NotPauseAuthority", 6002, "shield_pool", SHIELD_POOL);
    assert.equal((await config()).paused, 0);
  });

  it("solana:unpause by the pause authority is refused with NotAdmin", async () => {
    succeeded(await op.run("solana:pause", ["-k", admin]));
    refusedWith(await op.run("solana:unpause", ["-k", op.keypairFile("pauser", pauser)]), "NotAdmin", 6001, "shield_pool", SHIELD_POOL);
    assert.equal((await config()).paused, 1);
    succeeded(await op.run("solana:unpause", ["-k", admin]));
  });

  const relayerA = Keypair.generate().publicKey;
  const relayerB = Keypair.generate().publicKey;

  it("solana:relayer:add registers a relayer", async () => {
    succeeded(await op.run("solana:relayer:add", ["-k", admin, "--relayer", relayerA.toBase58()]));
    assert.deepEqual(keys(registeredRelayers(await config())), [relayerA.toBase58()]);
  });

  it("solana:relayer:list prints each registered relayer with its SOL balance", async () => {
    const stdout = succeeded(await op.run("solana:relayer:list"));
    assert.match(stdout, new RegExp(`^${relayerA.toBase58()}  0 SOL$`, "m"));
  });

  it("solana:relayer:rotate removes one relayer and adds another in a single transaction", async () => {
    const stdout = succeeded(await op.run("solana:relayer:rotate", ["-k", admin, "--relayer", relayerA.toBase58(), "--replacement", relayerB.toBase58()]));
    assert.deepEqual(keys(registeredRelayers(await config())), [relayerB.toBase58()]);
    const signature = /sent: (\w+)/.exec(stdout)![1]!;
    const landed = await node.connection.getTransaction(signature, { maxSupportedTransactionVersion: 0, commitment: "confirmed" });
    assert.equal(landed!.transaction.message.compiledInstructions.length, 2);
  });

  it("solana:relayer:remove deregisters a relayer, and a second removal is refused with RelayerNotRegistered", async () => {
    succeeded(await op.run("solana:relayer:remove", ["-k", admin, "--relayer", relayerB.toBase58()]));
    assert.deepEqual(registeredRelayers(await config()), []);
    refusedWith(await op.run("solana:relayer:remove", ["-k", admin, "--relayer", relayerB.toBase58()]), "RelayerNotRegistered", 6006, "shield_pool", SHIELD_POOL);
  });

  it("solana:verifier:propose stages the key and prints when it can apply", async () => {
    const stdout = succeeded(await op.run("solana:verifier:propose", ["-k", admin]));
    const staged = await config();
    assert.equal(staged.pendingVerifyingKeySet, 1);
    const readyAt = staged.pendingVerifyingKeyProposedAt + staged.verifyingKeyDelaySeconds;
    assert.match(stdout, new RegExp(`applicable with solana:verifier:apply from \\S+ \\(unix ${readyAt}\\)`));
  });

  it("solana:verifier:apply is refused with VerifyingKeyNotReady before the delay, and installs the key after it", async () => {
    refusedWith(await op.run("solana:verifier:apply", ["-k", admin]), "VerifyingKeyNotReady", 6009, "shield_pool", SHIELD_POOL);
    await node.increaseTime(Number(MIN_VERIFYING_KEY_DELAY_SECONDS));
    succeeded(await op.run("solana:verifier:apply", ["-k", admin]));
    assert.equal((await config()).pendingVerifyingKeySet, 0);
  });

  it("solana:verifier:cancel drops a staged key", async () => {
    succeeded(await op.run("solana:verifier:propose", ["-k", admin]));
    succeeded(await op.run("solana:verifier:cancel", ["-k", admin]));
    assert.equal((await config()).pendingVerifyingKeySet, 0);
  });

  it("solana:verifier:delay sets the rotation delay and is refused with DelayTooShort below 48 hours", async () => {
    succeeded(await op.run("solana:verifier:delay", ["-k", admin, "--seconds", String(72 * 3600)]));
    assert.equal((await config()).verifyingKeyDelaySeconds, 72n * 3600n);
    refusedWith(await op.run("solana:verifier:delay", ["-k", admin, "--seconds", String(47 * 3600)]), "DelayTooShort", 6004, "shield_pool", SHIELD_POOL);
  });

  it("solana:emergency:verifier is refused with NotInEmergency while unpaused, and installs the key at once while paused", async () => {
    refusedWith(await op.run("solana:emergency:verifier", ["-k", councilFile]), "NotInEmergency", 6031, "shield_pool", SHIELD_POOL);
    succeeded(await op.run("solana:verifier:propose", ["-k", admin]));
    succeeded(await op.run("solana:pause", ["-k", admin]));
    succeeded(await op.run("solana:emergency:verifier", ["-k", councilFile]));
    // The council's key replaces a pending rotation.
    assert.equal((await config()).pendingVerifyingKeySet, 0);
    succeeded(await op.run("solana:unpause", ["-k", admin]));
  });

  it("solana:pow:set turns the PoW requirement on and off", async () => {
    succeeded(await op.run("solana:pow:set", ["-k", admin, "--required", "true"]));
    assert.equal((await config()).powRequired, 1);
    succeeded(await op.run("solana:pow:set", ["-k", admin, "--required", "false"]));
    assert.equal((await config()).powRequired, 0);
  });

  it("solana:params:set changes the limits given and keeps the others", async () => {
    const [solPool] = poolPda(NATIVE_MINT);
    const before = (await fetchPool(node.connection, solPool))!;
    succeeded(await op.run("solana:params:set", ["-k", admin, "--pool", "sol", "--max-deposit", "5000000000"]));
    const after = (await fetchPool(node.connection, solPool))!;
    assert.equal(after.maxDeposit, 5_000_000_000n);
    assert.equal(after.maxFee, before.maxFee);
  });

  it("solana:registry:update retunes the registry, and is refused with UnauthorizedAdmin for another key", async () => {
    succeeded(await op.run("solana:registry:update", ["-k", admin, "--miner-fee-share-bps", "1500", "--claim-window-slots", "900"]));
    const registry = (await fetchRegistry(node.connection))!;
    assert.equal(registry.minerFeeShareBps, 1500);
    assert.equal(registry.claimWindowSlots, 900n);
    refusedWith(await op.run("solana:registry:update", ["-k", stranger, "--max-consumptions", "9"]), "UnauthorizedAdmin", 7008, "scramble_registry", REGISTRY);
  });

  it("--out writes the unsigned message for a multisig vault after simulating it, and changes nothing", async () => {
    const vault = node.authority.publicKey.toBase58();
    const out = join(op.dir, "pause-proposal.json");
    const stdout = succeeded(await op.run("solana:pause", ["-k", stranger, "--authority", vault, "--out", out]));
    assert.match(stdout, /unsigned message written to/);
    const file = JSON.parse(readFileSync(out, "utf8"));
    assert.equal(file.authority, vault);
    assert.equal(file.simulation.ok, true);
    assert.deepEqual(
      file.instructions.map((ix: { program: string; instruction: string; accounts: { name: string; pubkey: string; signer: boolean }[] }) => [ix.program, ix.instruction, ix.accounts.filter((a) => a.signer).map((a) => [a.name, a.pubkey])]),
      [["shield_pool", "pause", [["authority", vault]]]],
    );
    const message = VersionedMessage.deserialize(Buffer.from(file.message, "base64"));
    assert.equal(message.staticAccountKeys[0]!.toBase58(), vault);
    assert.equal(message.header.numRequiredSignatures, 1);
    assert.equal((await config()).paused, 0);
  });

  it("--out refuses to write a message the program would refuse, naming the error", async () => {
    const out = join(op.dir, "refused.json");
    refusedWith(await op.run("solana:unpause", ["-k", stranger, "--out", out]), "NotAdmin", 6001, "shield_pool", SHIELD_POOL);
    assert.throws(() => readFileSync(out), /ENOENT/);
  });

  it("--out leaves the compute budget out of a vault transaction's message and notes the units its execution needs", async () => {
    const out = join(op.dir, "propose.json");
    succeeded(await op.run("solana:verifier:propose", ["-k", admin, "--out", out]));
    const file = JSON.parse(readFileSync(out, "utf8"));
    assert.equal(file.computeUnits, 400_000);
    assert.deepEqual(file.instructions.map((ix: { program: string; instruction: string }) => [ix.program, ix.instruction]), [["shield_pool", "propose_verifying_key"]]);
    assert.equal((await config()).pendingVerifyingKeySet, 0);
  });

  // The handovers come last: they move the roles the earlier commands sign with.

  it("solana:pause-authority:transfer proposes a key that takes over with solana:pause-authority:accept", async () => {
    const next = await op.funded(1);
    succeeded(await op.run("solana:pause-authority:transfer", ["-k", admin, "--new-pause-authority", next.publicKey.toBase58()]));
    assert.equal((await config()).pendingPauseAuthority.toBase58(), next.publicKey.toBase58());
    refusedWith(await op.run("solana:pause-authority:accept", ["-k", stranger]), "NotPendingPauseAuthority", 6030, "shield_pool", SHIELD_POOL);
    succeeded(await op.run("solana:pause-authority:accept", ["-k", op.keypairFile("next-pauser", next)]));
    assert.equal((await config()).pauseAuthority.toBase58(), next.publicKey.toBase58());
    pauser = next;
  });

  it("solana:pause-authority:revoke removes the pause authority at once", async () => {
    succeeded(await op.run("solana:pause-authority:revoke", ["-k", admin]));
    assert.equal((await config()).pauseAuthority.toBase58(), PublicKey.default.toBase58());
    refusedWith(await op.run("solana:pause", ["-k", op.keypairFile("pauser", pauser)]), "NotPauseAuthority", 6002, "shield_pool", SHIELD_POOL);
  });

  it("solana:council:transfer is the council's own, and the proposed council takes over with solana:council:accept", async () => {
    const next = await op.funded(1);
    refusedWith(await op.run("solana:council:transfer", ["-k", admin, "--new-council", next.publicKey.toBase58()]), "NotSecurityCouncil", 6028, "shield_pool", SHIELD_POOL);
    succeeded(await op.run("solana:council:transfer", ["-k", councilFile, "--new-council", next.publicKey.toBase58()]));
    succeeded(await op.run("solana:council:accept", ["-k", op.keypairFile("next-council", next)]));
    assert.equal((await config()).securityCouncil.toBase58(), next.publicKey.toBase58());
  });

  it("solana:registry:admin:transfer proposes a registry admin that takes over with solana:registry:admin:accept", async () => {
    const next = await op.funded(1);
    succeeded(await op.run("solana:registry:admin:transfer", ["-k", admin, "--new-admin", next.publicKey.toBase58()]));
    refusedWith(await op.run("solana:registry:admin:accept", ["-k", stranger]), "NotPendingAdmin", 7026, "scramble_registry", REGISTRY);
    succeeded(await op.run("solana:registry:admin:accept", ["-k", op.keypairFile("next-registry-admin", next)]));
    assert.equal((await fetchRegistry(node.connection))!.admin.toBase58(), next.publicKey.toBase58());
  });

  it("solana:admin:transfer proposes an admin that takes over with solana:admin:accept, after which the old admin is refused", async () => {
    const next = await op.funded(1);
    succeeded(await op.run("solana:admin:transfer", ["-k", admin, "--new-admin", next.publicKey.toBase58()]));
    refusedWith(await op.run("solana:admin:accept", ["-k", stranger]), "NotPendingAdmin", 6003, "shield_pool", SHIELD_POOL);
    succeeded(await op.run("solana:admin:accept", ["-k", op.keypairFile("next-admin", next)]));
    assert.equal((await config()).admin.toBase58(), next.publicKey.toBase58());
    refusedWith(await op.run("solana:unpause", ["-k", admin]), "NotAdmin", 6001, "shield_pool", SHIELD_POOL);
  });
});
