import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { bigIntToBytes, toField } from "../field.js";
import { toSolidityProof, type Groth16Proof } from "../proof.js";
import type { TransactionPublicInputs } from "../prover.js";
import { POW_BATCH_DOMAIN } from "./constants.js";

/** The public inputs as the program's `TransactPublicInputs` takes them: 32-byte big-endian field elements. */
export interface SolanaPublicInputs {
  root: Uint8Array;
  publicAmount: Uint8Array;
  extDataHash: Uint8Array;
  inputNullifiers: [Uint8Array, Uint8Array];
  outputCommitments: [Uint8Array, Uint8Array];
}

function fieldBytes(value: bigint, field: string): Uint8Array {
  return bigIntToBytes(toField(value, field), 32);
}

/**
 * The 256-byte proof the program takes: A (x, y) | B (x.c1, x.c0, y.c1, y.c0) | C (x, y), each
 * coordinate 32 bytes big-endian; the same bytes as the EVM verifier's `uint256[8]`. A is not
 * negated here: the program negates it for the pairing check.
 */
export function encodeSolanaProof(proof: Groth16Proof): Uint8Array {
  const { pA, pB, pC } = toSolidityProof(proof);
  const coordinates = [...pA, ...pB[0], ...pB[1], ...pC];
  return concatBytes(...coordinates.map((value) => bigIntToBytes(value, 32)));
}

/** Each public input as 32 bytes big-endian, in the circuit's order. */
export function encodeSolanaPublicInputs(publicInputs: TransactionPublicInputs): SolanaPublicInputs {
  return {
    root: fieldBytes(publicInputs.root, "publicInputs.root"),
    publicAmount: fieldBytes(publicInputs.publicAmount, "publicInputs.publicAmount"),
    extDataHash: fieldBytes(publicInputs.extDataHash, "publicInputs.extDataHash"),
    inputNullifiers: [
      fieldBytes(publicInputs.inputNullifiers[0], "publicInputs.inputNullifiers[0]"),
      fieldBytes(publicInputs.inputNullifiers[1], "publicInputs.inputNullifiers[1]"),
    ],
    outputCommitments: [
      fieldBytes(publicInputs.outputCommitments[0], "publicInputs.outputCommitments[0]"),
      fieldBytes(publicInputs.outputCommitments[1], "publicInputs.outputCommitments[1]"),
    ],
  };
}

/** The 224-byte borsh form of `TransactPublicInputs`: the seven inputs back to back, in the circuit's order. */
export function encodeSolanaPublicInputsFlat(publicInputs: TransactionPublicInputs): Uint8Array {
  const encoded = encodeSolanaPublicInputs(publicInputs);
  return concatBytes(encoded.root, encoded.publicAmount, encoded.extDataHash, ...encoded.inputNullifiers, ...encoded.outputCommitments);
}

/**
 * The batch a relayed withdrawal binds a PoW claim to: SHA-256(utf8(POW_BATCH_DOMAIN) ||
 * nullifier0 || nullifier1), nullifiers 32 bytes big-endian. Known as soon as the proof is.
 */
export function powBatchHash(inputNullifiers: readonly [bigint, bigint]): Uint8Array {
  return sha256(
    concatBytes(
      utf8ToBytes(POW_BATCH_DOMAIN),
      fieldBytes(inputNullifiers[0], "inputNullifiers[0]"),
      fieldBytes(inputNullifiers[1], "inputNullifiers[1]"),
    ),
  );
}
