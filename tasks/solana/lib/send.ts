// Sending a governance action, or (--out) writing it unsigned for a multisig (a Squads v4 vault
// transaction) to sign. Either way it is simulated first, so a refusal is reported by the program's own
// error name, code and program id before anything is signed or proposed.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import anchor, { type Idl } from "@coral-xyz/anchor";
import {
  ComputeBudgetProgram,
  TransactionMessage,
  VersionedTransaction,
  type Connection,
  type Keypair,
  type PublicKey,
  type SimulatedTransactionResponse,
  type TransactionError,
  type TransactionInstruction,
} from "@solana/web3.js";
import { SCRAMBLE_REGISTRY_IDL, SHIELD_POOL_IDL, customInstructionError } from "@cloak/sdk/solana";
import { TaskError, TaskErrorCode } from "../../lib/errors.ts";
import { toJson } from "../../lib/output.ts";
import type { SolanaDeployment } from "./deployment.ts";

export const UNSIGNED_FORMAT = "cloak-solana-unsigned/1";

/** What a governance command asks for: instructions all authorized by one key. */
export interface SolanaAction {
  description: string;
  instructions: TransactionInstruction[];
  /**
   * A compute-unit limit above the default 200,000. Sent, it is a compute budget instruction first in
   * the transaction; unsigned (--out), it is noted for whoever executes (a compute budget instruction
   * run inside a vault transaction by CPI would change nothing).
   */
  computeUnits?: number;
}

export type SolanaOutcome = { kind: "sent"; signature: string; slot: number } | { kind: "unsigned"; path: string; message: string };

/** One instruction of an --out file, decoded for the signers to read before they approve. */
export interface InstructionSummary {
  programId: string;
  /** `shield_pool` / `scramble_registry`, or null for another program. */
  program: string | null;
  instruction: string | null;
  args: Record<string, unknown>;
  accounts: Array<{ name: string | null; pubkey: string; signer: boolean; writable: boolean }>;
  /** The raw instruction data, base64. */
  data: string;
}

export interface UnsignedTransactionFile {
  format: typeof UNSIGNED_FORMAT;
  cluster: string;
  genesisHash: string;
  description: string;
  /** The key the instructions are authorized by (a Squads vault PDA) and the message's payer. */
  authority: string;
  /** A legacy message, base64 (`VersionedMessage.deserialize` reads it); its blockhash goes stale, Squads replaces it. */
  message: string;
  recentBlockhash: string;
  instructions: InstructionSummary[];
  /** The compute-unit limit the executing transaction needs, when above the default 200,000. */
  computeUnits: number | null;
  simulation: { ok: true; unitsConsumed: number | null; feePayer: string } | { ok: false; error: string; feePayer: string };
  createdAt: string;
}

/** Refusal by one of the programs: name, code and the program that raised it, from the simulation or the transaction. */
export function describeTransactionError(err: TransactionError, logs: readonly string[] | null, instructions: readonly TransactionInstruction[], record: SolanaDeployment | null): string {
  const custom = customInstructionError(err);
  // The deepest program that failed logs first (a callee before its callers pass the code on).
  const failedLine = (logs ?? []).find((line) => /^Program \w+ failed: /.test(line));
  const loggedProgram = failedLine?.split(" ")[1];
  if (custom?.error) {
    // Without logs the code's range names the program: a registry error may come from inside a shield pool instruction.
    const fromRange = custom.error.program === "shield_pool" ? record?.programs.shieldPool : record?.programs.scrambleRegistry;
    return `${custom.error.name} (${custom.code}) from ${custom.error.program} ${loggedProgram ?? fromRange ?? "?"}: ${custom.error.message}`;
  }
  if (custom) return `custom program error ${custom.code} from ${loggedProgram ?? instructions[custom.instructionIndex]?.programId.toBase58() ?? "?"}${lastLogs(logs)}`;
  if (err === "AccountNotFound") return "AccountNotFound: the fee payer has no lamports on this cluster";
  return `${toJson(err)}${lastLogs(logs)}`;
}

function lastLogs(logs: readonly string[] | null): string {
  return logs && logs.length ? `\n  ${logs.slice(-6).join("\n  ")}` : "";
}

function refused(description: string, detail: string): TaskError {
  return new TaskError(TaskErrorCode.TRANSACTION_REFUSED, `${description} refused: ${detail}`);
}

function legacyTransaction(payer: PublicKey, recentBlockhash: string, instructions: TransactionInstruction[]): VersionedTransaction {
  return new VersionedTransaction(new TransactionMessage({ payerKey: payer, recentBlockhash, instructions }).compileToLegacyMessage());
}

async function simulate(connection: Connection, transaction: VersionedTransaction, sigVerify: boolean): Promise<SimulatedTransactionResponse> {
  const { value } = await connection.simulateTransaction(transaction, { sigVerify, replaceRecentBlockhash: !sigVerify, commitment: "confirmed" });
  return value;
}

/**
 * Signs with `signer`, simulates (a refusal throws TRANSACTION_REFUSED naming the program error), sends
 * and waits until the cluster confirms it, polling getSignatureStatuses (no WebSocket needed).
 */
