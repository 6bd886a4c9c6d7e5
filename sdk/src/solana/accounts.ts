import type { IdlAccounts } from "@coral-xyz/anchor";
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import { PublicKey, type Commitment, type Connection } from "@solana/web3.js";
import { CloakError, ErrorCode } from "../errors.js";
import { bytesToBigInt, toField } from "../field.js";
import { bnToBigInt } from "./anchor-values.js";
import { SCRAMBLE_REGISTRY_PROGRAM_ID, SHIELD_POOL_PROGRAM_ID } from "./constants.js";
import type { ScrambleRegistry } from "./idl/scramble_registry.js";
import type { ShieldPool } from "./idl/shield_pool.js";
import { configPda, nullifierPda, registryPda } from "./pda.js";
import { offlineScrambleRegistryProgram, offlineShieldPoolProgram } from "./programs.js";
import type { SolanaVerifyingKey } from "./verifying-key.js";

/**
 * The accounts of both programs, decoded into the SDK's values: u64 as bigint, u8/u16 as number, keys
 * as PublicKey, byte arrays as Uint8Array, field names as in the camelCase IDL. Decoding checks the
 * discriminator and the size; fetching also checks the owner, so another program's look-alike data
 * is refused.
 *
 * Config and CommitmentTree are zero-copy (repr(C)) in the program. Anchor's coder reads them with
 * the borsh layout of the same fields, which is the same bytes because neither struct has padding
 * (i64s and u64s first, then 32-byte arrays, the u8s last and filling out to a multiple of 8).
 */

const code = ErrorCode.INVALID_ACCOUNT_DATA;

export interface ConfigAccount {
  /** Seconds a proposed verifying key waits, with the pool unpaused throughout, before it applies. */
  verifyingKeyDelaySeconds: bigint;
  /** Unix time the pending key was proposed; meaningful while pendingVerifyingKeySet is 1. */
  pendingVerifyingKeyProposedAt: bigint;
  /** Unix time the pool was last unpaused (initialize counts as one). */
  unpausedSince: bigint;
  relayerCount: bigint;
  admin: PublicKey;
  /** The default key when no transfer is pending. */
  pendingAdmin: PublicKey;
  /** May pause besides the admin; the default key when none (revoked). */
  pauseAuthority: PublicKey;
  /** The default key when no transfer is pending. */
  pendingPauseAuthority: PublicKey;
  /** May install a verifying key at once while paused; the default key when none. */
  securityCouncil: PublicKey;
  /** The default key when no transfer is pending. */
  pendingSecurityCouncil: PublicKey;
  /** All 16 slots; the first relayerCount are registered. */
  relayers: PublicKey[];
  verifyingKey: SolanaVerifyingKey;
  pendingVerifyingKey: SolanaVerifyingKey;
  /** 1 when transact is refused. */
  paused: number;
  /** 1 when a relayed withdrawal must consume a PoW claim. */
  powRequired: number;
  bump: number;
  /** 1 while a proposed key waits in pendingVerifyingKey. */
  pendingVerifyingKeySet: number;
  reserved: Uint8Array;
}

export interface PoolAccount {
  /** NATIVE_MINT for the SOL pool. */
  mint: PublicKey;
  vault: PublicKey;
  tree: PublicKey;
  maxDeposit: bigint;
  maxFee: bigint;
  bump: number;
  vaultBump: number;
}

/** The incremental tree: big-endian field elements, the roots a ring buffer of SOLANA_ROOT_HISTORY_SIZE. */
export interface TreeState {
  /** Leaves inserted into the current tree; the next leaf's index (the capacity once it is full). */
  nextIndex: bigint;
  currentRootIndex: bigint;
  /** Which of the pool's trees is current: 0, then + 1 at each rollover. */
  treeNumber: bigint;
  filledSubtrees: Uint8Array[];
  roots: Uint8Array[];
}

export interface CommitmentTreeAccount {
  tree: TreeState;
  pool: PublicKey;
  /** The final roots of the retired trees 0 .. treeNumber - 1, kept after the struct for good. */
  retiredRoots: Uint8Array[];
}

export interface NullifierRecordAccount {
  pool: PublicKey;
}

