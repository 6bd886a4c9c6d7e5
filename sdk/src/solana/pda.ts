import { PublicKey } from "@solana/web3.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import { ErrorCode } from "../errors.js";
import { bigIntToBytes, toField } from "../field.js";
import {
  BPF_LOADER_UPGRADEABLE_PROGRAM_ID,
  CLAIM_SEED,
  CONFIG_SEED,
  EVENT_AUTHORITY_SEED,
  MINER_SEED,
  NULLIFIER_SEED,
  POOL_SEED,
  REGISTRY_SEED,
  SCRAMBLE_REGISTRY_PROGRAM_ID,
  SHIELD_POOL_PROGRAM_ID,
  TREE_SEED,
  VAULT_SEED,
} from "./constants.js";
import { checkBytes, keyBytes, u64Le } from "./encoding.js";

/** Program-derived addresses of both programs; each returns `[address, bump]`. */

const code = ErrorCode.INVALID_PDA_SEED;

function derive(seeds: Uint8Array[], programId: PublicKey): [PublicKey, number] {
  return PublicKey.findProgramAddressSync(seeds, programId);
}

/** The shield pool's singleton config: ["config"]. */
export function configPda(programId: PublicKey = SHIELD_POOL_PROGRAM_ID): [PublicKey, number] {
  return derive([utf8ToBytes(CONFIG_SEED)], programId);
}

/** The pool of one asset: ["pool", mint]; the SOL pool uses NATIVE_MINT. */
export function poolPda(mint: PublicKey, programId: PublicKey = SHIELD_POOL_PROGRAM_ID): [PublicKey, number] {
  return derive([utf8ToBytes(POOL_SEED), keyBytes(mint, "mint", code)], programId);
}

/** The pool's vault (a system account for SOL, a token account for SPL): ["vault", pool]. */
export function vaultPda(pool: PublicKey, programId: PublicKey = SHIELD_POOL_PROGRAM_ID): [PublicKey, number] {
  return derive([utf8ToBytes(VAULT_SEED), keyBytes(pool, "pool", code)], programId);
}

/** The pool's commitment tree: ["tree", pool]. */
export function treePda(pool: PublicKey, programId: PublicKey = SHIELD_POOL_PROGRAM_ID): [PublicKey, number] {
  return derive([utf8ToBytes(TREE_SEED), keyBytes(pool, "pool", code)], programId);
}

/** The record of a spent nullifier: ["nullifier", pool, nullifier as 32 bytes big-endian]. */
export function nullifierPda(pool: PublicKey, nullifier: bigint, programId: PublicKey = SHIELD_POOL_PROGRAM_ID): [PublicKey, number] {
  const value = toField(nullifier, "nullifier");
  return derive([utf8ToBytes(NULLIFIER_SEED), keyBytes(pool, "pool", code), bigIntToBytes(value, 32)], programId);
}

/**
 * A program's event-cpi authority, the `event_authority` account of every instruction that emits with
 * `emit_cpi!` (transact and the governance instructions of both programs): ["__event_authority"].
 */
export function eventAuthorityPda(programId: PublicKey = SHIELD_POOL_PROGRAM_ID): [PublicKey, number] {
  return derive([utf8ToBytes(EVENT_AUTHORITY_SEED)], programId);
}

/** The scramble registry's singleton: ["registry"]. */
export function registryPda(programId: PublicKey = SCRAMBLE_REGISTRY_PROGRAM_ID): [PublicKey, number] {
  return derive([utf8ToBytes(REGISTRY_SEED)], programId);
}

/** A miner's account: ["miner", authority]. */
export function minerPda(authority: PublicKey, programId: PublicKey = SCRAMBLE_REGISTRY_PROGRAM_ID): [PublicKey, number] {
  return derive([utf8ToBytes(MINER_SEED), keyBytes(authority, "authority", code)], programId);
}

/** A mined claim: ["claim", miner authority, batch hash, slot as u64 little-endian]. */
export function claimPda(
  minerAuthority: PublicKey,
  batchHash: Uint8Array,
  slot: bigint,
  programId: PublicKey = SCRAMBLE_REGISTRY_PROGRAM_ID,
): [PublicKey, number] {
  checkBytes(batchHash, 32, "batchHash", code);
  return derive([utf8ToBytes(CLAIM_SEED), keyBytes(minerAuthority, "minerAuthority", code), batchHash, u64Le(slot, "slot", code)], programId);
}

/**
 * A program's ProgramData account, `initialize`'s `program_data`: the upgradeable loader's PDA
 * [programId], whose upgrade authority must sign the initialize.
 */
export function programDataPda(programId: PublicKey = SHIELD_POOL_PROGRAM_ID): [PublicKey, number] {
  return derive([keyBytes(programId, "programId", code)], BPF_LOADER_UPGRADEABLE_PROGRAM_ID);
}
