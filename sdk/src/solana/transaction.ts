import type { PublicKey } from "@solana/web3.js";
import type { PoseidonHasher } from "../poseidon.js";
import type { Prover } from "../prover.js";
import {
  prepareJoinSplit,
  proveJoinSplit,
  type ExtDataBinding,
  type JoinSplitRequest,
  type PreparedJoinSplit,
  type ProvenJoinSplit,
} from "../transaction.js";
import { ErrorCode } from "../errors.js";
import { SHIELD_POOL_PROGRAM_ID } from "./constants.js";
import { keyBytes } from "./encoding.js";
import { hashSolanaExtData, validateSolanaExtDataDraft, type SolanaExtData, type SolanaExtDataDraft } from "./ext-data.js";

/** A join-split for a Solana pool: the notes, the ext data draft, and the pool the proof is bound to. */
export interface SolanaTransactionRequest extends JoinSplitRequest {
  extData: SolanaExtDataDraft;
  /** The pool account, poolPda(mint); it is hashed into extDataHash. */
  pool: PublicKey;
  /** The shield pool program; SHIELD_POOL_PROGRAM_ID when absent. */
  programId?: PublicKey;
}

export interface PreparedSolanaTransaction extends PreparedJoinSplit<SolanaExtData> {}

export type ProvenSolanaTransaction = ProvenJoinSplit<SolanaExtData>;

/** The Solana binding: the ciphertexts complete `draft`, hashed with SHA-256 over the program id and pool. */
export function solanaExtDataBinding(draft: SolanaExtDataDraft, pool: PublicKey, programId: PublicKey = SHIELD_POOL_PROGRAM_ID): ExtDataBinding<SolanaExtData> {
  validateSolanaExtDataDraft(draft);
  keyBytes(pool, "pool", ErrorCode.INVALID_EXT_DATA);
  keyBytes(programId, "programId", ErrorCode.INVALID_EXT_DATA);
  return {
    extAmount: draft.extAmount,
    fee: draft.fee,
    bind(encryptedOutput1, encryptedOutput2) {
      const extData: SolanaExtData = { ...draft, encryptedOutput1, encryptedOutput2 };
      return { extData, extDataHash: hashSolanaExtData(extData, programId, pool) };
    },
  };
}

function bindingOf(request: SolanaTransactionRequest): ExtDataBinding<SolanaExtData> {
  return solanaExtDataBinding(request.extData, request.pool, request.programId ?? SHIELD_POOL_PROGRAM_ID);
}

/** prepareJoinSplit for a Solana pool: the draft is checked, completed with the ciphertexts and hashed. */
export function prepareSolanaTransaction(request: SolanaTransactionRequest, poseidon: PoseidonHasher): PreparedSolanaTransaction {
  return prepareJoinSplit(request, bindingOf(request), poseidon);
}

/** prepareSolanaTransaction, then a Groth16 proof whose public signals are checked against what was prepared. */
export async function proveSolanaTransaction(request: SolanaTransactionRequest, prover: Prover, poseidon: PoseidonHasher): Promise<ProvenSolanaTransaction> {
  return proveJoinSplit(request, bindingOf(request), prover, poseidon);
}
