import anchor from "@coral-xyz/anchor";
import type { BN, Idl, IdlEvents } from "@coral-xyz/anchor";
import { base58 } from "@scure/base";
import { PublicKey, type Connection, type Finality } from "@solana/web3.js";
import { CloakError, ErrorCode } from "../errors.js";
import { bytesToBigInt } from "../field.js";
import { bnToBigInt } from "./anchor-values.js";
import { SCRAMBLE_REGISTRY_PROGRAM_ID, SHIELD_POOL_PROGRAM_ID } from "./constants.js";
import { SCRAMBLE_REGISTRY_IDL, type ScrambleRegistry } from "./idl/scramble_registry.js";
import { SHIELD_POOL_IDL, type ShieldPool } from "./idl/shield_pool.js";
import { offlineScrambleRegistryProgram, offlineShieldPoolProgram } from "./programs.js";

/**
 * Both programs emit with Anchor's `emit_cpi!` the events that matter to indexers and watchers (every
 * event of the shield pool, `Transacted`, pool openings, tree growth and governance, and the registry's
 * admin events): not as a log line but as the data of a self-CPI, an inner instruction of the program
 * that its event authority PDA signs. That data is EVENT_IX_TAG_LE, the event's 8-byte discriminator,
 * then the event in borsh. `Transacted` has its own typed reader; every other event-cpi event is
 * decoded generically by the IDL (decodeShieldPoolEventInstruction, parseScrambleRegistryEvents, ...).
 * The registry's claim life cycle (MinerRegistered, ClaimMined, ...) is still logged with `emit!` and
 * not read here.
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

interface EventCoder {
  events: { decode(base64: string): { name: string; data: unknown } | null };
  types: { encode(name: string, value: unknown): Buffer };
}

/** A program's event-cpi events: their coder, and their discriminators as the IDL names them. */
interface EventSource {
  coder: () => EventCoder;
  events: ReadonlyArray<{ name: string; discriminator: readonly number[] }>;
}

// Event layouts do not depend on the deployment: one coder per program serves every program id.
const shieldPoolEvents: EventSource = { coder: () => offlineShieldPoolProgram().coder, events: SHIELD_POOL_IDL.events };
const scrambleRegistryEvents: EventSource = { coder: () => offlineScrambleRegistryProgram().coder, events: SCRAMBLE_REGISTRY_IDL.events };

function malformed(event: string, detail: string, cause?: unknown): CloakError {
  return new CloakError(ErrorCode.INVALID_EVENT_DATA, `${event}: ${detail}`, cause === undefined ? undefined : { cause });
}

/**
 * The event one event-cpi instruction's data carries (EVENT_IX_TAG_LE, discriminator, borsh), with
 * Anchor's raw values and its camelCase name; null when the data is not tagged or carries no event of
 * `source`. A CloakError INVALID_EVENT_DATA, naming the event, when it does not decode to exactly its bytes.
 */
function decodeTaggedEvent(source: EventSource, data: Uint8Array): { name: string; data: unknown } | null {
  if (!(data instanceof Uint8Array)) throw new CloakError(ErrorCode.INVALID_EVENT_DATA, "data: not a Uint8Array");
  if (!startsWith(data, EVENT_IX_TAG_LE)) return null;
  const known = source.events.find((event) => startsWith(data, Uint8Array.from(event.discriminator), EVENT_IX_TAG_LE.length));
  if (!known) return null;
  const coder = source.coder();
  const bytes = Buffer.from(data.subarray(EVENT_IX_TAG_LE.length));
  let decoded: ReturnType<EventCoder["events"]["decode"]>;
  let reencoded: Buffer;
  try {
    decoded = coder.events.decode(bytes.toString("base64"));
    if (decoded === null) throw malformed(known.name, "the event coder did not recognise the event");
    // Anchor's layouts read past the end of short data without always failing (a cut u64 decodes to a
    // smaller number) and ignore trailing bytes: only data that encodes back to itself is the event.
    reencoded = coder.types.encode(decoded.name, decoded.data);
  } catch (error) {
    if (error instanceof CloakError) throw error;
    throw malformed(known.name, error instanceof Error ? error.message : String(error), error);
  }
  const discriminatorLength = known.discriminator.length;
  if (!reencoded.equals(bytes.subarray(discriminatorLength))) {
    throw malformed(known.name, `${bytes.length} bytes are not one borsh-encoded event (it encodes back to ${discriminatorLength + reencoded.length})`);
  }
  return decoded;
}

