import { AbiCoder } from "ethers";

/** A Groth16 proof over BN254 in snarkjs' affine JSON form (decimal strings, projective z dropped). */
export interface Groth16Proof {
  pi_a: [string, string];
  pi_b: [[string, string], [string, string]];
  pi_c: [string, string];
}

/** The proof as the generated Solidity verifier's `verifyProof(pA, pB, pC, pubSignals)` takes it. */
export interface SolidityProof {
  pA: [bigint, bigint];
  /** G2 coordinates in the EVM precompile's order: (x.c1, x.c0), (y.c1, y.c0). */
  pB: [[bigint, bigint], [bigint, bigint]];
  pC: [bigint, bigint];
}

export function toSolidityProof(proof: Groth16Proof): SolidityProof {
  const b = proof.pi_b;
  return {
    pA: [BigInt(proof.pi_a[0]), BigInt(proof.pi_a[1])],
    pB: [
      [BigInt(b[0][1]), BigInt(b[0][0])],
      [BigInt(b[1][1]), BigInt(b[1][0])],
    ],
    pC: [BigInt(proof.pi_c[0]), BigInt(proof.pi_c[1])],
  };
}

/** The 256-byte `abi.encode(uint256[8])` form (a, b, c flattened) that contracts accept as `bytes proof`. */
export function encodeSolidityProof(proof: Groth16Proof): string {
  const { pA, pB, pC } = toSolidityProof(proof);
  return AbiCoder.defaultAbiCoder().encode(["uint256[8]"], [[...pA, ...pB[0], ...pB[1], ...pC]]);
}

/** Keeps only the affine coordinates snarkjs needs; accepts its 3-coordinate projective output. */
export function normalizeProof(proof: { pi_a: readonly string[]; pi_b: readonly (readonly string[])[]; pi_c: readonly string[] }): Groth16Proof {
  const pair = (p: readonly string[] | undefined): [string, string] => [String(p?.[0]), String(p?.[1])];
  return {
    pi_a: pair(proof.pi_a),
    pi_b: [pair(proof.pi_b[0]), pair(proof.pi_b[1])],
    pi_c: pair(proof.pi_c),
  };
}
