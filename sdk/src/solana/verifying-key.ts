import { concatBytes } from "@noble/hashes/utils.js";
import { CloakError, ErrorCode } from "../errors.js";
import { bigIntToBytes } from "../field.js";
import { BN254_BASE_FIELD_MODULUS } from "./proof.js";

/**
 * The join-split verifying key in the layout the shield pool stores and `propose_verifying_key` takes
 * (groth16-solana's): 32-byte big-endian limbs, G1 as (x, y), G2 as (x.c1, x.c0, y.c1, y.c0).
 */
export interface SolanaVerifyingKey {
  alphaG1: Uint8Array;
  betaG2: Uint8Array;
  gammaG2: Uint8Array;
  deltaG2: Uint8Array;
  /** VERIFYING_KEY_IC_POINTS G1 points: one per public input, plus one. */
  ic: Uint8Array[];
}

/** The circuit's seven public inputs, plus one. */
export const VERIFYING_KEY_IC_POINTS = 8;

/** The parts of snarkjs' verification_key.json used here; points are projective decimal strings. */
export interface SnarkjsVerificationKey {
  protocol: string;
  curve: string;
  nPublic: number;
  vk_alpha_1: readonly string[];
  vk_beta_2: readonly (readonly string[])[];
  vk_gamma_2: readonly (readonly string[])[];
  vk_delta_2: readonly (readonly string[])[];
  IC: readonly (readonly string[])[];
}

const code = ErrorCode.INVALID_PROOF_ENCODING;

function limb(value: string | undefined, field: string): Uint8Array {
  if (typeof value !== "string" || !/^[0-9]+$/.test(value)) throw new CloakError(code, `${field}: not a decimal integer`);
  const n = BigInt(value);
  if (n >= BN254_BASE_FIELD_MODULUS) throw new CloakError(code, `${field}: not below the BN254 base field modulus`);
  return bigIntToBytes(n, 32);
}

function g1(point: readonly string[] | undefined, field: string): Uint8Array {
  if (!point || point.length !== 3 || point[2] !== "1") throw new CloakError(code, `${field}: expected an affine G1 point [x, y, "1"]`);
  return concatBytes(limb(point[0], `${field}.x`), limb(point[1], `${field}.y`));
}

function g2(point: readonly (readonly string[])[] | undefined, field: string): Uint8Array {
  const [x, y, z] = point ?? [];
  if (!x || !y || x.length !== 2 || y.length !== 2 || z?.[0] !== "1" || z[1] !== "0") {
    throw new CloakError(code, `${field}: expected an affine G2 point [[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]`);
  }
  // snarkjs writes c0 first; the alt_bn128 syscalls read c1 first.
  return concatBytes(limb(x[1], `${field}.x.c1`), limb(x[0], `${field}.x.c0`), limb(y[1], `${field}.y.c1`), limb(y[0], `${field}.y.c0`));
}

/** A snarkjs Groth16 BN254 verification key of the join-split in the program's layout. */
export function toSolanaVerifyingKey(vkey: SnarkjsVerificationKey): SolanaVerifyingKey {
  if (vkey.protocol !== "groth16" || vkey.curve !== "bn128") {
    throw new CloakError(code, `verifyingKey: expected a groth16 key on bn128, got ${vkey.protocol} on ${vkey.curve}`);
  }
  if (vkey.nPublic !== VERIFYING_KEY_IC_POINTS - 1 || vkey.IC.length !== VERIFYING_KEY_IC_POINTS) {
    throw new CloakError(code, `verifyingKey.IC: the join-split key has ${VERIFYING_KEY_IC_POINTS} points, got ${vkey.IC.length} (nPublic ${vkey.nPublic})`);
  }
  return {
    alphaG1: g1(vkey.vk_alpha_1, "vk_alpha_1"),
    betaG2: g2(vkey.vk_beta_2, "vk_beta_2"),
    gammaG2: g2(vkey.vk_gamma_2, "vk_gamma_2"),
    deltaG2: g2(vkey.vk_delta_2, "vk_delta_2"),
    ic: vkey.IC.map((point, i) => g1(point, `IC[${i}]`)),
  };
}
