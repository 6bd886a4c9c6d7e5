import { getAssociatedTokenAddressSync, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import {
  SystemProgram,
  TransactionMessage,
  VersionedTransaction,
  type AddressLookupTableAccount,
  type Blockhash,
  type PublicKey,
  type TransactionInstruction,
} from "@solana/web3.js";
import { ErrorCode } from "../errors.js";
import { requiredKey } from "./anchor-values.js";
import { NATIVE_MINT, SCRAMBLE_REGISTRY_PROGRAM_ID, SHIELD_POOL_PROGRAM_ID } from "./constants.js";
import { configPda, eventAuthorityPda, minerPda, poolPda, registryPda, treePda, vaultPda } from "./pda.js";

/**
 * `transact` carries 730 bytes of data, so with its accounts it does not fit a legacy
 * transaction (1232 bytes): it goes in a v0 transaction whose fixed accounts come from an address
 * lookup table. These helpers list what such a table should hold and compile the transaction.
 */

const code = ErrorCode.INVALID_INSTRUCTION_INPUT;

export interface TransactLookupTableInput {
  /** The pool's mint; NATIVE_MINT for the SOL pool. */
  mint: PublicKey;
  programId?: PublicKey;
  /**
   * Relayers whose fee accounts to include: the relayer itself in a SOL pool, its associated token
   * account in a token pool. (A relayer signs the transacts that pay it, and a signer always stays in
   * the message, so only a token pool's fee accounts save bytes here.)
   */
  relayers?: readonly PublicKey[];
  /** Include the scramble registry program and its registry, for PoW-gated relayed withdrawals. */
  pow?: boolean;
  /** Miners whose claims relayed withdrawals consume (implies `pow`): each one's Miner PDA and fee account. */
  miners?: readonly PublicKey[];
  registryProgramId?: PublicKey;
}

/**
 * The accounts that repeat across one pool's transacts, for an address lookup table: config, pool,
 * tree, vault, the event authority, the system program, the token program (token pools), the given
 * relayers' fee accounts and, for PoW, the registry program, its registry and the given miners' PDAs
 * and fee accounts. Claims, nullifier records and recipients change with every transaction and stay
 * in the message itself; so do the payer and the invoked programs, which v0 messages must list
 * statically (the shield pool among them, which transact also takes as its `program` account).
 * A PoW-gated SOL withdrawal with a compute budget instruction then fits a packet.
 */
export function transactLookupTableAddresses(input: TransactLookupTableInput): PublicKey[] {
  const programId = input.programId ?? SHIELD_POOL_PROGRAM_ID;
  const mint = requiredKey(input.mint, "mint", code);
  const native = mint.equals(NATIVE_MINT);
  const feeAccount = (owner: PublicKey) => (native ? owner : getAssociatedTokenAddressSync(mint, owner, true));
  const [pool] = poolPda(mint, programId);
  const addresses = [
    configPda(programId)[0],
    pool,
    treePda(pool, programId)[0],
    vaultPda(pool, programId)[0],
    eventAuthorityPda(programId)[0],
    SystemProgram.programId,
  ];
  if (!native) addresses.push(TOKEN_PROGRAM_ID);
  for (const [i, relayer] of (input.relayers ?? []).entries()) addresses.push(feeAccount(requiredKey(relayer, `relayers[${i}]`, code)));
  const miners = input.miners ?? [];
  if (input.pow || miners.length > 0) {
    const registryProgramId = input.registryProgramId ?? SCRAMBLE_REGISTRY_PROGRAM_ID;
    addresses.push(registryProgramId, registryPda(registryProgramId)[0]);
    for (const [i, miner] of miners.entries()) {
      const authority = requiredKey(miner, `miners[${i}]`, code);
      addresses.push(minerPda(authority, registryProgramId)[0], feeAccount(authority));
    }
  }
  // A table holds each key once.
  return addresses.filter((address, i) => addresses.findIndex((other) => other.equals(address)) === i);
}

export interface V0TransactionInput {
  payer: PublicKey;
  recentBlockhash: Blockhash;
  /** E.g. a compute budget instruction, then transactInstruction's. */
  instructions: TransactionInstruction[];
  lookupTables: AddressLookupTableAccount[];
}

/** An unsigned v0 transaction of `instructions`, resolving what it can through `lookupTables`. */
export function buildV0Transaction(input: V0TransactionInput): VersionedTransaction {
  const message = new TransactionMessage({
    payerKey: requiredKey(input.payer, "payer", code),
    recentBlockhash: input.recentBlockhash,
    instructions: input.instructions,
  }).compileToV0Message(input.lookupTables);
  return new VersionedTransaction(message);
}
