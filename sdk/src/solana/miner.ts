import { SYSVAR_SLOT_HASHES_PUBKEY, type Commitment, type Connection, type PublicKey, type Signer } from "@solana/web3.js";
import { CloakError, ErrorCode } from "../errors.js";
import { fetchRegistry } from "./accounts.js";
import { SCRAMBLE_REGISTRY_PROGRAM_ID, WILDCARD_BATCH } from "./constants.js";
import { mineClaimInstruction, revealClaimInstruction } from "./instructions.js";
import { claimPda } from "./pda.js";
import { searchNonce } from "./pow.js";
import { sendSolanaInstructions, type SendOptions } from "./send.js";

/**
 * A miner's round against a live cluster: read the SlotHashes sysvar and the registry's difficulty
 * over RPC, search a nonce (searchNonce), and record and reveal the claim (mine_claim, reveal_claim).
 */

export interface SlotHashEntry {
  slot: bigint;
  hash: Uint8Array;
}

/** The SlotHashes sysvar's data (bincode: u64 LE count, then count × (slot u64 LE, hash 32)), newest first. */
export function decodeSlotHashes(data: Uint8Array): SlotHashEntry[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length < 8) throw new CloakError(ErrorCode.INVALID_ACCOUNT_DATA, `SlotHashes: ${data.length} bytes hold no entry count`);
  const count = view.getBigUint64(0, true);
  if (BigInt(data.length) < 8n + count * 40n) {
    throw new CloakError(ErrorCode.INVALID_ACCOUNT_DATA, `SlotHashes: ${data.length} bytes cannot hold the ${count} entries it declares`);
  }
  return Array.from({ length: Number(count) }, (_, i) => ({
    slot: view.getBigUint64(8 + i * 40, true),
    hash: data.slice(16 + i * 40, 48 + i * 40),
  }));
}

/** The cluster's SlotHashes sysvar, newest first. */
export async function fetchSlotHashes(connection: Connection, commitment: Commitment = "confirmed"): Promise<SlotHashEntry[]> {
  const info = await connection.getAccountInfo(SYSVAR_SLOT_HASHES_PUBKEY, commitment);
  if (!info) throw new CloakError(ErrorCode.NOT_INITIALIZED, "SlotHashes: the sysvar account does not exist on this cluster");
  return decodeSlotHashes(info.data);
}

export interface MinedClaim {
  claim: PublicKey;
  slot: bigint;
  nonce: bigint;
  difficulty: bigint;
  /** Nonces tried. */
  attempts: bigint;
  signature: string;
}

export interface MineClaimOptions extends SendOptions {
  /** The withdrawal's batch hash (powBatchHash), or WILDCARD_BATCH (the default) for any withdrawal. */
  batchHash?: Uint8Array;
  registryProgramId?: PublicKey;
  /** Nonces tried at most; 10,000,000 unless given. */
  maxAttempts?: number;
}

/**
 * Mines a claim for the registered miner `miner` against the newest SlotHashes entry at the registry's
 * current difficulty, and records and reveals it in one transaction; the claim can then be consumed
 * by relayed withdrawals for the registry's claim window.
 */
export async function mineAndRevealClaim(connection: Connection, miner: Signer, options: MineClaimOptions = {}): Promise<MinedClaim> {
  const programId = options.registryProgramId ?? SCRAMBLE_REGISTRY_PROGRAM_ID;
  const batchHash = options.batchHash ?? WILDCARD_BATCH;
  const registry = await fetchRegistry(connection, { programId, commitment: options.commitment });
  if (!registry) throw new CloakError(ErrorCode.NOT_INITIALIZED, `scramble registry of ${programId.toBase58()}: not initialized`);
  const [newest] = await fetchSlotHashes(connection, options.commitment);
  if (!newest) throw new CloakError(ErrorCode.NOT_INITIALIZED, "SlotHashes: no slot has been hashed yet");
  const found = searchNonce({
    slot: newest.slot,
    slotHash: newest.hash,
    miner: miner.publicKey,
    batchHash,
    difficulty: registry.difficulty,
    maxAttempts: options.maxAttempts ?? 10_000_000,
  });
  if (!found) throw new CloakError(ErrorCode.INVALID_POW_INPUT, `difficulty ${registry.difficulty}: no nonce found within ${options.maxAttempts ?? 10_000_000} attempts`);
  const [claim] = claimPda(miner.publicKey, batchHash, newest.slot, programId);
  const instructions = [
    await mineClaimInstruction({ programId, authority: miner.publicKey, slot: newest.slot, slotHash: newest.hash, batchHash, nonce: found.nonce }),
    await revealClaimInstruction({ programId, authority: miner.publicKey, claim }),
  ];
  const signature = await sendSolanaInstructions(connection, { payer: miner, instructions }, { ...options, programIds: { ...options.programIds, scrambleRegistry: programId } });
  return { claim, slot: newest.slot, nonce: found.nonce, difficulty: registry.difficulty, attempts: found.nonce + 1n, signature };
}
