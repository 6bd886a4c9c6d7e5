// Both programs' events as the chain recorded them: every event-cpi inner instruction (all shield-pool
// events, the registry's governance events) of the programs' successful transactions, oldest first.
// Transactions are listed with getSignaturesForAddress on each program id (the SDK's
// fetchAddressSignatures, paged backwards with `before`) and read once each with getTransaction.
import { base58 } from "@scure/base";
import type { ConfirmedSignatureInfo, Connection, PublicKey } from "@solana/web3.js";
import {
  decodeScrambleRegistryEventInstruction,
  decodeShieldPoolEventInstruction,
  decodeTransactedEventInstruction,
  fetchAddressSignatures,
  type TransactedEvent,
} from "@cloak/sdk/solana";
import type { PoolHistory } from "../../lib/pool-events.ts";

export interface SolanaChainEvent {
  slot: number;
  blockTime: number | null;
  signature: string;
  /** The top-level instruction whose execution emitted it, and the event's position among its inner instructions. */
  instructionIndex: number;
  innerIndex: number;
  program: "shield_pool" | "scramble_registry";
  programId: string;
  /** As the program names the event, e.g. `Transacted`, `PausedChanged`. */
  name: string;
  /** The SDK's decoded values (bigint, PublicKey, Uint8Array). */
  data: unknown;
  /** The typed event when it is a Transacted. */
  transacted: TransactedEvent | null;
}

export interface ProgramIds {
  shieldPool: PublicKey;
  registryProgram: PublicKey;
}

/** The addresses' successful transactions with slot >= fromSlot (and <= toSlot), oldest first, each once. */
async function listSignatures(connection: Connection, addresses: readonly PublicKey[], fromSlot: number, toSlot: number): Promise<ConfirmedSignatureInfo[]> {
  const seen = new Set<string>();
  const all: ConfirmedSignatureInfo[] = [];
  for (const address of addresses) {
    for (const entry of await fetchAddressSignatures(connection, address, { fromSlot, commitment: "confirmed" })) {
      if (entry.err !== null || entry.slot > toSlot || seen.has(entry.signature)) continue;
      seen.add(entry.signature);
      all.push(entry);
    }
  }
  // Stable: within a slot, each program's listing keeps the node's order.
  return all.sort((a, b) => a.slot - b.slot);
}

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/** Every event of both programs from `fromSlot` to `toSlot` (inclusive), in chain order. */
export async function fetchProgramEvents(connection: Connection, programs: ProgramIds, fromSlot = 0, toSlot = Number.MAX_SAFE_INTEGER): Promise<SolanaChainEvent[]> {
  const events: SolanaChainEvent[] = [];
  for (const entry of await listSignatures(connection, [programs.shieldPool, programs.registryProgram], fromSlot, toSlot)) {
    const transaction = await connection.getTransaction(entry.signature, { maxSupportedTransactionVersion: 0, commitment: "confirmed" });
    const meta = transaction?.meta;
    if (!transaction || !meta || meta.err !== null) continue;
    const keys = transaction.transaction.message.getAccountKeys({ accountKeysFromLookups: meta.loadedAddresses });
    const groups = [...(meta.innerInstructions ?? [])].sort((a, b) => a.index - b.index);
    for (const group of groups) {
      for (const [innerIndex, instruction] of group.instructions.entries()) {
        const programId = keys.get(instruction.programIdIndex);
        if (!programId) continue;
        const isShieldPool = programId.equals(programs.shieldPool);
        if (!isShieldPool && !programId.equals(programs.registryProgram)) continue;
        const data = base58.decode(instruction.data);
        const decoded = isShieldPool ? decodeShieldPoolEventInstruction(data) : decodeScrambleRegistryEventInstruction(data);
        if (!decoded) continue;
        events.push({
          slot: entry.slot,
          blockTime: transaction.blockTime ?? null,
          signature: entry.signature,
          instructionIndex: group.index,
          innerIndex,
          program: isShieldPool ? "shield_pool" : "scramble_registry",
          programId: programId.toBase58(),
          name: pascal(decoded.name),
          data: decoded.data,
          transacted: isShieldPool ? decodeTransactedEventInstruction(data) : null,
        });
      }
    }
  }
  return events;
}

const hex32 = (value: bigint) => `0x${value.toString(16).padStart(64, "0")}`;

/** One pool's Transacted events as the EVM tasks' PoolHistory (slot for block, signature for hash), in leaf order. */
export function poolHistory(events: readonly SolanaChainEvent[], pool: PublicKey): PoolHistory {
  const history: PoolHistory = { commitments: [], nullifiers: [], transacts: [] };
  const transacted = events
    .filter((event) => event.transacted?.pool.equals(pool))
    .sort((a, b) => {
      const x = a.transacted!;
      const y = b.transacted!;
      return x.treeNumber !== y.treeNumber ? (x.treeNumber < y.treeNumber ? -1 : 1) : x.firstLeafIndex - y.firstLeafIndex;
    });
  for (const event of transacted) {
    const t = event.transacted!;
    const at = { blockNumber: event.slot, transactionHash: event.signature };
    t.outputCommitments.forEach((commitment, i) =>
      history.commitments.push({
        tree: Number(t.treeNumber),
        index: t.firstLeafIndex + i,
        commitment: hex32(commitment),
        encryptedOutput: `0x${Buffer.from(t.encryptedOutputs[i]!).toString("hex")}`,
        ...at,
      }),
    );
    for (const nullifier of t.inputNullifiers) history.nullifiers.push({ nullifier: hex32(nullifier), ...at });
    history.transacts.push({ extAmount: t.extAmount, fee: t.fee, recipient: "", relayer: t.relayer.toBase58(), newRoot: hex32(t.newRoot), ...at });
  }
  return history;
}

/** An SDK event value as JSON: integers as decimal strings, keys in base58, bytes as 0x-hex. */
export function jsonEventValue(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString("hex")}`;
  if (value !== null && typeof value === "object" && typeof (value as { toBase58?: unknown }).toBase58 === "function") return (value as PublicKey).toBase58();
  if (Array.isArray(value)) return value.map(jsonEventValue);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, jsonEventValue(inner)]));
  return value;
}