export interface RegistryAccount {
  admin: PublicKey;
  /** Proposed by transfer_admin, admin on accept_admin; the default key when none. */
  pendingAdmin: PublicKey;
  consumerAuthority: PublicKey;
  difficulty: bigint;
  minDifficulty: bigint;
  maxDifficulty: bigint;
  targetIntervalSlots: bigint;
  minerFeeShareBps: number;
  revealWindowSlots: bigint;
  claimWindowSlots: bigint;
  maxConsumptions: number;
  lastMinedSlot: bigint;
  totalMiners: bigint;
  totalClaimsMined: bigint;
  totalClaimsRevealed: bigint;
  totalConsumptions: bigint;
  totalClaimsClosed: bigint;
  bump: number;
}

export interface MinerAccount {
  authority: PublicKey;
  registeredSlot: bigint;
  claimsMined: bigint;
  claimsRevealed: bigint;
  consumptions: bigint;
  claimsClosed: bigint;
  bump: number;
}

export interface ClaimAccount {
  minerAuthority: PublicKey;
  batchHash: Uint8Array;
  slot: bigint;
  slotHash: Uint8Array;
  nonce: bigint;
  powHash: Uint8Array;
  difficulty: bigint;
  minedAtSlot: bigint;
  /** 0 while unrevealed. */
  revealedAtSlot: bigint;
  /** 0 while unrevealed. */
  expiresAtSlot: bigint;
  consumedCount: number;
  maxConsumptions: number;
  bump: number;
}

type ShieldPoolAccountName = ShieldPool["accounts"][number]["name"];
type ScrambleRegistryAccountName = ScrambleRegistry["accounts"][number]["name"];

interface AccountCoder {
  accounts: {
    decode<T>(name: string, data: Buffer): T;
    size(name: string): number;
  };
}

interface IdlWithAccounts {
  accounts?: { name: string; discriminator: number[] }[];
}

/**
 * Checks the size and discriminator, then decodes with Anchor's coder. `name` is the account as the
 * camelCase IDL spells it (Anchor's key), `label` as the program does (for messages).
 */
