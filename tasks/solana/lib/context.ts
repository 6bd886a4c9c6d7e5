// What every Solana command starts from: the cluster, its deployment record and, for the governance
// commands, who signs (the keypair) or, with --out, whom the unsigned message is for (a multisig vault).
import { existsSync } from "node:fs";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { Keypair, PublicKey } from "@solana/web3.js";
import { TaskError, TaskErrorCode } from "../../lib/errors.ts";
import { connectCluster, DEFAULT_KEYPAIR_PATH, expandHome, readKeypair, type Cluster, type ClusterArguments } from "./cluster.ts";
import { publicKeyArgument, readSolanaDeployment, solanaDeploymentPath, type SolanaDeployment } from "./deployment.ts";
import { describeSolanaOutcome, sendInstructions, writeUnsigned, type SolanaAction, type SolanaOutcome } from "./send.ts";

export interface SolanaReadContext {
  cluster: Cluster;
  record: SolanaDeployment;
  path: string;
  shieldPool: PublicKey;
  registryProgram: PublicKey;
}

/** Options of every governance command besides the cluster's. */
export interface SolanaAdminArguments extends ClusterArguments {
  /** Write the unsigned message here instead of sending. */
  out: string;
  /** With --out: the key the action is for (a Squads vault); the keypair's by default. */
  authority: string;
}

export interface SolanaAdminContext extends SolanaReadContext {
  /** The key the instructions name as their signer. */
  authority: PublicKey;
  /** Signs and pays; with --out only the simulation's fee payer, and absent when no keypair file is at hand. */
  signer: Keypair | null;
}

export async function solanaReadContext(hre: HardhatRuntimeEnvironment, args: ClusterArguments): Promise<SolanaReadContext> {
  const cluster = await connectCluster(args);
  const path = solanaDeploymentPath(hre.config.paths.root, cluster.name);
  const record = readSolanaDeployment(path, cluster.name, cluster.genesisHash);
  return {
    cluster,
    record,
    path,
    shieldPool: publicKeyArgument(record.programs.shieldPool, "deployment programs.shieldPool"),
    registryProgram: publicKeyArgument(record.programs.scrambleRegistry, "deployment programs.scrambleRegistry"),
  };
}

export async function solanaAdminContext(hre: HardhatRuntimeEnvironment, args: SolanaAdminArguments): Promise<SolanaAdminContext> {
  const read = await solanaReadContext(hre, args);
  const keypairFile = expandHome(args.keypair.trim() || DEFAULT_KEYPAIR_PATH);
  // An unsigned message needs no key; the keypair, when at hand, only pays the simulation's fee.
  const signer = args.out && !args.keypair.trim() && !existsSync(keypairFile) ? null : readKeypair(keypairFile);
  const authority = args.authority.trim() ? publicKeyArgument(args.authority, "authority") : signer?.publicKey;
  if (!authority) throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--out without a keypair: name the key the action is for with --authority <multisig vault>`);
  if (!args.out && signer && !authority.equals(signer.publicKey)) {
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--authority ${authority.toBase58()} is not the keypair's key ${signer.publicKey.toBase58()}: only --out prepares a transaction for another signer`);
  }
  return { ...read, authority, signer };
}

/** Builds the action for the context, then sends it or writes it unsigned (--out); prints one line like the EVM tasks. */
export async function runSolanaAdmin(
  hre: HardhatRuntimeEnvironment,
  args: SolanaAdminArguments,
  build: (ctx: SolanaAdminContext) => Promise<SolanaAction>,
  /** Runs once the action has landed (not for --out), e.g. to report what it set in motion. */
  afterSent?: (ctx: SolanaAdminContext) => Promise<void>,
): Promise<SolanaOutcome> {
  const ctx = await solanaAdminContext(hre, args);
  const action = await build(ctx);
  let outcome: SolanaOutcome;
  if (args.out) {
    const { path, file } = await writeUnsigned(ctx.cluster.connection, args.out, ctx.authority, ctx.signer?.publicKey ?? null, action, ctx.record);
    outcome = { kind: "unsigned", path, message: file.message };
  } else {
    outcome = { kind: "sent", ...(await sendInstructions(ctx.cluster.connection, ctx.signer!, action, ctx.record)) };
  }
  console.log(`${action.description}: ${describeSolanaOutcome(outcome)}`);
  if (outcome.kind === "sent" && afterSent) await afterSent(ctx);
  return outcome;
}
