import type { IdlEvents } from "@coral-xyz/anchor";
import { base58 } from "@scure/base";
import type { Connection, Finality, PublicKey } from "@solana/web3.js";
import { CloakError, ErrorCode } from "../errors.js";
import { bytesToBigInt } from "../field.js";
import { bnToBigInt } from "./anchor-values.js";
import { SHIELD_POOL_PROGRAM_ID } from "./constants.js";
import { SHIELD_POOL_IDL, type ShieldPool } from "./idl/shield_pool.js";
import { offlineShieldPoolProgram } from "./programs.js";

/**
 * The shield pool emits its `Transacted` event with Anchor's `emit_cpi!`: not as a log line but as
 * the data of a self-CPI, an inner instruction of the shield pool that its event authority PDA signs.
 * That data is EVENT_IX_TAG_LE, the event's 8-byte discriminator, then the event in borsh. (Its
 * admin events are still logged with `emit!`; nothing here reads them.)
 */

/** Anchor's EVENT_IX_TAG, the u64 0x1d9acb512ea545e4, little-endian: opens every event-cpi instruction's data. */
export const EVENT_IX_TAG_LE: Uint8Array = Uint8Array.from([0xe4, 0x45, 0xa5, 0x2e, 0x51, 0xcb, 0x9a, 0x1d]);

/**
 * The shield pool's `Transacted` event, read from a transaction's inner instructions: everything an
 * indexer needs to extend a pool's tree and a wallet needs to find its notes.
 */
export interface TransactedEvent {
  pool: PublicKey;
  inputNullifiers: [bigint, bigint];
  outputCommitments: [bigint, bigint];
  /** Leaf index of outputCommitments[0] in tree treeNumber; outputCommitments[1] is at firstLeafIndex + 1.
   *  A leaf is identified by (pool, treeNumber, index). */
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
  /** The tree the commitments went into: 0, then + 1 each time a tree fills (2^20 leaves). */
  treeNumber: bigint;
  /** On the transaction that opened tree treeNumber: the final root of tree treeNumber - 1, which
   *  stays provable (rootIndex SOLANA_ROOT_HISTORY_SIZE + treeNumber - 1). Null otherwise. */
  retiredRoot: bigint | null;
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
    treeNumber: bnToBigInt(raw.treeNumber),
    retiredRoot: raw.retiredRoot === null ? null : field(raw.retiredRoot),
  };
}

const TRANSACTED_DISCRIMINATOR = Uint8Array.from(SHIELD_POOL_IDL.events.find((event) => event.name === "Transacted")!.discriminator);

function startsWith(data: Uint8Array, prefix: Uint8Array, offset = 0): boolean {
  if (data.length < offset + prefix.length) return false;
  return prefix.every((byte, i) => data[offset + i] === byte);
}

// Event layouts do not depend on the deployment: one coder serves every program id.
let coder: ReturnType<typeof offlineShieldPoolProgram>["coder"] | undefined;

function malformed(detail: string, cause?: unknown): CloakError {
  return new CloakError(ErrorCode.INVALID_EVENT_DATA, `Transacted: ${detail}`, cause === undefined ? undefined : { cause });
}

/**
 * The Transacted event carried by one event-cpi instruction's data (EVENT_IX_TAG_LE, discriminator,
 * borsh). Null if the data is not an event-cpi instruction's or carries another event; a CloakError
 * INVALID_EVENT_DATA if it is a Transacted event that does not decode to exactly its bytes.
 */