function decodeRaw<T>(coder: AccountCoder, idl: IdlWithAccounts, name: string, label: string, data: Uint8Array): T {
  if (!(data instanceof Uint8Array)) throw new CloakError(code, `${label}: expected account data as a Uint8Array`);
  const size = coder.accounts.size(name);
  if (data.length < size) throw new CloakError(code, `${label}: expected at least ${size} bytes of account data, got ${data.length}`);
  const discriminator = idl.accounts?.find((account) => account.name === name)?.discriminator;
  if (!discriminator || !discriminator.every((byte, i) => data[i] === byte)) {
    throw new CloakError(code, `${label}: the data's discriminator is not ${label}'s; it is another account`);
  }
  return coder.accounts.decode<T>(name, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}

function shieldPoolDecode<N extends ShieldPoolAccountName>(name: N, label: string, data: Uint8Array): IdlAccounts<ShieldPool>[N] {
  const program = offlineShieldPoolProgram();
  return decodeRaw<IdlAccounts<ShieldPool>[N]>(program.coder, program.idl, name, label, data);
}

function registryDecode<N extends ScrambleRegistryAccountName>(name: N, label: string, data: Uint8Array): IdlAccounts<ScrambleRegistry>[N] {
  const program = offlineScrambleRegistryProgram();
  return decodeRaw<IdlAccounts<ScrambleRegistry>[N]>(program.coder, program.idl, name, label, data);
}

const bytes = (value: number[]) => Uint8Array.from(value);

function verifyingKey(raw: IdlAccounts<ShieldPool>["config"]["verifyingKey"]): SolanaVerifyingKey {
  return {
    alphaG1: bytes(raw.alphaG1),
    betaG2: bytes(raw.betaG2),
    gammaG2: bytes(raw.gammaG2),
    deltaG2: bytes(raw.deltaG2),
    ic: raw.ic.map(bytes),
  };
}

/** The shield pool's Config (zero-copy). */
export function decodeConfig(data: Uint8Array): ConfigAccount {
  const raw = shieldPoolDecode("config", "Config", data);
  return {
    verifyingKeyDelaySeconds: bnToBigInt(raw.verifyingKeyDelaySeconds),
    pendingVerifyingKeyProposedAt: bnToBigInt(raw.pendingVerifyingKeyProposedAt),
    unpausedSince: bnToBigInt(raw.unpausedSince),
    relayerCount: bnToBigInt(raw.relayerCount),
    admin: raw.admin,
    pendingAdmin: raw.pendingAdmin,
    pauseAuthority: raw.pauseAuthority,
    pendingPauseAuthority: raw.pendingPauseAuthority,
    securityCouncil: raw.securityCouncil,
    pendingSecurityCouncil: raw.pendingSecurityCouncil,
    relayers: raw.relayers,
    verifyingKey: verifyingKey(raw.verifyingKey),
    pendingVerifyingKey: verifyingKey(raw.pendingVerifyingKey),
    paused: raw.paused,
    powRequired: raw.powRequired,
    bump: raw.bump,
    pendingVerifyingKeySet: raw.pendingVerifyingKeySet,
    reserved: bytes(raw.reserved),
  };
}

/** The registered relayers: the first relayerCount slots. */
export function registeredRelayers(config: ConfigAccount): PublicKey[] {
  return config.relayers.slice(0, Number(config.relayerCount));
}

export function decodePool(data: Uint8Array): PoolAccount {
  const raw = shieldPoolDecode("pool", "Pool", data);
  return {
    mint: raw.mint,
    vault: raw.vault,
    tree: raw.tree,
    maxDeposit: bnToBigInt(raw.maxDeposit),
    maxFee: bnToBigInt(raw.maxFee),
    bump: raw.bump,
    vaultBump: raw.vaultBump,
  };
}

/** The size of a full-grown CommitmentTree account before any tree is retired: discriminator and struct. */
export function commitmentTreeSpace(): number {
  return offlineShieldPoolProgram().coder.accounts.size("commitmentTree");
}

/**
 * A pool's CommitmentTree (zero-copy), grown to full size (growTreeInstructions), with the final roots
 * of its retired trees that follow the struct.
 */
export function decodeCommitmentTree(data: Uint8Array): CommitmentTreeAccount {
  const raw = shieldPoolDecode("commitmentTree", "CommitmentTree", data);
  const treeNumber = bnToBigInt(raw.tree.treeNumber);
  const space = commitmentTreeSpace();
  if (BigInt(data.length) < BigInt(space) + 32n * treeNumber) {
    throw new CloakError(code, `CommitmentTree: tree ${treeNumber} needs ${treeNumber} retired roots after the struct, the data has ${data.length - space} bytes`);
  }
  const retiredRoots = Array.from({ length: Number(treeNumber) }, (_, k) => data.slice(space + 32 * k, space + 32 * (k + 1)));
  return {
    tree: {
      nextIndex: bnToBigInt(raw.tree.nextIndex),
      currentRootIndex: bnToBigInt(raw.tree.currentRootIndex),
      treeNumber,
      filledSubtrees: raw.tree.filledSubtrees.map(bytes),
      roots: raw.tree.roots.map(bytes),
    },
    pool: raw.pool,
    retiredRoots,
  };
}

/**
 * Where the program finds `root` (transact's `rootIndex`): its slot in the ring of recent roots, else
 * SOLANA_ROOT_HISTORY_SIZE + k for the final root of retired tree k; null when the pool does not
 * accept it. The ring is searched newest first.
 */
export function rootIndexOf(account: CommitmentTreeAccount, root: bigint): number | null {
  if (root === 0n) return null;
  const { roots, currentRootIndex } = account.tree;
  const size = roots.length;
  const current = Number(currentRootIndex);
  for (let age = 0; age < size; age++) {
    const position = (current - age + size) % size;
    if (bytesToBigInt(roots[position]!) === root) return position;
  }
  const retired = account.retiredRoots.findIndex((bytesOfRoot) => bytesToBigInt(bytesOfRoot) === root);
  return retired === -1 ? null : size + retired;
}

/** The tree's current root as a field element. */
export function currentRoot(tree: TreeState): bigint {
  const root = tree.roots[Number(tree.currentRootIndex)];
  if (!root) throw new CloakError(code, `tree.currentRootIndex: ${tree.currentRootIndex} is outside the ${tree.roots.length} roots`);
  return bytesToBigInt(root);
}

/** The recent roots the program accepts, newest first (unused history slots, which hold zero, left
 *  out); the retired trees' final roots are in CommitmentTreeAccount.retiredRoots. */
export function knownRoots(tree: TreeState): bigint[] {
  const size = tree.roots.length;
  const current = Number(tree.currentRootIndex);
  const roots: bigint[] = [];
  for (let age = 0; age < size; age++) {
    const root = bytesToBigInt(tree.roots[(current - age + size) % size]!);
    if (root !== 0n) roots.push(root);
  }
  return roots;
}

/**
 * A NullifierRecord's Anchor discriminator, SHA-256("account:NullifierRecord")[0..8]. transact creates
 * the record itself (so a prefunded address cannot block a spend) rather than through an Anchor
 * account argument, so the IDL does not list the account and its layout is spelled out here.
 */
export const NULLIFIER_RECORD_DISCRIMINATOR: Uint8Array = sha256(utf8ToBytes("account:NullifierRecord")).slice(0, 8);

/** A NullifierRecord: the discriminator, then the pool (32 bytes). */
export function decodeNullifierRecord(data: Uint8Array): NullifierRecordAccount {
  if (!(data instanceof Uint8Array)) throw new CloakError(code, "NullifierRecord: expected account data as a Uint8Array");
  if (data.length < 8 + 32) throw new CloakError(code, `NullifierRecord: expected at least 40 bytes of account data, got ${data.length}`);
  if (!NULLIFIER_RECORD_DISCRIMINATOR.every((byte, i) => data[i] === byte)) {
    throw new CloakError(code, "NullifierRecord: the data's discriminator is not NullifierRecord's; it is another account");
  }
  return { pool: new PublicKey(data.slice(8, 40)) };
}

export function decodeRegistry(data: Uint8Array): RegistryAccount {
  const raw = registryDecode("registry", "Registry", data);
  return {
    admin: raw.admin,
    consumerAuthority: raw.consumerAuthority,
    difficulty: bnToBigInt(raw.difficulty),
    minDifficulty: bnToBigInt(raw.minDifficulty),
    maxDifficulty: bnToBigInt(raw.maxDifficulty),
    targetIntervalSlots: bnToBigInt(raw.targetIntervalSlots),
    minerFeeShareBps: raw.minerFeeShareBps,
    revealWindowSlots: bnToBigInt(raw.revealWindowSlots),
    claimWindowSlots: bnToBigInt(raw.claimWindowSlots),
    maxConsumptions: raw.maxConsumptions,
    lastMinedSlot: bnToBigInt(raw.lastMinedSlot),
    totalMiners: bnToBigInt(raw.totalMiners),
    totalClaimsMined: bnToBigInt(raw.totalClaimsMined),
    totalClaimsRevealed: bnToBigInt(raw.totalClaimsRevealed),
    totalConsumptions: bnToBigInt(raw.totalConsumptions),
    totalClaimsClosed: bnToBigInt(raw.totalClaimsClosed),
    bump: raw.bump,
    pendingAdmin: raw.pendingAdmin,
  };
}

export function decodeMiner(data: Uint8Array): MinerAccount {
  const raw = registryDecode("miner", "Miner", data);
  return {
    authority: raw.authority,
    registeredSlot: bnToBigInt(raw.registeredSlot),
    claimsMined: bnToBigInt(raw.claimsMined),
    claimsRevealed: bnToBigInt(raw.claimsRevealed),
    consumptions: bnToBigInt(raw.consumptions),
    claimsClosed: bnToBigInt(raw.claimsClosed),
    bump: raw.bump,
  };
}

export function decodeClaim(data: Uint8Array): ClaimAccount {
  const raw = registryDecode("claim", "Claim", data);
  return {
    minerAuthority: raw.minerAuthority,
    batchHash: bytes(raw.batchHash),
    slot: bnToBigInt(raw.slot),
    slotHash: bytes(raw.slotHash),
    nonce: bnToBigInt(raw.nonce),
    powHash: bytes(raw.powHash),
    difficulty: bnToBigInt(raw.difficulty),
    minedAtSlot: bnToBigInt(raw.minedAtSlot),
    revealedAtSlot: bnToBigInt(raw.revealedAtSlot),
    expiresAtSlot: bnToBigInt(raw.expiresAtSlot),
    consumedCount: raw.consumedCount,
    maxConsumptions: raw.maxConsumptions,
    bump: raw.bump,
  };
}

// ---------------------------------------------------------------------------------------------
// Fetching

export interface FetchAccountOptions {
  /** The owning program; each account's program's default id when absent. */
  programId?: PublicKey;
  commitment?: Commitment;
}

/** The decoded account at `address`, or null when there is none; refuses one the program does not own. */
async function fetchDecoded<T>(
  connection: Connection,
  address: PublicKey,
  name: string,
  owner: PublicKey,
  decode: (data: Uint8Array) => T,
  commitment: Commitment | undefined,
): Promise<T | null> {
  const info = await connection.getAccountInfo(address, commitment);
  if (!info) return null;
  if (!info.owner.equals(owner)) {
    throw new CloakError(code, `${name} ${address.toBase58()}: owned by ${info.owner.toBase58()}, not the program ${owner.toBase58()}`);
  }
  return decode(info.data);
}

const shieldOwner = (options: FetchAccountOptions) => options.programId ?? SHIELD_POOL_PROGRAM_ID;
const registryOwner = (options: FetchAccountOptions) => options.programId ?? SCRAMBLE_REGISTRY_PROGRAM_ID;

/** The shield pool's config, at its PDA. */
export function fetchConfig(connection: Connection, options: FetchAccountOptions = {}): Promise<ConfigAccount | null> {
  const owner = shieldOwner(options);
  return fetchDecoded(connection, configPda(owner)[0], "Config", owner, decodeConfig, options.commitment);
}

/** A pool, at poolPda(mint). */
export function fetchPool(connection: Connection, pool: PublicKey, options: FetchAccountOptions = {}): Promise<PoolAccount | null> {
  return fetchDecoded(connection, pool, "Pool", shieldOwner(options), decodePool, options.commitment);
}

/** A pool's tree, at treePda(pool). */
export function fetchCommitmentTree(connection: Connection, tree: PublicKey, options: FetchAccountOptions = {}): Promise<CommitmentTreeAccount | null> {
  return fetchDecoded(connection, tree, "CommitmentTree", shieldOwner(options), decodeCommitmentTree, options.commitment);
}

export function fetchNullifierRecord(connection: Connection, address: PublicKey, options: FetchAccountOptions = {}): Promise<NullifierRecordAccount | null> {
  return fetchDecoded(connection, address, "NullifierRecord", shieldOwner(options), decodeNullifierRecord, options.commitment);
}

/** Whether `nullifier` is spent in `pool`: its record exists. */
export async function isNullifierSpent(connection: Connection, pool: PublicKey, nullifier: bigint, options: FetchAccountOptions = {}): Promise<boolean> {
  const owner = shieldOwner(options);
  const [address] = nullifierPda(pool, toField(nullifier, "nullifier"), owner);
  return (await fetchNullifierRecord(connection, address, options)) !== null;
}

/** The scramble registry, at its PDA. */
export function fetchRegistry(connection: Connection, options: FetchAccountOptions = {}): Promise<RegistryAccount | null> {
  const owner = registryOwner(options);
  return fetchDecoded(connection, registryPda(owner)[0], "Registry", owner, decodeRegistry, options.commitment);
}

/** A miner, at minerPda(authority). */
export function fetchMiner(connection: Connection, miner: PublicKey, options: FetchAccountOptions = {}): Promise<MinerAccount | null> {
  return fetchDecoded(connection, miner, "Miner", registryOwner(options), decodeMiner, options.commitment);
}

export function fetchClaim(connection: Connection, claim: PublicKey, options: FetchAccountOptions = {}): Promise<ClaimAccount | null> {
  return fetchDecoded(connection, claim, "Claim", registryOwner(options), decodeClaim, options.commitment);
}
