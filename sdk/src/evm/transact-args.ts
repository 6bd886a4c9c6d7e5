import { hexlify } from "ethers";
import { toHex32 } from "../field.js";
import { toSolidityProof } from "../proof.js";
import type { ProvenTransaction } from "../transaction.js";

/** `ShieldPool.Proof` as ethers encodes it. */
export interface PoolProofArgs {
  pA: [bigint, bigint];
  pB: [[bigint, bigint], [bigint, bigint]];
  pC: [bigint, bigint];
  root: string;
  inputNullifiers: [string, string];
  outputCommitments: [string, string];
}

/** `ShieldPool.ExtData` as ethers encodes it. */
export interface PoolExtDataArgs {
  chainId: bigint;
  pool: string;
  recipient: string;
  extAmount: bigint;
  relayer: string;
  fee: bigint;
  encryptedOutput1: string;
  encryptedOutput2: string;
}

/** The two arguments of `ShieldPool.transact`, and the native value a deposit into a native pool sends. */
export function toTransactArgs(tx: ProvenTransaction): { proof: PoolProofArgs; extData: PoolExtDataArgs } {
  const { pA, pB, pC } = toSolidityProof(tx.proof);
  const { publicInputs, extData } = tx;
  return {
    proof: {
      pA,
      pB,
      pC,
      root: toHex32(publicInputs.root),
      inputNullifiers: [toHex32(publicInputs.inputNullifiers[0]), toHex32(publicInputs.inputNullifiers[1])],
      outputCommitments: [toHex32(publicInputs.outputCommitments[0]), toHex32(publicInputs.outputCommitments[1])],
    },
    extData: {
      chainId: extData.chainId,
      pool: extData.pool,
      recipient: extData.recipient,
      extAmount: extData.extAmount,
      relayer: extData.relayer,
      fee: extData.fee,
      encryptedOutput1: hexlify(extData.encryptedOutput1),
      encryptedOutput2: hexlify(extData.encryptedOutput2),
    },
  };
}