export function decodeTransactedEventInstruction(data: Uint8Array): TransactedEvent | null {
  if (!(data instanceof Uint8Array)) throw new CloakError(ErrorCode.INVALID_EVENT_DATA, "data: not a Uint8Array");
  if (!startsWith(data, EVENT_IX_TAG_LE) || !startsWith(data, TRANSACTED_DISCRIMINATOR, EVENT_IX_TAG_LE.length)) return null;
  coder ??= offlineShieldPoolProgram().coder;
  const event = Buffer.from(data.subarray(EVENT_IX_TAG_LE.length));
  let decoded: ReturnType<typeof coder.events.decode>;
  let reencoded: Buffer;
  try {
    decoded = coder.events.decode(event.toString("base64"));
    if (decoded?.name !== "transacted") throw malformed("the event coder did not recognise the event");
    // Anchor's layouts read past the end of short data without always failing (a cut u64 decodes to a
    // smaller number) and ignore trailing bytes: only data that encodes back to itself is the event.
    reencoded = coder.types.encode("transacted", decoded.data);
  } catch (error) {
    if (error instanceof CloakError) throw error;
    throw malformed(error instanceof Error ? error.message : String(error), error);
  }
  if (!reencoded.equals(event.subarray(TRANSACTED_DISCRIMINATOR.length))) {
    throw malformed(`${event.length} bytes are not one borsh-encoded event (it encodes back to ${TRANSACTED_DISCRIMINATOR.length + reencoded.length})`);
  }
  return toTransacted(decoded.data as RawTransacted);
}

/** One inner instruction, its program resolved and its data decoded. */
export interface InnerInstruction {
  programId: PublicKey;
  data: Uint8Array;
}

/**
 * Every Transacted event among one transaction's inner instructions, given in execution order: the
 * shield pool at `programId`'s event-cpi instructions. Other programs' instructions, the shield pool's
 * other instructions and other events are skipped.
 */
export function parseTransactedEvents(
  innerInstructions: ReadonlyArray<InnerInstruction>,
  programId: PublicKey = SHIELD_POOL_PROGRAM_ID,
): TransactedEvent[] {
  if (!Array.isArray(innerInstructions)) throw new CloakError(ErrorCode.INVALID_EVENT_DATA, "innerInstructions: not an array");
  const events: TransactedEvent[] = [];
  for (const instruction of innerInstructions) {
    if (!programId.equals(instruction.programId)) continue;
    const event = decodeTransactedEventInstruction(instruction.data);
    if (event) events.push(event);
  }
  return events;
}

/**
 * The Transacted events of the confirmed transaction `signature`, in order; empty if it is unknown,
 * failed (its events took no effect) or has no inner instructions recorded. Account keys loaded from
 * lookup tables are resolved, so v0 transactions read like legacy ones.
 */
export async function fetchTransactedEvents(
  connection: Connection,
  signature: string,
  options: { commitment?: Finality; programId?: PublicKey } = {},
): Promise<TransactedEvent[]> {
  const programId = options.programId ?? SHIELD_POOL_PROGRAM_ID;
  const response = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0, commitment: options.commitment });
  const meta = response?.meta;
  if (!response || !meta || meta.err !== null) return [];
  const keys = response.transaction.message.getAccountKeys({ accountKeysFromLookups: meta.loadedAddresses });
  const groups = [...(meta.innerInstructions ?? [])].sort((a, b) => a.index - b.index);
  const inner: InnerInstruction[] = [];
  for (const group of groups) {
    for (const [i, instruction] of group.instructions.entries()) {
      const label = `innerInstructions[${group.index}][${i}]`;
      const program = keys.get(instruction.programIdIndex);
      if (!program) throw new CloakError(ErrorCode.INVALID_EVENT_DATA, `${label}: program index ${instruction.programIdIndex} is not an account of the transaction`);
      // Only the shield pool's instructions can carry its events; the rest are not worth decoding.
      if (!program.equals(programId)) continue;
      let data: Uint8Array;
      try {
        data = base58.decode(instruction.data);
      } catch (error) {
        throw new CloakError(ErrorCode.INVALID_EVENT_DATA, `${label}.data: not base58`, { cause: error });
      }
      inner.push({ programId: program, data });
    }
  }
  return parseTransactedEvents(inner, programId);
}
