import { hexlify } from "ethers";
import type { EvmExtData } from "../ext-data.js";
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

/** `ShieldPool.ExtData` as ethers encodes it: the ciphertexts as 0x-hex. */
export type PoolExtDataArgs = Omit<EvmExtData, "encryptedOutput1" | "encryptedOutput2"> & {
  encryptedOutput1: string;
  encryptedOutput2: string;
};

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
    extData: { ...extData, encryptedOutput1: hexlify(extData.encryptedOutput1), encryptedOutput2: hexlify(extData.encryptedOutput2) },
  };
}