/**
 * The Transacted event carried by one event-cpi instruction's data (EVENT_IX_TAG_LE, discriminator,
 * borsh). Null if the data is not an event-cpi instruction's or carries another event; a CloakError
 * INVALID_EVENT_DATA if it is a Transacted event that does not decode to exactly its bytes.
 */
export function decodeTransactedEventInstruction(data: Uint8Array): TransactedEvent | null {
  if (!(data instanceof Uint8Array)) throw new CloakError(ErrorCode.INVALID_EVENT_DATA, "data: not a Uint8Array");
  if (!startsWith(data, TRANSACTED_DISCRIMINATOR, EVENT_IX_TAG_LE.length)) return null;
  const decoded = decodeTaggedEvent(shieldPoolEvents, data);
  return decoded === null ? null : toTransacted(decoded.data as RawTransacted);
}

// ---------------------------------------------------------------------------------------------
// Every event-cpi event, decoded by the IDL

/** An Anchor value as the SDK gives it: integers of 64 bits as bigint, byte arrays as Uint8Array. */
export type SdkEventValue<T> = T extends BN
  ? bigint
  : T extends PublicKey
    ? PublicKey
    : T extends number[]
      ? Uint8Array
      : T extends (infer Item)[]
        ? SdkEventValue<Item>[]
        : T extends object
          ? { [K in keyof T]: SdkEventValue<T[K]> }
          : T;

/** One event of a program, `name` camelCase as Anchor's client spells it (e.g. "pausedChanged"). */
export type ProgramEvent<I extends Idl> = {
  [N in keyof IdlEvents<I> & string]: { name: N; data: SdkEventValue<IdlEvents<I>[N]> };
}[keyof IdlEvents<I> & string];

export type ShieldPoolEvent = ProgramEvent<ShieldPool>;
export type ScrambleRegistryEvent = ProgramEvent<ScrambleRegistry>;

// The programs' events hold no integer arrays but bytes, so every array of numbers is a byte string.
function toSdkEventValue(value: unknown): unknown {
  if (anchor.BN.isBN(value)) return bnToBigInt(value as BN);
  if (value === null || typeof value !== "object" || value instanceof PublicKey) return value;
  if (Array.isArray(value)) {
    return value.length > 0 && value.every((item) => typeof item === "number") ? Uint8Array.from(value as number[]) : value.map(toSdkEventValue);
  }
  return Object.fromEntries(Object.entries(value).map(([field, inner]) => [field, toSdkEventValue(inner)]));
}

function decodeProgramEvent<E>(source: EventSource, data: Uint8Array): E | null {
  const decoded = decodeTaggedEvent(source, data);
  return decoded === null ? null : ({ name: decoded.name, data: toSdkEventValue(decoded.data) } as E);
}

/**
 * Any shield pool event one event-cpi instruction's data carries (Transacted included, in the generic
 * form); null when the data is not tagged or carries no shield pool event, a CloakError
 * INVALID_EVENT_DATA naming the event when its bytes are not exactly one event.
 */
export function decodeShieldPoolEventInstruction(data: Uint8Array): ShieldPoolEvent | null {
  return decodeProgramEvent<ShieldPoolEvent>(shieldPoolEvents, data);
}

/** decodeShieldPoolEventInstruction for the scramble registry's events (its governance events). */
export function decodeScrambleRegistryEventInstruction(data: Uint8Array): ScrambleRegistryEvent | null {
  return decodeProgramEvent<ScrambleRegistryEvent>(scrambleRegistryEvents, data);
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
  return collectEvents(innerInstructions, programId, decodeTransactedEventInstruction);
}

