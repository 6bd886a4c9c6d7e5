import { EventParser, type IdlEvents } from "@coral-xyz/anchor";
import type { Connection, Finality, PublicKey } from "@solana/web3.js";
import { CloakError, ErrorCode } from "../errors.js";
import { bytesToBigInt } from "../field.js";
import { bnToBigInt } from "./anchor-values.js";
import { SHIELD_POOL_PROGRAM_ID } from "./constants.js";
import type { ShieldPool } from "./idl/shield_pool.js";
import { offlineShieldPoolProgram } from "./programs.js";

/**
 * The shield pool's `Transacted` event, read from a transaction's logs: everything an indexer needs
 * to extend a pool's tree and a wallet needs to find its notes.
 */
export interface TransactedEvent {
  pool: PublicKey;
  inputNullifiers: [bigint, bigint];
  outputCommitments: [bigint, bigint];
  /** Leaf index of outputCommitments[0]; outputCommitments[1] is at firstLeafIndex + 1. */
  firstLeafIndex: number;
  /** The output notes' ciphertexts, in output order. */
  encryptedOutputs: [Uint8Array, Uint8Array];
  /** The tree's root after the two commitments were appended. */
  newRoot: bigint;
  extAmount: bigint;
  fee: bigint;
  relayer: PublicKey;
  /** The PoW claim consumed, if any, and the miner's share of the fee. */
  powClaim: PublicKey | null;
  minerFee: bigint;
}

type RawTransacted = IdlEvents<ShieldPool>["transacted"];

const field = (bytes: number[]) => bytesToBigInt(Uint8Array.from(bytes));

function pair<T>(values: T[], name: string): [T, T] {
  if (values.length !== 2) throw new CloakError(ErrorCode.INVALID_EVENT_DATA, `Transacted.${name}: expected 2 entries, got ${values.length}`);
  return [values[0]!, values[1]!];
}

function toTransacted(raw: RawTransacted): TransactedEvent {
  const firstLeafIndex = bnToBigInt(raw.firstLeafIndex);
  if (firstLeafIndex > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new CloakError(ErrorCode.INVALID_EVENT_DATA, `Transacted.firstLeafIndex: ${firstLeafIndex} is not a leaf index`);
  }
  return {
    pool: raw.pool,
    inputNullifiers: pair(raw.inputNullifiers.map(field), "inputNullifiers"),
    outputCommitments: pair(raw.outputCommitments.map(field), "outputCommitments"),
    firstLeafIndex: Number(firstLeafIndex),
    encryptedOutputs: pair(
      raw.encryptedOutputs.map((bytes) => Uint8Array.from(bytes)),
      "encryptedOutputs",
    ),
    newRoot: field(raw.newRoot),
    extAmount: bnToBigInt(raw.extAmount),
    fee: bnToBigInt(raw.fee),
    relayer: raw.relayer,
    powClaim: raw.powClaim,
    minerFee: bnToBigInt(raw.minerFee),
  };
}

/**
 * Every Transacted event the shield pool at `programId` emitted in one transaction's logs, in order.
 * Events of other programs, and the shield pool's other events, are skipped.
 */
export function parseTransactedEvents(logs: readonly string[], programId: PublicKey = SHIELD_POOL_PROGRAM_ID): TransactedEvent[] {
  const parser = new EventParser(programId, offlineShieldPoolProgram(programId).coder);
  const raw: RawTransacted[] = [];
  try {
    for (const event of parser.parseLogs([...logs])) {
      if (event.name === "transacted") raw.push(event.data as RawTransacted);
    }
  } catch (error) {
    // Anchor's parser throws plain errors for logs that do not open with a top-level invoke, or that it cannot decode.
    throw new CloakError(ErrorCode.INVALID_EVENT_DATA, `logs: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return raw.map(toTransacted);
}

/** The Transacted events of the confirmed transaction `signature`; empty if it is unknown or has no logs. */
export async function fetchTransactedEvents(
  connection: Connection,
  signature: string,
  options: { commitment?: Finality; programId?: PublicKey } = {},
): Promise<TransactedEvent[]> {
  const transaction = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0, commitment: options.commitment });
  return parseTransactedEvents(transaction?.meta?.logMessages ?? [], options.programId);
}
