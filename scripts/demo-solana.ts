// `npm run start:solana`: the main job on Solana, over JSON-RPC to the local node (started here with a
// fresh ledger and stopped at the end) or to `--url <rpc> --keypair <upgrade authority keypair.json>`.
// Deploys (registry, config requiring proof of work, SOL pool); Alice deposits, pays Bob privately, a
// miner mines and reveals a claim against the live SlotHashes, Bob withdraws through the relayer, which
// consumes the claim and pays the miner its share; the admin pauses and unpauses; a verifying-key
// rotation is proposed and applied once its delay has passed (the node's clock is moved forward with
// cloak_increaseTime). Every proof is a real depth-20 Groth16 proof; wallets find their notes only by
// trial decryption of Transacted events read back with getTransaction.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Connection, Keypair as SolanaKeypair, LAMPORTS_PER_SOL, SystemProgram, type PublicKey } from "@solana/web3.js";
import { getPoseidon, Keypair, loadBundledProver, releaseProvingResources } from "@cloak/sdk";
import {
  NATIVE_MINT,
  SolanaShieldPoolClient,
  TRANSACT_COMPUTE_UNITS,
  addRelayerInstruction,
  applyVerifyingKeyInstruction,
  fetchConfig,
  mineAndRevealClaim,
  pauseInstruction,
  proposeVerifyingKeyInstruction,
  registerMinerInstruction,
  sendSolanaInstructions,
  unpauseInstruction,
  lamportsMoved,
} from "@cloak/sdk/solana";
import { deploySolana } from "../tasks/solana/lib/deploy.ts";
import { startLocalnet, type Localnet } from "../localnet/launcher.ts";

const { values: options } = parseArgs({ options: { url: { type: "string" }, keypair: { type: "string" } } });
const SOL = BigInt(LAMPORTS_PER_SOL);
const sol = (lamports: bigint) => `${(Number(lamports) / LAMPORTS_PER_SOL).toFixed(4)} SOL`;

let node: Localnet | undefined;
let connection: Connection;
let authority: SolanaKeypair;
let rpcUrl: string;
if (options.url) {
  if (!options.keypair) throw new Error("--url needs --keypair <path>: the programs' upgrade authority, which deploys and governs");
  rpcUrl = options.url;
  connection = new Connection(rpcUrl, "confirmed");
  authority = SolanaKeypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(options.keypair, "utf8")) as number[]));
} else {
  console.log("Starting the local Solana node…");
  node = await startLocalnet();
  ({ connection, authority, rpcUrl } = node);
}
const workDir = mkdtempSync(join(tmpdir(), "cloak-demo-solana-"));
const rows: string[] = [];

async function feeOf(signature: string): Promise<bigint> {
  const response = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0, commitment: "confirmed" });
  return BigInt(response?.meta?.fee ?? 0);
}

async function row(step: string, signature: string, extra = ""): Promise<void> {
  rows.push(`${step.padEnd(40)} ${signature.slice(0, 16)}…  fee ${String(await feeOf(signature)).padStart(6)} lamports  ${extra}`);
}

/** An admin instruction signed by the authority. */
async function govern(step: string, instruction: Parameters<typeof sendSolanaInstructions>[1]["instructions"][number], computeUnitLimit?: number): Promise<void> {
  const signature = await sendSolanaInstructions(connection, { payer: authority, instructions: [instruction], ...(computeUnitLimit ? { computeUnitLimit } : {}) });
  await row(step, signature);
}

/** Moves the cluster's clock forward: only the local node can (cloak_increaseTime). */
async function increaseTime(seconds: number): Promise<void> {
  const response = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "cloak_increaseTime", params: [seconds] }),
  });
  const body = (await response.json()) as { error?: { message: string } };
  if (body.error) throw new Error(`cloak_increaseTime: ${body.error.message} (only the local node moves its clock; rerun without --url)`);
}

async function funded(lamports: bigint): Promise<SolanaKeypair> {
  const keypair = SolanaKeypair.generate();
  await sendSolanaInstructions(connection, { payer: authority, instructions: [SystemProgram.transfer({ fromPubkey: authority.publicKey, toPubkey: keypair.publicKey, lamports })] });
  return keypair;
}

