import { publicAmount, toHex32, verifyProof, type Groth16Proof, type TransactionPublicInputs } from "@cloak/sdk";
import { RelayError, RelayErrorCode } from "../errors.ts";

/**
 * The checks both chains' intakes make once the ExtData hash matched: publicAmount is extAmount − fee,
 * the two nullifiers differ, and the proof verifies (last: it is the one that costs ~20 ms). Returns
 * the nullifiers as 0x 32-byte hex.
 */
export async function checkJoinSplit(input: {
  inputs: TransactionPublicInputs;
  extData: { extAmount: bigint; fee: bigint };
  proof: Groth16Proof;
  publicSignals: bigint[];
  verificationKey: object;
}): Promise<[string, string]> {
  const { inputs, extData } = input;
  const expectedAmount = publicAmount(extData.extAmount, extData.fee);
  if (expectedAmount !== inputs.publicAmount) {
    throw new RelayError(RelayErrorCode.PUBLIC_AMOUNT_MISMATCH, `publicSignals[1] (publicAmount): ${inputs.publicAmount} is not (extAmount - fee) mod p = ${expectedAmount}`);
  }
  const nullifiers: [string, string] = [toHex32(inputs.inputNullifiers[0]), toHex32(inputs.inputNullifiers[1])];
  if (nullifiers[0] === nullifiers[1]) throw new RelayError(RelayErrorCode.DUPLICATE_NULLIFIER, `publicSignals[3..4] (inputNullifiers): both are ${nullifiers[0]}`);
  if (!(await verifyProof(input.verificationKey, input.proof, input.publicSignals))) {
    throw new RelayError(RelayErrorCode.INVALID_PROOF, "proof: does not verify against publicSignals with the depth-20 verification key");
  }
  return nullifiers;
}

/** The request's fee against the relay's current quote. */
export function requireFeeCovers(fee: bigint, quoted: bigint): void {
  if (fee < quoted) throw new RelayError(RelayErrorCode.FEE_TOO_LOW, `extData.fee: ${fee} is below the current quote of ${quoted}`);
}