/** Every shield pool event among one transaction's inner instructions, in execution order (as parseTransactedEvents). */
export function parseShieldPoolEvents(innerInstructions: ReadonlyArray<InnerInstruction>, programId: PublicKey = SHIELD_POOL_PROGRAM_ID): ShieldPoolEvent[] {
  return collectEvents(innerInstructions, programId, decodeShieldPoolEventInstruction);
}

/** Every scramble registry event-cpi event among one transaction's inner instructions, in execution order. */
export function parseScrambleRegistryEvents(
  innerInstructions: ReadonlyArray<InnerInstruction>,
  programId: PublicKey = SCRAMBLE_REGISTRY_PROGRAM_ID,
): ScrambleRegistryEvent[] {
  return collectEvents(innerInstructions, programId, decodeScrambleRegistryEventInstruction);
}

function collectEvents<E>(innerInstructions: ReadonlyArray<InnerInstruction>, programId: PublicKey, decode: (data: Uint8Array) => E | null): E[] {
  if (!Array.isArray(innerInstructions)) throw new CloakError(ErrorCode.INVALID_EVENT_DATA, "innerInstructions: not an array");
  const events: E[] = [];
  for (const instruction of innerInstructions) {
    if (!programId.equals(instruction.programId)) continue;
    const event = decode(instruction.data);
    if (event) events.push(event);
  }
  return events;
}

/**
 * The Transacted events of the confirmed transaction `signature`, in order; empty if it is unknown,
 * failed (its events took no effect) or has no inner instructions recorded. Account keys loaded from
 * lookup tables are resolved, so v0 transactions read like legacy ones.
 */
export async function fetchTransactedEvents(connection: Connection, signature: string, options: FetchEventsOptions = {}): Promise<TransactedEvent[]> {
  const programId = options.programId ?? SHIELD_POOL_PROGRAM_ID;
  return parseTransactedEvents(await fetchInnerInstructions(connection, signature, programId, options), programId);
}

/** Every shield pool event of the confirmed transaction `signature`, in order (as fetchTransactedEvents). */
export async function fetchShieldPoolEvents(connection: Connection, signature: string, options: FetchEventsOptions = {}): Promise<ShieldPoolEvent[]> {
  const programId = options.programId ?? SHIELD_POOL_PROGRAM_ID;
  return parseShieldPoolEvents(await fetchInnerInstructions(connection, signature, programId, options), programId);
}

/** Every scramble registry event-cpi event of the confirmed transaction `signature`, in order. */
export async function fetchScrambleRegistryEvents(
  connection: Connection,
  signature: string,
  options: FetchEventsOptions = {},
): Promise<ScrambleRegistryEvent[]> {
  const programId = options.programId ?? SCRAMBLE_REGISTRY_PROGRAM_ID;
  return parseScrambleRegistryEvents(await fetchInnerInstructions(connection, signature, programId, options), programId);
}

export interface FetchEventsOptions {
  commitment?: Finality;
  /** The emitting program's deployment; its default program id when absent. */
  programId?: PublicKey;
  /**
   * A transaction the node does not have is refused (TRANSACTION_NOT_FOUND) instead of read as one without
   * events: for a reader that listed the signature and must not skip it (a node behind a load balancer
   * can list a signature that the next node asked does not serve yet).
   */
  required?: boolean;
}

/** `programId`'s inner instructions in a confirmed transaction, in execution order; none if it is unknown or failed. */
async function fetchInnerInstructions(
  connection: Connection,
  signature: string,
  programId: PublicKey,
  options: FetchEventsOptions,
): Promise<InnerInstruction[]> {
  const response = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0, commitment: options.commitment });
  if (!response && options.required) {
    throw new CloakError(ErrorCode.TRANSACTION_NOT_FOUND, `transaction ${signature}: the node does not have it (not yet at this commitment, or no longer kept)`);
  }
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
      // Only the program's own instructions can carry its events; the rest are not worth decoding.
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
  return inner;
}
