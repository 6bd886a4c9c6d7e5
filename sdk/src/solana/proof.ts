import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { CloakError, ErrorCode } from "../errors.js";
import { bigIntToBytes, bytesToBigInt, toField } from "../field.js";
import { toSolidityProof, type Groth16Proof } from "../proof.js";
import type { TransactionPublicInputs } from "../prover.js";
import { POW_BATCH_DOMAIN, PROOF_BYTES } from "./constants.js";
import { checkBytes } from "./encoding.js";

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

/** The BN254 base field modulus q: every curve point coordinate lies below it. */
export const BN254_BASE_FIELD_MODULUS = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

/**
 * The inverse of encodeSolanaProof: the 256 bytes back as the prover's affine proof (decimal strings,
 * G2 coordinates in snarkjs' c0, c1 order). Refuses a coordinate that is not below q.
 */
export function decodeSolanaProof(bytes: Uint8Array): Groth16Proof {
  checkBytes(bytes, PROOF_BYTES, "proof", ErrorCode.INVALID_PROOF_ENCODING);
  const names = ["a.x", "a.y", "b.x.c1", "b.x.c0", "b.y.c1", "b.y.c0", "c.x", "c.y"];
  const limbs = names.map((name, i) => {
    const value = bytesToBigInt(bytes.subarray(32 * i, 32 * i + 32));
    if (value >= BN254_BASE_FIELD_MODULUS) {
      throw new CloakError(ErrorCode.INVALID_PROOF_ENCODING, `proof.${name}: not below the BN254 base field modulus`);
    }
    return value.toString();
  }) as [string, string, string, string, string, string, string, string];
  const [ax, ay, bx1, bx0, by1, by0, cx, cy] = limbs;
  return {
    pi_a: [ax, ay],
    pi_b: [
      [bx0, bx1],
      [by0, by1],
    ],
    pi_c: [cx, cy],
  };
}

/**
 * -P for a 64-byte big-endian G1 point (x, y): (x, q - y), with y = 0 (the point at infinity's
 * encoding) left as is. What groth16-solana takes as the proof's A, which the program negates itself;
 * this mirrors it for checks and tests. Refuses y that is not below q.
 */
export function negateG1(point: Uint8Array): Uint8Array {
  checkBytes(point, 64, "point", ErrorCode.INVALID_PROOF_ENCODING);
  const y = bytesToBigInt(point.subarray(32));
  if (y >= BN254_BASE_FIELD_MODULUS) throw new CloakError(ErrorCode.INVALID_PROOF_ENCODING, "point.y: not below the BN254 base field modulus");
  const negated = Uint8Array.from(point);
  if (y !== 0n) negated.set(bigIntToBytes(BN254_BASE_FIELD_MODULUS - y, 32), 32);
  return negated;
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
 * The public inputs as `transact` carries them (164 bytes): root, both nullifiers, both commitments,
 * then the root's position in the tree account (u32 little-endian, not a circuit input). The program
 * computes publicAmount and extDataHash from the ext data itself.
 */
export function encodeSolanaTransactPublicInputs(publicInputs: TransactionPublicInputs, rootIndex: number): Uint8Array {
  if (!Number.isInteger(rootIndex) || rootIndex < 0 || rootIndex > 0xffff_ffff) {
    throw new CloakError(ErrorCode.INVALID_INSTRUCTION_INPUT, `rootIndex: must be a u32, got ${rootIndex}`);
  }
  const encoded = encodeSolanaPublicInputs(publicInputs);
  const position = new Uint8Array(4);
  new DataView(position.buffer).setUint32(0, rootIndex, true);
  return concatBytes(encoded.root, ...encoded.inputNullifiers, ...encoded.outputCommitments, position);
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