export async function sendInstructions(
  connection: Connection,
  signer: Keypair,
  action: SolanaAction,
  record: SolanaDeployment | null,
): Promise<{ signature: string; slot: number }> {
  const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash("confirmed");
  const budget = action.computeUnits ? [ComputeBudgetProgram.setComputeUnitLimit({ units: action.computeUnits })] : [];
  const transaction = legacyTransaction(signer.publicKey, blockhash, [...budget, ...action.instructions]);
  transaction.sign([signer]);
  const simulation = await simulate(connection, transaction, true);
  if (simulation.err) throw refused(action.description, describeTransactionError(simulation.err, simulation.logs, action.instructions, record));
  const signature = await connection.sendRawTransaction(transaction.serialize(), { skipPreflight: true });
  for (;;) {
    const { value } = await connection.getSignatureStatuses([signature]);
    const status = value[0];
    if (status?.err) {
      const landed = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0, commitment: "confirmed" });
      throw refused(action.description, describeTransactionError(status.err, landed?.meta?.logMessages ?? null, action.instructions, record));
    }
    if (status && (status.confirmationStatus === "confirmed" || status.confirmationStatus === "finalized")) return { signature, slot: status.slot };
    if ((await connection.getBlockHeight("confirmed")) > lastValidBlockHeight) {
      throw new TaskError(TaskErrorCode.STATE_UNAVAILABLE, `${action.description}: transaction ${signature} expired unconfirmed (its blockhash is too old); nothing changed, run it again`);
    }
    await new Promise((done) => setTimeout(done, 250));
  }
}

const coders: Array<{ name: string; idl: Idl; programId: (record: SolanaDeployment | null) => string }> = [
  { name: "shield_pool", idl: SHIELD_POOL_IDL as unknown as Idl, programId: (record) => record?.programs.shieldPool ?? SHIELD_POOL_IDL.address },
  { name: "scramble_registry", idl: SCRAMBLE_REGISTRY_IDL as unknown as Idl, programId: (record) => record?.programs.scrambleRegistry ?? SCRAMBLE_REGISTRY_IDL.address },
];

/** Anchor's decoded argument values as JSON: integers as decimal strings, keys in base58, byte arrays as 0x-hex. */
function jsonArgument(value: unknown): unknown {
  if (anchor.BN.isBN(value)) return (value as { toString(): string }).toString();
  if (value !== null && typeof value === "object" && typeof (value as { toBase58?: unknown }).toBase58 === "function") return (value as PublicKey).toBase58();
  if (Array.isArray(value)) {
    return value.length > 0 && value.every((item) => typeof item === "number") ? `0x${Buffer.from(value as number[]).toString("hex")}` : value.map(jsonArgument);
  }
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, jsonArgument(inner)]));
  return value;
}

/** Each instruction with its program, name, arguments and accounts, named as the IDL names them. */
export function summarizeInstructions(instructions: readonly TransactionInstruction[], record: SolanaDeployment | null): InstructionSummary[] {
  return instructions.map((instruction) => {
    const summary: InstructionSummary = {
      programId: instruction.programId.toBase58(),
      program: null,
      instruction: null,
      args: {},
      accounts: instruction.keys.map((key) => ({ name: null, pubkey: key.pubkey.toBase58(), signer: key.isSigner, writable: key.isWritable })),
      data: Buffer.from(instruction.data).toString("base64"),
    };
    const known = coders.find((c) => c.programId(record) === summary.programId);
    const decoded = known ? new anchor.BorshInstructionCoder(known.idl).decode(Buffer.from(instruction.data)) : null;
    if (!known || !decoded) return summary;
    summary.program = known.name;
    summary.instruction = decoded.name;
    summary.args = jsonArgument(decoded.data) as Record<string, unknown>;
    // Our programs' instructions list their accounts flat, in the order the builders pass them.
    const names = known.idl.instructions.find((ix) => ix.name === decoded.name)?.accounts.map((account) => account.name) ?? [];
    summary.accounts = summary.accounts.map((account, i) => ({ ...account, name: names[i] ?? null }));
    return summary;
  });
}

/**
 * Writes `action` unsigned to `out`, authorized by `authority` (which also pays, as in a Squads vault
 * transaction's message). It is simulated first as `authority` without signatures, its fee paid by
 * `feePayer` when given (a vault PDA may hold no lamports); a program refusal writes nothing.
 */
export async function writeUnsigned(
  connection: Connection,
  out: string,
  authority: PublicKey,
  feePayer: PublicKey | null,
  action: SolanaAction,
  record: SolanaDeployment,
): Promise<{ path: string; file: UnsignedTransactionFile }> {
  const { blockhash } = await connection.getLatestBlockhash("confirmed");
  const payer = feePayer ?? authority;
  const budget = action.computeUnits ? [ComputeBudgetProgram.setComputeUnitLimit({ units: action.computeUnits })] : [];
  const simulation = await simulate(connection, legacyTransaction(payer, blockhash, [...budget, ...action.instructions]), false);
  if (simulation.err && customInstructionError(simulation.err)) {
    throw refused(action.description, describeTransactionError(simulation.err, simulation.logs, action.instructions, record));
  }
  const message = legacyTransaction(authority, blockhash, action.instructions).message;
  const file: UnsignedTransactionFile = {
    format: UNSIGNED_FORMAT,
    cluster: record.cluster,
    genesisHash: record.genesisHash,
    description: action.description,
    authority: authority.toBase58(),
    message: Buffer.from(message.serialize()).toString("base64"),
    recentBlockhash: blockhash,
    instructions: summarizeInstructions(action.instructions, record),
    computeUnits: action.computeUnits ?? null,
    simulation: simulation.err
      ? { ok: false, error: describeTransactionError(simulation.err, simulation.logs, action.instructions, record), feePayer: payer.toBase58() }
      : { ok: true, unitsConsumed: simulation.unitsConsumed ?? null, feePayer: payer.toBase58() },
    createdAt: new Date().toISOString(),
  };
  const path = resolve(out);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${toJson(file, 2)}\n`);
  return { path, file };
}

export function describeSolanaOutcome(outcome: SolanaOutcome): string {
  return outcome.kind === "sent"
    ? `sent: ${outcome.signature} (slot ${outcome.slot})`
    : `unsigned message written to ${outcome.path}; create a Squads vault transaction from it (docs/admin-procedures.md)`;
}

