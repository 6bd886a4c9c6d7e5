// `npm start`: the main job on embedded defaults, on Hardhat's in-process chain, through the same tasks
// operators run. A 2-of-3 Safe governs a fresh deployment; Alice deposits, pays Bob privately, Bob
// withdraws through a registered relayer; the guardian pauses, the Safe unpauses through the 6-hour
// emergency timelock; an Orchestrator upgrade is proposed, waited out (48 h of timelock delay and of
// unpaused exit window) and executed. Every proof is a real depth-20 Groth16 proof; wallets find their
// notes only by trial decryption of pool events.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import hre, { network } from "hardhat";
import {
  getPoseidon,
  Keypair,
  loadBundledProver,
  PoolSync,
  proveTransaction,
  releaseProvingResources,
  toTransactArgs,
  type TransactionRequest,
} from "@cloak/sdk";
import type { AdminOutcome } from "../tasks/lib/admin.ts";
import { DEPLOY_DEFAULTS } from "../tasks/actions/deploy.ts";
import { PRODUCTION_EMERGENCY_DELAY, PRODUCTION_STANDARD_DELAY } from "../tasks/lib/constants.ts";
import { deploymentPath, readDeployment } from "../tasks/lib/deployment-file.ts";

// A local chain's deployment record is throwaway: keep it out of deployments/.
const workDir = mkdtempSync(join(tmpdir(), "cloak-demo-"));
process.env.CLOAK_DEPLOYMENTS_DIR = workDir;
let proposals = 0;
const { ethers, networkHelpers, networkName } = await network.getOrCreate();
const [operator, owner2, owner3, relayer, recipient, user] = await ethers.getSigners();
const rows: string[] = [];

async function gasOf(hash: string): Promise<bigint> {
  return (await ethers.provider.getTransactionReceipt(hash))!.gasUsed;
}

function row(step: string, hash: string, gas: bigint, extra = ""): void {
  rows.push(`${step.padEnd(34)} ${hash.slice(0, 12)}…  ${gas.toLocaleString("en-US").padStart(9)} gas  ${extra}`);
}

const task = (name: string, args: Record<string, unknown> = {}) => hre.tasks.getTask(name).run(args);
const admin = { from: "", viaSafe: false, execute: false, out: "", proposal: "", propose: false };

/** An admin action through the Safe: proposed (and signed) by one owner, co-signed by another, executed. */
async function throughSafe(step: string, name: string, args: Record<string, unknown>): Promise<void> {
  const proposal = join(workDir, `proposal-${++proposals}.json`);
  const outcome = (await task(name, { ...admin, ...args, viaSafe: true, proposal, from: operator!.address })) as AdminOutcome;
  if (outcome.kind !== "safe") throw new Error(`${name} did not produce a Safe proposal`);
  await task("safe:sign", { file: outcome.path, from: owner2!.address });
  const execution = (await task("safe:execute", { file: outcome.path, from: operator!.address })) as { transactionHash: string };
  row(step, execution.transactionHash, await gasOf(execution.transactionHash), "(2-of-3 Safe)");
}

// ---------------------------------------------------------------- deploy
console.log("Deploying the stack with a 2-of-3 Safe…");
// On a local chain, deploy also creates the default 3-of-4 security council Safe.
await task("deploy", { ...DEPLOY_DEFAULTS, owners: [operator, owner2, owner3].map((s) => s!.address).join(","), threshold: 2 });
const record = readDeployment(deploymentPath(hre.config.paths.root, networkName), networkName);
const pool = await ethers.getContractAt("ShieldPool", record.contracts["ShieldPool.native"]!.address);
await throughSafe("register relayer", "relayer:add", { relayer: relayer!.address });

// ---------------------------------------------------------------- users
const poseidon = await getPoseidon();
const prover = await loadBundledProver();
// Logs are read from the pool's deployment block, which deploy records.
const view = new PoolSync(ethers.provider, await pool.getAddress(), poseidon, { fromBlock: record.contracts["ShieldPool.native"]!.details!.deployBlock as number });
const alice = Keypair.generate(poseidon);
const bob = Keypair.generate(poseidon);
const chainId = (await ethers.provider.getNetwork()).chainId;
const base = { chainId, pool: await pool.getAddress(), recipient: ethers.ZeroAddress, relayer: ethers.ZeroAddress, fee: 0n };


