import { getAssociatedTokenAddressSync, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { SYSVAR_SLOT_HASHES_PUBKEY, SystemProgram, type PublicKey, type TransactionInstruction } from "@solana/web3.js";
import { CloakError, ErrorCode } from "../errors.js";
import { bytesToBigInt } from "../field.js";
import type { Groth16Proof } from "../proof.js";
import type { TransactionPublicInputs } from "../prover.js";
import { byteArray, i64ToBN, requiredBool, requiredKey, u16, u64ToBN } from "./anchor-values.js";
import { commitmentTreeSpace } from "./accounts.js";
import { MAX_ACCOUNT_GROWTH, NATIVE_MINT, PROOF_BYTES, SCRAMBLE_REGISTRY_PROGRAM_ID, SHIELD_POOL_PROGRAM_ID, SOLANA_ROOT_HISTORY_SIZE } from "./constants.js";
import { hashSolanaExtData, type SolanaExtData } from "./ext-data.js";
import type { ScrambleRegistry } from "./idl/scramble_registry.js";
import type { ShieldPool } from "./idl/shield_pool.js";
import { claimPda, configPda, eventAuthorityPda, minerPda, nullifierPda, poolPda, programDataPda, registryPda, treePda, vaultPda } from "./pda.js";
import { offlineScrambleRegistryProgram, offlineShieldPoolProgram } from "./programs.js";
import { encodeSolanaProof, encodeSolanaPublicInputs } from "./proof.js";
import { VERIFYING_KEY_IC_POINTS, type SolanaVerifyingKey } from "./verifying-key.js";

/**
 * One builder per instruction of the two programs. Each checks its inputs (a CloakError with
 * INVALID_INSTRUCTION_INPUT naming the field), derives every PDA, and returns the instruction with the
 * accounts in the IDL's order; Anchor's optional accounts that do not apply are passed as absent (the
 * program id, read-only). Every instruction that emits its event with `emit_cpi!` (transact and all
 * governance instructions of both programs) ends with the program's event authority and the program
 * itself. Nothing here touches the network.
 */

const code = ErrorCode.INVALID_INSTRUCTION_INPUT;

/** Which deployment an instruction is for; the default program ids when absent. */
export interface ShieldPoolTarget {
  programId?: PublicKey;
}

export interface ScrambleRegistryTarget {
  programId?: PublicKey;
}

/** The two accounts `#[event_cpi]` appends: the self-CPI's signer PDA and the program it calls. */
function eventCpiAccounts(programId: PublicKey) {
  return { eventAuthority: eventAuthorityPda(programId)[0], program: programId };
}

function shieldPool(target: ShieldPoolTarget) {
  const program = offlineShieldPoolProgram(target.programId ?? SHIELD_POOL_PROGRAM_ID);
  return { program, programId: program.programId, config: configPda(program.programId)[0], events: eventCpiAccounts(program.programId) };
}

function registry(target: ScrambleRegistryTarget) {
  const program = offlineScrambleRegistryProgram(target.programId ?? SCRAMBLE_REGISTRY_PROGRAM_ID);
  return { program, programId: program.programId, registry: registryPda(program.programId)[0], events: eventCpiAccounts(program.programId) };
}

// ---------------------------------------------------------------------------------------------
// Shield pool: governance

export interface InitializeConfigInput extends ShieldPoolTarget {
  /** Pays for the config and becomes its admin; must be the program's upgrade authority. */
  admin: PublicKey;
  /** May pause besides the admin; PublicKey.default for none. */
  pauseAuthority: PublicKey;
  /** May install a verifying key at once while the pool is paused; PublicKey.default for none. */
  securityCouncil: PublicKey;
  /**
   * Seconds a proposed verifying key waits, with the pool unpaused throughout, before it can be
   * applied; the program refuses less than MIN_VERIFYING_KEY_DELAY_SECONDS.
   */
  verifyingKeyDelaySeconds: bigint;
  /** Whether relayed withdrawals must consume a scramble-registry claim. */
  powRequired: boolean;
}

/** shield_pool `initialize`: creates the config PDA, signed by the upgrade authority (its ProgramData is derived). */
export async function initializeConfigInstruction(input: InitializeConfigInput): Promise<TransactionInstruction> {
  const { program, programId, config, events } = shieldPool(input);
  const params = {
    pauseAuthority: requiredKey(input.pauseAuthority, "pauseAuthority", code),
    securityCouncil: requiredKey(input.securityCouncil, "securityCouncil", code),
    verifyingKeyDelaySeconds: i64ToBN(input.verifyingKeyDelaySeconds, "verifyingKeyDelaySeconds", code),
    powRequired: requiredBool(input.powRequired, "powRequired", code),
  };
  return program.methods
    .initialize(params)
    .accountsStrict({
      config,
      admin: requiredKey(input.admin, "admin", code),
      programData: programDataPda(programId)[0],
      systemProgram: SystemProgram.programId,
      ...events,
    })
    .instruction();
}

export interface PoolLimitsInput {
  /** Largest single deposit, in the asset's base units. */
  maxDeposit: bigint;
  /** Largest relayer fee, in the asset's base units. */
  maxFee: bigint;
}

export interface InitializeSolPoolInput extends ShieldPoolTarget, PoolLimitsInput {
  admin: PublicKey;
}

/** shield_pool `initialize_sol_pool`: creates the SOL pool, its tree and its vault; announces it (PoolInitialized). */
export async function initializeSolPoolInstruction(input: InitializeSolPoolInput): Promise<TransactionInstruction> {
  const { program, programId, config, events } = shieldPool(input);
  const [pool] = poolPda(NATIVE_MINT, programId);
  return program.methods
    .initializeSolPool(u64ToBN(input.maxDeposit, "maxDeposit", code), u64ToBN(input.maxFee, "maxFee", code))
    .accountsStrict({
      config,
      pool,
      tree: treePda(pool, programId)[0],
      vault: vaultPda(pool, programId)[0],
      admin: requiredKey(input.admin, "admin", code),
      systemProgram: SystemProgram.programId,
      ...events,
    })
    .instruction();
}

export interface InitializeTokenPoolInput extends ShieldPoolTarget, PoolLimitsInput {
  admin: PublicKey;
  /** The SPL mint (Token program, not Token-2022). */
  mint: PublicKey;
}

/** shield_pool `initialize_token_pool`: creates the pool of `mint`, its tree and its token vault; announces it (PoolInitialized). */
export async function initializeTokenPoolInstruction(input: InitializeTokenPoolInput): Promise<TransactionInstruction> {
  const { program, programId, config, events } = shieldPool(input);
  const mint = requiredKey(input.mint, "mint", code);
  if (mint.equals(NATIVE_MINT)) throw new CloakError(code, "mint: the native mint's pool is made by initializeSolPoolInstruction");
  const [pool] = poolPda(mint, programId);
  return program.methods
    .initializeTokenPool(u64ToBN(input.maxDeposit, "maxDeposit", code), u64ToBN(input.maxFee, "maxFee", code))
    .accountsStrict({
      config,
      mint,
      pool,
      tree: treePda(pool, programId)[0],
      vault: vaultPda(pool, programId)[0],
      admin: requiredKey(input.admin, "admin", code),
      tokenProgram: TOKEN_PROGRAM_ID,
      systemProgram: SystemProgram.programId,
      ...events,
    })
    .instruction();
}

export interface GrowTreeInput extends ShieldPoolTarget {
  /** The pool's mint; NATIVE_MINT for the SOL pool. */
  mint: PublicKey;
  /** Pays the rent of the added bytes; anyone may. */
  payer: PublicKey;
}

/**
 * shield_pool `grow_tree`: grows the pool's tree account by up to MAX_ACCOUNT_GROWTH bytes and announces
 * the new size (TreeGrown). A pool's tree is created at 10,240 bytes and refuses transacts until grown to
 * full size (growTreeInstructions).
 */
export async function growTreeInstruction(input: GrowTreeInput): Promise<TransactionInstruction> {
  const { program, programId, events } = shieldPool(input);
  const [pool] = poolPda(requiredKey(input.mint, "mint", code), programId);
  return program.methods
    .growTree()
    .accountsStrict({
      pool,
      tree: treePda(pool, programId)[0],
      payer: requiredKey(input.payer, "payer", code),
      systemProgram: SystemProgram.programId,
      ...events,
    })
    .instruction();
}

/**
 * The grow_tree instructions that take a tree account of `currentSize` bytes (MAX_ACCOUNT_GROWTH right
 * after the pool opens) to full size, one per MAX_ACCOUNT_GROWTH bytes; several fit one transaction.
 */
export async function growTreeInstructions(input: GrowTreeInput & { currentSize?: number }): Promise<TransactionInstruction[]> {
  const currentSize = input.currentSize ?? MAX_ACCOUNT_GROWTH;
  if (!Number.isInteger(currentSize) || currentSize < 0) throw new CloakError(code, `currentSize: not a byte count: ${currentSize}`);
  const calls = Math.max(0, Math.ceil((commitmentTreeSpace() - currentSize) / MAX_ACCOUNT_GROWTH));
  return Promise.all(Array.from({ length: calls }, () => growTreeInstruction(input)));
}

export interface SetPoolLimitsInput extends ShieldPoolTarget, PoolLimitsInput {
  admin: PublicKey;
  /** The pool's mint; NATIVE_MINT for the SOL pool. */
  mint: PublicKey;
}

/** shield_pool `set_pool_limits`. */
export async function setPoolLimitsInstruction(input: SetPoolLimitsInput): Promise<TransactionInstruction> {
  const { program, programId, config, events } = shieldPool(input);
  return program.methods
    .setPoolLimits(u64ToBN(input.maxDeposit, "maxDeposit", code), u64ToBN(input.maxFee, "maxFee", code))
    .accountsStrict({
      config,
      pool: poolPda(requiredKey(input.mint, "mint", code), programId)[0],
      admin: requiredKey(input.admin, "admin", code),
      ...events,
    })
    .instruction();
}

export interface AdminInput extends ShieldPoolTarget {
  admin: PublicKey;
}

/** shield_pool `transfer_admin`: proposes `newAdmin`, who takes over with acceptAdminInstruction. */
export async function transferAdminInstruction(input: AdminInput & { newAdmin: PublicKey }): Promise<TransactionInstruction> {
  const { program, config, events } = shieldPool(input);
  return program.methods
    .transferAdmin(requiredKey(input.newAdmin, "newAdmin", code))
    .accountsStrict({ config, admin: requiredKey(input.admin, "admin", code), ...events })
    .instruction();
}

/** shield_pool `accept_admin`, signed by the pending admin. */
export async function acceptAdminInstruction(input: ShieldPoolTarget & { pendingAdmin: PublicKey }): Promise<TransactionInstruction> {
  const { program, config, events } = shieldPool(input);
  return program.methods
    .acceptAdmin()
    .accountsStrict({ config, pendingAdmin: requiredKey(input.pendingAdmin, "pendingAdmin", code), ...events })
    .instruction();
}

/** shield_pool `add_relayer`: `relayer` may then take fees. */
export async function addRelayerInstruction(input: AdminInput & { relayer: PublicKey }): Promise<TransactionInstruction> {
  const { program, config, events } = shieldPool(input);
  return program.methods
    .addRelayer(requiredKey(input.relayer, "relayer", code))
    .accountsStrict({ config, admin: requiredKey(input.admin, "admin", code), ...events })
    .instruction();
}

/** shield_pool `remove_relayer`. */
export async function removeRelayerInstruction(input: AdminInput & { relayer: PublicKey }): Promise<TransactionInstruction> {
  const { program, config, events } = shieldPool(input);
  return program.methods
    .removeRelayer(requiredKey(input.relayer, "relayer", code))
    .accountsStrict({ config, admin: requiredKey(input.admin, "admin", code), ...events })
    .instruction();
}

function verifyingKeyArg(key: SolanaVerifyingKey) {
  if (!key || typeof key !== "object") throw new CloakError(code, "verifyingKey: is required");
  if (!Array.isArray(key.ic) || key.ic.length !== VERIFYING_KEY_IC_POINTS) {
    throw new CloakError(code, `verifyingKey.ic: expected ${VERIFYING_KEY_IC_POINTS} points, got ${Array.isArray(key.ic) ? key.ic.length : "none"}`);
  }
  return {
    alphaG1: byteArray(key.alphaG1, 64, "verifyingKey.alphaG1", code),
    betaG2: byteArray(key.betaG2, 128, "verifyingKey.betaG2", code),
    gammaG2: byteArray(key.gammaG2, 128, "verifyingKey.gammaG2", code),
    deltaG2: byteArray(key.deltaG2, 128, "verifyingKey.deltaG2", code),
    ic: key.ic.map((point, i) => byteArray(point, 64, `verifyingKey.ic[${i}]`, code)),
  };
}

/** shield_pool `propose_verifying_key`: the key becomes applicable after the config's delay (replacing a pending one). */
export async function proposeVerifyingKeyInstruction(input: AdminInput & { verifyingKey: SolanaVerifyingKey }): Promise<TransactionInstruction> {
  const { program, config, events } = shieldPool(input);
  return program.methods
    .proposeVerifyingKey(verifyingKeyArg(input.verifyingKey))
    .accountsStrict({ config, admin: requiredKey(input.admin, "admin", code), ...events })
    .instruction();
}

/** shield_pool `apply_verifying_key`: installs the pending key once the pool has been unpaused for its whole delay. */
export async function applyVerifyingKeyInstruction(input: AdminInput): Promise<TransactionInstruction> {
  const { program, config, events } = shieldPool(input);
  return program.methods.applyVerifyingKey().accountsStrict({ config, admin: requiredKey(input.admin, "admin", code), ...events }).instruction();
}

/** shield_pool `cancel_verifying_key`: drops the pending key. */
export async function cancelVerifyingKeyInstruction(input: AdminInput): Promise<TransactionInstruction> {
  const { program, config, events } = shieldPool(input);
  return program.methods.cancelVerifyingKey().accountsStrict({ config, admin: requiredKey(input.admin, "admin", code), ...events }).instruction();
}

/**
 * shield_pool `emergency_set_verifying_key`, by the security council: installs the key at once, which
 * the program allows only while the pool is paused; a pending rotation is dropped.
 */
export async function emergencySetVerifyingKeyInstruction(
  input: ShieldPoolTarget & { securityCouncil: PublicKey; verifyingKey: SolanaVerifyingKey },
): Promise<TransactionInstruction> {
  const { program, config, events } = shieldPool(input);
  return program.methods
    .emergencySetVerifyingKey(verifyingKeyArg(input.verifyingKey))
    .accountsStrict({ config, securityCouncil: requiredKey(input.securityCouncil, "securityCouncil", code), ...events })
    .instruction();
}

/** shield_pool `set_verifying_key_delay`: the program refuses less than MIN_VERIFYING_KEY_DELAY_SECONDS. */
export async function setVerifyingKeyDelayInstruction(input: AdminInput & { delaySeconds: bigint }): Promise<TransactionInstruction> {
  const { program, config, events } = shieldPool(input);
  return program.methods
    .setVerifyingKeyDelay(i64ToBN(input.delaySeconds, "delaySeconds", code))
    .accountsStrict({ config, admin: requiredKey(input.admin, "admin", code), ...events })
    .instruction();
}

/** shield_pool `transfer_pause_authority`: proposes `newPauseAuthority`, who takes over with acceptPauseAuthorityInstruction. */
export async function transferPauseAuthorityInstruction(input: AdminInput & { newPauseAuthority: PublicKey }): Promise<TransactionInstruction> {
  const { program, config, events } = shieldPool(input);
  return program.methods
    .transferPauseAuthority(requiredKey(input.newPauseAuthority, "newPauseAuthority", code))
    .accountsStrict({ config, admin: requiredKey(input.admin, "admin", code), ...events })
    .instruction();
}

/** shield_pool `accept_pause_authority`, signed by the pending pause authority. */
export async function acceptPauseAuthorityInstruction(input: ShieldPoolTarget & { pendingPauseAuthority: PublicKey }): Promise<TransactionInstruction> {
  const { program, config, events } = shieldPool(input);
  return program.methods
    .acceptPauseAuthority()
    .accountsStrict({ config, pendingPauseAuthority: requiredKey(input.pendingPauseAuthority, "pendingPauseAuthority", code), ...events })
    .instruction();
}

/** shield_pool `revoke_pause_authority`: removes the pause authority and any pending one at once. */
export async function revokePauseAuthorityInstruction(input: AdminInput): Promise<TransactionInstruction> {
  const { program, config, events } = shieldPool(input);
  return program.methods.revokePauseAuthority().accountsStrict({ config, admin: requiredKey(input.admin, "admin", code), ...events }).instruction();
}

/**
 * shield_pool `transfer_security_council`, by the security council itself (the admin cannot appoint
 * it): proposes `newSecurityCouncil`, who takes over with acceptSecurityCouncilInstruction.
 */
export async function transferSecurityCouncilInstruction(
  input: ShieldPoolTarget & { securityCouncil: PublicKey; newSecurityCouncil: PublicKey },
): Promise<TransactionInstruction> {
  const { program, config, events } = shieldPool(input);
  return program.methods
    .transferSecurityCouncil(requiredKey(input.newSecurityCouncil, "newSecurityCouncil", code))
    .accountsStrict({ config, securityCouncil: requiredKey(input.securityCouncil, "securityCouncil", code), ...events })
    .instruction();
}

/** shield_pool `accept_security_council`, signed by the pending security council. */
export async function acceptSecurityCouncilInstruction(input: ShieldPoolTarget & { pendingSecurityCouncil: PublicKey }): Promise<TransactionInstruction> {
  const { program, config, events } = shieldPool(input);
  return program.methods
    .acceptSecurityCouncil()
    .accountsStrict({ config, pendingSecurityCouncil: requiredKey(input.pendingSecurityCouncil, "pendingSecurityCouncil", code), ...events })
    .instruction();
}

/** shield_pool `pause`, by the pause authority or the admin. */
export async function pauseInstruction(input: ShieldPoolTarget & { authority: PublicKey }): Promise<TransactionInstruction> {
  const { program, config, events } = shieldPool(input);
  return program.methods.pause().accountsStrict({ config, authority: requiredKey(input.authority, "authority", code), ...events }).instruction();
}

/** shield_pool `unpause`, by the admin only. */
export async function unpauseInstruction(input: AdminInput): Promise<TransactionInstruction> {
  const { program, config, events } = shieldPool(input);
  return program.methods.unpause().accountsStrict({ config, admin: requiredKey(input.admin, "admin", code), ...events }).instruction();
}

/** shield_pool `set_pow_required`. */
export async function setPowRequiredInstruction(input: AdminInput & { powRequired: boolean }): Promise<TransactionInstruction> {
  const { program, config, events } = shieldPool(input);
  return program.methods
    .setPowRequired(requiredBool(input.powRequired, "powRequired", code))
    .accountsStrict({ config, admin: requiredKey(input.admin, "admin", code), ...events })
    .instruction();
}

// ---------------------------------------------------------------------------------------------
// Shield pool: transact

/** What `transact` carries: a proven join-split (proveSolanaTransaction's result fits). */
export interface SolanaTransactPayload {
  /** The prover's proof, or its 256-byte encoding (encodeSolanaProof). */
  proof: Groth16Proof | Uint8Array;
  publicInputs: TransactionPublicInputs;
  extData: SolanaExtData;
}

/** The scramble-registry claim a transact paying a fee consumes when the config requires proof of work. */
export interface TransactPow {
  /** The revealed claim account. */
  claim: PublicKey;
  /** The claim's miner; its Miner PDA is derived from it. */
  minerAuthority: PublicKey;
  /**
   * Receives the miner's share of the fee: the miner authority itself in a SOL pool (the default), a
   * token account it owns in a token pool (default: its associated token account).
   */
  minerFeeAccount?: PublicKey;
  /** The scramble registry deployment; SCRAMBLE_REGISTRY_PROGRAM_ID when absent. */
  registryProgramId?: PublicKey;
}

export interface TransactInput extends ShieldPoolTarget {
  /** The pool's mint; NATIVE_MINT for the SOL pool. */
  mint: PublicKey;
  /**
   * Signs and pays the nullifier accounts' rent; for deposits, the depositor. When fee > 0 it must be
   * extData.relayer: the program takes a fee only from a transaction its relayer signed.
   */
  payer: PublicKey;
  transaction: SolanaTransactPayload;
  /**
   * Where the pool's tree account holds the proof's root (rootIndexOf): a ring slot below
   * SOLANA_ROOT_HISTORY_SIZE, or SOLANA_ROOT_HISTORY_SIZE + k for retired tree k's final root.
   */
  rootIndex: number;
  /** Withdrawals: the account paid, which must be extData.recipient (its default). */
  recipient?: PublicKey;
  /**
   * When fee > 0: where the relayer is paid. In a SOL pool extData.relayer itself (the default); in a
   * token pool a token account extData.relayer owns (default: its associated token account).
   */
  relayerFeeAccount?: PublicKey;
  /** Token deposits: the payer's token account the deposit comes from (default: its associated token account). */
  depositorTokenAccount?: PublicKey;
  /** The PoW claim a transact with a fee consumes, when the config requires one. */
  pow?: TransactPow;
}

function proofBytes(proof: Groth16Proof | Uint8Array): number[] {
  if (proof instanceof Uint8Array) return byteArray(proof, PROOF_BYTES, "transaction.proof", code);
  if (!proof || typeof proof !== "object") throw new CloakError(code, "transaction.proof: is required");
  try {
    return Array.from(encodeSolanaProof(proof));
  } catch (error) {
    throw new CloakError(code, `transaction.proof: not a Groth16 proof (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

/**
 * shield_pool `transact`: a deposit (extAmount > 0), private transfer (0) or withdrawal (< 0) in the
 * pool of `mint`. Checks that the ext data hashes to the proof's extDataHash for this program and
 * pool and that a fee's relayer signs, then fills the optional accounts the transaction needs and
 * leaves the others absent. Its data is 734 bytes: send it in a v0 transaction with a lookup table
 * (buildV0Transaction).
 */
export async function transactInstruction(input: TransactInput): Promise<TransactionInstruction> {
  const { program, programId, config, events } = shieldPool(input);
  const mint = requiredKey(input.mint, "mint", code);
  const payer = requiredKey(input.payer, "payer", code);
  const transaction = input.transaction;
  if (!transaction || typeof transaction !== "object") throw new CloakError(code, "transaction: is required");
  const { extData, publicInputs } = transaction;
  if (!extData || typeof extData !== "object") throw new CloakError(code, "transaction.extData: is required");
  if (!publicInputs || typeof publicInputs !== "object") throw new CloakError(code, "transaction.publicInputs: is required");
  const native = mint.equals(NATIVE_MINT);
  const [pool] = poolPda(mint, programId);

  const proof = proofBytes(transaction.proof);
  const encoded = encodeSolanaPublicInputs(publicInputs);
  const rootIndex = input.rootIndex;
  if (!Number.isInteger(rootIndex) || rootIndex < 0 || rootIndex > 0xffff_ffff) {
    throw new CloakError(code, `rootIndex: must be a u32 (a ring slot below ${SOLANA_ROOT_HISTORY_SIZE}, or ${SOLANA_ROOT_HISTORY_SIZE} + a retired tree), got ${rootIndex}`);
  }
  // hashSolanaExtData validates every ext data field first.
  if (hashSolanaExtData(extData, programId, pool) !== bytesToBigInt(encoded.extDataHash)) {
    throw new CloakError(
      code,
      `transaction.publicInputs.extDataHash: does not match extData hashed for pool ${pool.toBase58()} of program ${programId.toBase58()}; the proof was made for another pool, program or ext data`,
    );
  }

  const withdrawal = extData.extAmount < 0n;
  const tokenAccountOf = (owner: PublicKey) => getAssociatedTokenAddressSync(mint, owner, true);

  let recipient: PublicKey | null = null;
  if (input.recipient !== undefined) recipient = requiredKey(input.recipient, "recipient", code);
  if (withdrawal) {
    recipient ??= extData.recipient;
    if (!recipient.equals(extData.recipient)) {
      throw new CloakError(code, `recipient: ${recipient.toBase58()} is not extData.recipient ${extData.recipient.toBase58()}, the account the withdrawal pays`);
    }
  }

  let relayerFeeAccount: PublicKey | null = null;
  if (extData.fee > 0n) {
    if (!payer.equals(extData.relayer)) {
      throw new CloakError(code, `payer: ${payer.toBase58()} is not extData.relayer ${extData.relayer.toBase58()}; a transact paying a fee must be signed by its relayer`);
    }
    if (input.relayerFeeAccount !== undefined) relayerFeeAccount = requiredKey(input.relayerFeeAccount, "relayerFeeAccount", code);
    relayerFeeAccount ??= native ? extData.relayer : tokenAccountOf(extData.relayer);
    if (native && !relayerFeeAccount.equals(extData.relayer)) {
      throw new CloakError(code, `relayerFeeAccount: a SOL pool pays the fee to extData.relayer ${extData.relayer.toBase58()} itself`);
    }
  }

  let depositorTokenAccount: PublicKey | null = null;
  if (input.depositorTokenAccount !== undefined) {
    depositorTokenAccount = requiredKey(input.depositorTokenAccount, "depositorTokenAccount", code);
    if (native) throw new CloakError(code, "depositorTokenAccount: a SOL pool takes deposits from the payer's lamports, not a token account");
  }
  if (!native && extData.extAmount > 0n) depositorTokenAccount ??= tokenAccountOf(payer);

  let powAccounts = {
    scrambleRegistryProgram: null as PublicKey | null,
    powRegistry: null as PublicKey | null,
    powClaim: null as PublicKey | null,
    powMiner: null as PublicKey | null,
    minerFeeAccount: null as PublicKey | null,
  };
  if (input.pow !== undefined) {
    const pow = input.pow;
    if (extData.fee === 0n) {
      throw new CloakError(code, "pow: only a transact paying a fee (fee > 0) consumes a claim");
    }
    const registryProgramId = pow.registryProgramId === undefined ? SCRAMBLE_REGISTRY_PROGRAM_ID : requiredKey(pow.registryProgramId, "pow.registryProgramId", code);
    const minerAuthority = requiredKey(pow.minerAuthority, "pow.minerAuthority", code);
    powAccounts = {
      scrambleRegistryProgram: registryProgramId,
      powRegistry: registryPda(registryProgramId)[0],
      powClaim: requiredKey(pow.claim, "pow.claim", code),
      powMiner: minerPda(minerAuthority, registryProgramId)[0],
      minerFeeAccount:
        pow.minerFeeAccount !== undefined
          ? requiredKey(pow.minerFeeAccount, "pow.minerFeeAccount", code)
          : native
            ? minerAuthority
            : tokenAccountOf(minerAuthority),
    };
  }

  return program.methods
    .transact(
      proof,
      {
        // publicAmount and extDataHash are not sent: the program computes them from extData.
        root: Array.from(encoded.root),
        inputNullifiers: encoded.inputNullifiers.map((bytes) => Array.from(bytes)),
        outputCommitments: encoded.outputCommitments.map((bytes) => Array.from(bytes)),
        rootIndex,
      },
      {
        recipient: extData.recipient,
        extAmount: i64ToBN(extData.extAmount, "extData.extAmount", code),
        relayer: extData.relayer,
        fee: u64ToBN(extData.fee, "extData.fee", code),
        encryptedOutput1: Array.from(extData.encryptedOutput1),
        encryptedOutput2: Array.from(extData.encryptedOutput2),
      },
    )
    .accountsStrict({
      config,
      pool,
      tree: treePda(pool, programId)[0],
      nullifier0: nullifierPda(pool, publicInputs.inputNullifiers[0], programId)[0],
      nullifier1: nullifierPda(pool, publicInputs.inputNullifiers[1], programId)[0],
      vault: vaultPda(pool, programId)[0],
      payer,
      recipient,
      relayerFeeAccount,
      depositorTokenAccount,
      tokenProgram: native ? null : TOKEN_PROGRAM_ID,
      systemProgram: SystemProgram.programId,
      ...powAccounts,
      // emit_cpi!: the program signs a self-CPI carrying the Transacted event with its event authority.
      ...events,
    })
    .instruction();
}

// ---------------------------------------------------------------------------------------------
// Scramble registry

/** The registry's admin-chosen parameters (`RegistryParams`). */
export interface RegistryParams {
  /** The only signer that may consume claims: the shield pool's config PDA. */
  consumerAuthority: PublicKey;
  /** Difficulty at initialize; update_params validates it but keeps the live difficulty. */
  initialDifficulty: bigint;
  minDifficulty: bigint;
  maxDifficulty: bigint;
  targetIntervalSlots: bigint;
  /** u16: the miner's share of a consumed withdrawal's fee, in basis points. */
  minerFeeShareBps: number;
  revealWindowSlots: bigint;
  claimWindowSlots: bigint;
  /** u16: consumptions each new claim allows. */
  maxConsumptions: number;
}

function registryParamsArg(params: RegistryParams) {
  if (!params || typeof params !== "object") throw new CloakError(code, "params: is required");
  return {
    consumerAuthority: requiredKey(params.consumerAuthority, "params.consumerAuthority", code),
    initialDifficulty: u64ToBN(params.initialDifficulty, "params.initialDifficulty", code),
    minDifficulty: u64ToBN(params.minDifficulty, "params.minDifficulty", code),
    maxDifficulty: u64ToBN(params.maxDifficulty, "params.maxDifficulty", code),
    targetIntervalSlots: u64ToBN(params.targetIntervalSlots, "params.targetIntervalSlots", code),
    minerFeeShareBps: u16(params.minerFeeShareBps, "params.minerFeeShareBps", code),
    revealWindowSlots: u64ToBN(params.revealWindowSlots, "params.revealWindowSlots", code),
    claimWindowSlots: u64ToBN(params.claimWindowSlots, "params.claimWindowSlots", code),
    maxConsumptions: u16(params.maxConsumptions, "params.maxConsumptions", code),
  };
}

export interface RegistryParamsInput extends ScrambleRegistryTarget {
  admin: PublicKey;
  params: RegistryParams;
}

/**
 * scramble_registry `initialize`: creates the registry PDA; `admin` pays and governs it, and must be the
 * program's upgrade authority (its ProgramData is derived).
 */
export async function initializeRegistryInstruction(input: RegistryParamsInput): Promise<TransactionInstruction> {
  const { program, programId, registry: registryAddress, events } = registry(input);
  return program.methods
    .initialize(registryParamsArg(input.params))
    .accountsStrict({
      registry: registryAddress,
      admin: requiredKey(input.admin, "admin", code),
      programData: programDataPda(programId)[0],
      systemProgram: SystemProgram.programId,
      ...events,
    })
    .instruction();
}

/** scramble_registry `update_params`. */
export async function updateRegistryParamsInstruction(input: RegistryParamsInput): Promise<TransactionInstruction> {
  const { program, registry: registryAddress, events } = registry(input);
  return program.methods
    .updateParams(registryParamsArg(input.params))
    .accountsStrict({ registry: registryAddress, admin: requiredKey(input.admin, "admin", code), ...events })
    .instruction();
}

/** scramble_registry `transfer_admin`: proposes `newAdmin`, who takes over with acceptRegistryAdminInstruction. */
export async function transferRegistryAdminInstruction(
  input: ScrambleRegistryTarget & { admin: PublicKey; newAdmin: PublicKey },
): Promise<TransactionInstruction> {
  const { program, registry: registryAddress, events } = registry(input);
  return program.methods
    .transferAdmin(requiredKey(input.newAdmin, "newAdmin", code))
    .accountsStrict({ registry: registryAddress, admin: requiredKey(input.admin, "admin", code), ...events })
    .instruction();
}

/** scramble_registry `accept_admin`, signed by the pending admin. */
export async function acceptRegistryAdminInstruction(input: ScrambleRegistryTarget & { pendingAdmin: PublicKey }): Promise<TransactionInstruction> {
  const { program, registry: registryAddress, events } = registry(input);
  return program.methods
    .acceptAdmin()
    .accountsStrict({ registry: registryAddress, pendingAdmin: requiredKey(input.pendingAdmin, "pendingAdmin", code), ...events })
    .instruction();
}

/** scramble_registry `register_miner`: opens the Miner PDA of `authority`. */
export async function registerMinerInstruction(input: ScrambleRegistryTarget & { authority: PublicKey }): Promise<TransactionInstruction> {
  const { program, programId, registry: registryAddress } = registry(input);
  const authority = requiredKey(input.authority, "authority", code);
  return program.methods
    .registerMiner()
    .accountsStrict({ registry: registryAddress, miner: minerPda(authority, programId)[0], authority, systemProgram: SystemProgram.programId })
    .instruction();
}

export interface MineClaimInput extends ScrambleRegistryTarget {
  /** The miner's key; signs, pays for the claim, and is bound into the proof of work. */
  authority: PublicKey;
  /** The slot whose hash seeded the work; it must still be in the SlotHashes sysvar. */
  slot: bigint;
  slotHash: Uint8Array;
  /** The batch the claim serves, or WILDCARD_BATCH. */
  batchHash: Uint8Array;
  nonce: bigint;
}

/** scramble_registry `mine_claim`: records a proof of work (searchNonce) as a claim PDA. */
export async function mineClaimInstruction(input: MineClaimInput): Promise<TransactionInstruction> {
  const { program, programId, registry: registryAddress } = registry(input);
  const authority = requiredKey(input.authority, "authority", code);
  const batchHash = byteArray(input.batchHash, 32, "batchHash", code);
  const slot = u64ToBN(input.slot, "slot", code);
  return program.methods
    .mineClaim(slot, byteArray(input.slotHash, 32, "slotHash", code), batchHash, u64ToBN(input.nonce, "nonce", code))
    .accountsStrict({
      registry: registryAddress,
      miner: minerPda(authority, programId)[0],
      claim: claimPda(authority, input.batchHash, input.slot, programId)[0],
      authority,
      slotHashes: SYSVAR_SLOT_HASHES_PUBKEY,
      systemProgram: SystemProgram.programId,
    })
    .instruction();
}

/** scramble_registry `reveal_claim`, by the claim's miner: opens its consumption window. */
export async function revealClaimInstruction(input: ScrambleRegistryTarget & { authority: PublicKey; claim: PublicKey }): Promise<TransactionInstruction> {
  const { program, programId, registry: registryAddress } = registry(input);
  const authority = requiredKey(input.authority, "authority", code);
  return program.methods
    .revealClaim()
    .accountsStrict({ registry: registryAddress, claim: requiredKey(input.claim, "claim", code), miner: minerPda(authority, programId)[0], authority })
    .instruction();
}

export interface ConsumeClaimInput extends ScrambleRegistryTarget {
  claim: PublicKey;
  /** The claim's miner, whose Miner PDA is derived. */
  minerAuthority: PublicKey;
  batchHash: Uint8Array;
  /** The registry's consumer authority; the default shield pool's config PDA when absent. */
  consumer?: PublicKey;
}

/**
 * scramble_registry `consume_claim`. Only the consumer authority (the shield pool's config PDA) can
 * sign it, so on chain it only happens inside `transact`; this builder serves tests and simulations.
 */
export async function consumeClaimInstruction(input: ConsumeClaimInput): Promise<TransactionInstruction> {
  const { program, programId, registry: registryAddress } = registry(input);
  const minerAuthority = requiredKey(input.minerAuthority, "minerAuthority", code);
  const consumer = input.consumer === undefined ? configPda()[0] : requiredKey(input.consumer, "consumer", code);
  return program.methods
    .consumeClaim(byteArray(input.batchHash, 32, "batchHash", code))
    .accountsStrict({ registry: registryAddress, claim: requiredKey(input.claim, "claim", code), miner: minerPda(minerAuthority, programId)[0], consumer })
    .instruction();
}

export interface CloseExpiredClaimInput extends ScrambleRegistryTarget {
  claim: PublicKey;
  /** The claim's miner: receives the rent. */
  minerAuthority: PublicKey;
  /** Anyone; signs. */
  caller: PublicKey;
}

/** scramble_registry `close_expired_claim`: anyone closes a dead claim, refunding the miner. */
export async function closeExpiredClaimInstruction(input: CloseExpiredClaimInput): Promise<TransactionInstruction> {
  const { program, programId, registry: registryAddress } = registry(input);
  const minerAuthority = requiredKey(input.minerAuthority, "minerAuthority", code);
  return program.methods
    .closeExpiredClaim()
    .accountsStrict({
      registry: registryAddress,
      claim: requiredKey(input.claim, "claim", code),
      miner: minerPda(minerAuthority, programId)[0],
      minerAuthority,
      caller: requiredKey(input.caller, "caller", code),
    })
    .instruction();
}

// ---------------------------------------------------------------------------------------------
// Every instruction of each IDL has its builder: adding one to a program without one here fails to compile.

type InstructionNames<I extends { instructions: readonly { name: string }[] }> = I["instructions"][number]["name"];

export const shieldPoolInstructions = {
  acceptAdmin: acceptAdminInstruction,
  acceptPauseAuthority: acceptPauseAuthorityInstruction,
  acceptSecurityCouncil: acceptSecurityCouncilInstruction,
  addRelayer: addRelayerInstruction,
  applyVerifyingKey: applyVerifyingKeyInstruction,
  cancelVerifyingKey: cancelVerifyingKeyInstruction,
  emergencySetVerifyingKey: emergencySetVerifyingKeyInstruction,
  initialize: initializeConfigInstruction,
  initializeSolPool: initializeSolPoolInstruction,
  initializeTokenPool: initializeTokenPoolInstruction,
  growTree: growTreeInstruction,
  pause: pauseInstruction,
  proposeVerifyingKey: proposeVerifyingKeyInstruction,
  removeRelayer: removeRelayerInstruction,
  revokePauseAuthority: revokePauseAuthorityInstruction,
  setPoolLimits: setPoolLimitsInstruction,
  setPowRequired: setPowRequiredInstruction,
  setVerifyingKeyDelay: setVerifyingKeyDelayInstruction,
  transact: transactInstruction,
  transferAdmin: transferAdminInstruction,
  transferPauseAuthority: transferPauseAuthorityInstruction,
  transferSecurityCouncil: transferSecurityCouncilInstruction,
  unpause: unpauseInstruction,
} as const satisfies Record<InstructionNames<ShieldPool>, unknown>;

export const scrambleRegistryInstructions = {
  acceptAdmin: acceptRegistryAdminInstruction,
  closeExpiredClaim: closeExpiredClaimInstruction,
  consumeClaim: consumeClaimInstruction,
  initialize: initializeRegistryInstruction,
  mineClaim: mineClaimInstruction,
  registerMiner: registerMinerInstruction,
  revealClaim: revealClaimInstruction,
  transferAdmin: transferRegistryAdminInstruction,
  updateParams: updateRegistryParamsInstruction,
} as const satisfies Record<InstructionNames<ScrambleRegistry>, unknown>;
