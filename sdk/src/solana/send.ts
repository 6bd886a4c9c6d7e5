import {
  ComputeBudgetProgram,
  PublicKey,
  SendTransactionError,
  type AddressLookupTableAccount,
  type Commitment,
  type Connection,
  type Signer,
  type TransactionInstruction,
  type VersionedTransaction,
} from "@solana/web3.js";
import { CloakError, ErrorCode } from "../errors.js";
import { SCRAMBLE_REGISTRY_PROGRAM_ID, SHIELD_POOL_PROGRAM_ID } from "./constants.js";
import { buildV0Transaction } from "./message.js";
import { customInstructionError, type SolanaProgramError } from "./program-errors.js";

/**
 * Sending over JSON-RPC with failures as typed errors. A node reports a failed transaction three ways:
 * a simulation's `err`, a preflight refusal inside `sendTransaction` (which web3.js turns into a
 * SendTransactionError carrying only a message), and a landed transaction's `meta.err`. Each becomes a
 * SolanaTransactionError whose fields name the program error (`UnknownRoot`, shield_pool, 6xxx) from the
 * structured `{ InstructionError: [index, { Custom: code }] }`, so callers branch on names, not logs.
 */

/** Where a transaction failed: our own simulation, the node's preflight, or after it landed. */
export type SolanaFailureStage = "simulate" | "send" | "confirm";

/** The deployments whose error codes are named; the default program ids when absent. */
export interface SolanaProgramIds {
  shieldPool?: PublicKey;
  scrambleRegistry?: PublicKey;
}

export class SolanaTransactionError extends CloakError {
  /** One of the programs' errors, named from its IDL; null for a runtime error or another program's code. */
  readonly programError: SolanaProgramError | null;
  /** The program that raised the error: the one whose code range it is in, else the first program the logs show failing. */
  readonly programId: PublicKey | null;
  /** The failing top-level instruction, when the node said. */
  readonly instructionIndex: number | null;
  /** The custom error code, when the failure is one. */
  readonly customCode: number | null;
  /** The node's TransactionError as it sent it (e.g. `{ InstructionError: [1, { Custom: 6012 }] }`), or its message. */
  readonly transactionError: unknown;
  readonly stage: SolanaFailureStage;
  /** Known once the transaction was sent. */
  readonly signature: string | null;
  /** The program logs, kept for diagnosis and never put in the message. */
  readonly logs: readonly string[];

  constructor(
    message: string,
    fields: {
      programError: SolanaProgramError | null;
      programId: PublicKey | null;
      instructionIndex: number | null;
      customCode: number | null;
      transactionError: unknown;
      stage: SolanaFailureStage;
      signature: string | null;
      logs: readonly string[];
    },
    options?: { cause?: unknown },
  ) {
    super(ErrorCode.TRANSACTION_FAILED, message, options);
    this.name = "SolanaTransactionError";
    this.programError = fields.programError;
    this.programId = fields.programId;
    this.instructionIndex = fields.instructionIndex;
    this.customCode = fields.customCode;
    this.transactionError = fields.transactionError;
    this.stage = fields.stage;
    this.signature = fields.signature;
    this.logs = fields.logs;
  }
}

export function isSolanaTransactionError(error: unknown, name?: string): error is SolanaTransactionError {
  return error instanceof SolanaTransactionError && (name === undefined || error.programError?.name === name);
}