async function transact(step: string, request: Omit<TransactionRequest, "tree">, value = 0n, sender = user!): Promise<void> {
  await view.sync();
  const tx = await proveTransaction({ ...request, tree: view.tree }, prover, poseidon);
  const { proof, extData } = toTransactArgs(tx);
  const sent = await pool.connect(sender).transact(proof, extData, { value });
  await sent.wait();
  row(step, sent.hash, await gasOf(sent.hash), `proof ${(tx.timings.witnessMs + tx.timings.proveMs).toFixed(0)} ms`);
}

const ether = 10n ** 18n;
await transact("alice deposits 1 ETH", { inputs: [], outputs: [{ amount: ether, recipient: alice }], extData: { ...base, extAmount: ether } }, ether);
await view.sync();
const [aliceNote] = view.notesOf(alice);
await transact("alice pays bob 0.4 ETH privately", {
  inputs: [{ note: aliceNote!, owner: alice }],
  outputs: [{ amount: (4n * ether) / 10n, recipient: bob }, { amount: (6n * ether) / 10n, recipient: alice }],
  extData: { ...base, extAmount: 0n },
});
await view.sync();
const [bobNote] = view.notesOf(bob);
const fee = ether / 100n;
const balanceBefore = await ethers.provider.getBalance(recipient!.address);
await transact(
  "bob withdraws via relayer",
  {
    inputs: [{ note: bobNote!, owner: bob }],
    outputs: [],
    extData: { ...base, recipient: recipient!.address, relayer: relayer!.address, extAmount: -((4n * ether) / 10n - fee), fee },
  },
  0n,
  relayer!,
);
const received = (await ethers.provider.getBalance(recipient!.address)) - balanceBefore;

// ---------------------------------------------------------------- emergency and recovery
await throughSafe("guardian pauses all pools", "pause", {});
await throughSafe("Safe schedules unpause (6 h)", "unpause", {});
await networkHelpers.time.increase(PRODUCTION_EMERGENCY_DELAY);
const unpaused = (await task("unpause", { ...admin, execute: true, from: recipient!.address })) as AdminOutcome & { txHash: string };
row("unpause executed after 6 h", unpaused.txHash, await gasOf(unpaused.txHash));

// ---------------------------------------------------------------- upgrade
// The upgrade runs only once the pools have been open for the Orchestrator's whole EXIT_WINDOW (48 h)
// right before it; proposed after the unpause, its 48 h timelock delay covers that window.
await throughSafe("Safe proposes Orchestrator upgrade", "upgrade:propose", { proxy: "Orchestrator", impl: "OrchestratorV2" });
await networkHelpers.time.increase(PRODUCTION_STANDARD_DELAY);
const upgraded = (await task("upgrade:execute", { proxy: "Orchestrator", from: recipient!.address })) as { txHash: string; implementation: string };
row("upgrade executed after 48 h", upgraded.txHash, await gasOf(upgraded.txHash));
const version = await (await ethers.getContractAt("OrchestratorV2", record.contracts.Orchestrator!.address)).version();

// ---------------------------------------------------------------- report
console.log(`\nCloak demo on Hardhat's in-process chain ${chainId}`);
for (const name of ["Safe", "SecurityCouncil", "Orchestrator", "ShieldPool.native", "StandardTimelock", "EmergencyTimelock", "Transaction20Verifier", "PoseidonT3"]) {
  console.log(`  ${name.padEnd(22)} ${record.contracts[name]!.address}`);
}
console.log("");
for (const line of rows) console.log(`  ${line}`);
await view.sync();
console.log(`\n  shielded balances (trial decryption): alice ${ethers.formatEther(view.balanceOf(alice))} ETH, bob ${ethers.formatEther(view.balanceOf(bob))} ETH`);
console.log(`  recipient received ${ethers.formatEther(received)} ETH; relayer earned ${ethers.formatEther(fee)} ETH`);
console.log(`  Orchestrator now runs ${upgraded.implementation} (version ${version}); pools paused: ${await (await ethers.getContractAt("Orchestrator", record.contracts.Orchestrator!.address)).allPaused()}`);
await releaseProvingResources();