try {
  // ---------------------------------------------------------------- deploy
  console.log("Deploying the scramble registry, the shield pool config (proof of work required) and the SOL pool…");
  const deployment = await deploySolana({ connection, authority, cluster: "localnet", deploymentFile: join(workDir, "solana-demo.json"), tokenMint: null, powRequired: true });
  const relayer = await funded(2n * SOL);
  await govern("admin registers the relayer", await addRelayerInstruction({ admin: authority.publicKey, relayer: relayer.publicKey }));

  // ---------------------------------------------------------------- users
  const poseidon = await getPoseidon();
  const prover = await loadBundledProver();
  const alice = Keypair.generate(poseidon);
  const bob = Keypair.generate(poseidon);
  const user = await funded(3n * SOL);
  const asUser = new SolanaShieldPoolClient(connection, user, NATIVE_MINT, prover, poseidon);
  const asRelayer = new SolanaShieldPoolClient(connection, relayer, NATIVE_MINT, prover, poseidon);
  const proof = (sent: { provingMs: number; confirmMs: number }) => `proof ${sent.provingMs.toFixed(0)} ms, sent and confirmed in ${sent.confirmMs.toFixed(0)} ms`;

  const deposit = await asUser.deposit(SOL, alice);
  await row("alice deposits 1 SOL", deposit.signature, proof(deposit));
  const transfer = await asUser.transfer(alice, (4n * SOL) / 10n, bob);
  await row("alice pays bob 0.4 SOL privately", transfer.signature, proof(transfer));

  const miner = await funded(SOL / 2n);
  const registered = await sendSolanaInstructions(connection, { payer: miner, instructions: [await registerMinerInstruction({ authority: miner.publicKey })] });
  await row("miner registers", registered);
  const mined = await mineAndRevealClaim(connection, miner);
  await row("miner mines and reveals a claim", mined.signature, `difficulty ${mined.difficulty}, ${mined.attempts} nonces`);

  const recipient: PublicKey = SolanaKeypair.generate().publicKey;
  const fee = SOL / 100n;
  const withdrawal = await asRelayer.withdraw(bob, (4n * SOL) / 10n - fee, recipient, { fee, pow: { claim: mined.claim, minerAuthority: miner.publicKey } });
  await row("bob withdraws via relayer (PoW claim)", withdrawal.signature, proof(withdrawal));
  const landed = (await connection.getTransaction(withdrawal.signature, { maxSupportedTransactionVersion: 0, commitment: "confirmed" }))!;
  const [received, minerEarned, relayerNet] = [recipient, miner.publicKey, relayer.publicKey].map((account) => lamportsMoved(landed, account)) as [bigint, bigint, bigint];

  // ---------------------------------------------------------------- emergency and recovery
  await govern("admin pauses the pool", await pauseInstruction({ authority: authority.publicKey }));
  await govern("admin unpauses the pool", await unpauseInstruction({ admin: authority.publicKey }));

  // ---------------------------------------------------------------- verifying-key rotation
  const config = (await fetchConfig(connection))!;
  await govern("admin proposes a verifying key", await proposeVerifyingKeyInstruction({ admin: authority.publicKey, verifyingKey: config.verifyingKey }), TRANSACT_COMPUTE_UNITS);
  const delay = Number(config.verifyingKeyDelaySeconds);
  await increaseTime(delay + 1);
  await govern(`key applied after ${delay / 3600} h unpaused`, await applyVerifyingKeyInstruction({ admin: authority.publicKey }));
  const rotated = (await fetchConfig(connection))!;

  // ---------------------------------------------------------------- report
  console.log(`\nCloak demo on Solana at ${rpcUrl}`);
  console.log(`  shield pool program   ${deployment.programs.shieldPool}`);
  console.log(`  scramble registry     ${deployment.programs.scrambleRegistry}`);
  console.log(`  SOL pool              ${deployment.pools.sol!.pool}`);
  console.log(`  lookup table          ${asRelayer.lookupTable?.toBase58()}`);
  console.log("");
  for (const line of rows) console.log(`  ${line}`);
  console.log(`\n  shielded balances (trial decryption): alice ${sol(await asUser.balanceOf(alice))}, bob ${sol(await asUser.balanceOf(bob))}`);
  console.log(`  recipient received ${sol(received)}; miner earned ${sol(minerEarned)} of the ${sol(fee)} fee; relayer net ${sol(relayerNet)} (its share, less the transaction fee and two nullifier records' rent)`);
  console.log(`  verifying key pending: ${rotated.pendingVerifyingKeySet === 1}; pool paused: ${rotated.paused === 1}`);
} finally {
  await releaseProvingResources();
  rmSync(workDir, { recursive: true, force: true });
  if (node) {
    await node.stop();
    console.log("\nLocal node stopped.");
  }
}