/** The first program the logs show failing: the innermost, since a failed CPI fails its caller after it. */
function failingProgramInLogs(logs: readonly string[]): PublicKey | null {
  for (const line of logs) {
    const match = /^Program (\w+) failed/.exec(line);
    if (match) {
      try {
        return new PublicKey(match[1]!);
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** `{ InstructionError: [i, { Custom: n }] }` from web3.js's preflight message ("Error processing Instruction 1: custom program error: 0x177c"). */
function errFromMessage(message: string): unknown {
  const match = /Error processing Instruction (\d+): custom program error: 0x([0-9a-fA-F]+)/.exec(message);
  return match ? { InstructionError: [Number(match[1]), { Custom: Number.parseInt(match[2]!, 16) }] } : message;
}

/**
 * The SolanaTransactionError for a node's TransactionError `err` (or a preflight message): a custom code
 * of the shield pool or the registry is named with its program; any other failure keeps the node's
 * words. The message reads e.g. "shield_pool error 6012 UnknownRoot (instruction 1): root: not among
 * the tree's known roots".
 */
export function solanaTransactionError(
  err: unknown,
  context: { stage: SolanaFailureStage; signature?: string | null; logs?: readonly string[] | null; programIds?: SolanaProgramIds; cause?: unknown },
): SolanaTransactionError {
  const logs = context.logs ?? [];
  const custom = customInstructionError(err);
  const instructionIndex = custom?.instructionIndex ?? instructionIndexOf(err);
  const programError = custom?.error ?? null;
  const ids = { shield_pool: context.programIds?.shieldPool ?? SHIELD_POOL_PROGRAM_ID, scramble_registry: context.programIds?.scrambleRegistry ?? SCRAMBLE_REGISTRY_PROGRAM_ID };
  const programId = programError ? ids[programError.program] : failingProgramInLogs(logs);
  const where = instructionIndex === null ? "" : ` (instruction ${instructionIndex})`;
  let message: string;
  if (programError) message = `${programError.program} error ${programError.code} ${programError.name}${where}: ${programError.message}`;
  else if (custom) message = `custom program error ${custom.code}${programId ? ` of ${programId.toBase58()}` : ""}${where}`;
  else message = `transaction failed${where}: ${typeof err === "string" ? err : JSON.stringify(err)}`;
  return new SolanaTransactionError(
    `${message} [${context.stage}${context.signature ? ` ${context.signature}` : ""}]`,
    {
      programError,
      programId,
      instructionIndex,
      customCode: custom?.code ?? null,
      transactionError: err,
      stage: context.stage,
      signature: context.signature ?? null,
      logs,
    },
    context.cause === undefined ? undefined : { cause: context.cause },
  );
}

function instructionIndexOf(err: unknown): number | null {
  if (typeof err !== "object" || err === null || !("InstructionError" in err)) return null;
  const detail = (err as { InstructionError: unknown }).InstructionError;
  return Array.isArray(detail) && Number.isInteger(detail[0]) ? (detail[0] as number) : null;
}

export interface SendOptions {
  programIds?: SolanaProgramIds;
  /** "confirmed" unless given. */
  commitment?: Commitment;
  /**
   * Simulate first and refuse on a failed simulation (the default), which also names errors a
   * preflight would only describe in words. False sends without simulation or preflight, so a failure
   * is only seen in the landed transaction's meta.err.
   */
  simulate?: boolean;
}

/**
 * Simulates, sends and confirms a signed `transaction` whose blockhash stays valid until
 * `lastValidBlockHeight`; returns its signature. Any failure is a SolanaTransactionError.
 */
export async function sendSolanaTransaction(
  connection: Connection,
  transaction: VersionedTransaction,
  lastValidBlockHeight: number,
  options: SendOptions = {},
): Promise<string> {
  const commitment = options.commitment ?? "confirmed";
  const programIds = options.programIds;
  if (options.simulate ?? true) {
    const simulation = await connection.simulateTransaction(transaction, { commitment, sigVerify: false });
    if (simulation.value.err) throw solanaTransactionError(simulation.value.err, { stage: "simulate", logs: simulation.value.logs, programIds });
  }
  let signature: string;
  try {
    signature = await connection.sendRawTransaction(transaction.serialize(), { skipPreflight: true, maxRetries: 0 });
  } catch (error) {
    if (error instanceof SendTransactionError) {
      throw solanaTransactionError(errFromMessage(error.transactionError.message), { stage: "send", logs: error.logs, programIds, cause: error });
    }
    throw error;
  }
  const blockhash = transaction.message.recentBlockhash;
  let err: unknown;
  try {
    err = (await connection.confirmTransaction({ signature, blockhash, lastValidBlockHeight }, commitment)).value.err;
  } catch (error) {
    // When the status comes from polling rather than the subscription, web3.js rejects with the bare
    // TransactionError (not an Error) instead of returning it.
    if (error instanceof Error) throw error;
    err = error;
  }
  if (err) {
    const landed = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0, commitment: commitment === "finalized" ? "finalized" : "confirmed" });
    throw solanaTransactionError(landed?.meta?.err ?? err, { stage: "confirm", signature, logs: landed?.meta?.logMessages, programIds });
  }
  return signature;
}

export interface SendInstructionsInput {
  /** Pays the fee and signs. */
  payer: Signer;
  instructions: TransactionInstruction[];
  /** Further signers besides the payer. */
  signers?: Signer[];
  /** Tables to compress the message with (transacts need one: buildV0Transaction). */
  lookupTables?: AddressLookupTableAccount[];
  /** Prepends a compute budget instruction asking for this many units. */
  computeUnitLimit?: number;
}

/** `instructions` as one v0 transaction at the latest blockhash, signed and sent with sendSolanaTransaction. */
export async function sendSolanaInstructions(connection: Connection, input: SendInstructionsInput, options: SendOptions = {}): Promise<string> {
  const latest = await connection.getLatestBlockhash(options.commitment ?? "confirmed");
  const instructions = input.computeUnitLimit === undefined ? input.instructions : [ComputeBudgetProgram.setComputeUnitLimit({ units: input.computeUnitLimit }), ...input.instructions];
  const transaction = buildV0Transaction({
    payer: input.payer.publicKey,
    recentBlockhash: latest.blockhash,
    instructions,
    lookupTables: input.lookupTables ?? [],
  });
  const signers = [input.payer, ...(input.signers ?? []).filter((signer) => !signer.publicKey.equals(input.payer.publicKey))];
  transaction.sign(signers);
  return sendSolanaTransaction(connection, transaction, latest.lastValidBlockHeight, options);
}
