import { buildPoseidon } from "circomlibjs";
import { CloakError, ErrorCode } from "./errors.js";
import { FIELD_SIZE } from "./field.js";

/** Poseidon over BN254 with circomlib's parameters: the exact hash the circuit and both chains compute. */
export interface PoseidonHasher {
  /** Hashes 1 to 16 field elements. */
  hash(inputs: readonly bigint[]): bigint;
}

interface CircomlibPoseidon {
  (inputs: bigint[]): Uint8Array;
  F: { toObject(element: Uint8Array): bigint };
}

const MAX_INPUTS = 16;
let instance: Promise<PoseidonHasher> | undefined;

function wrap(poseidon: CircomlibPoseidon): PoseidonHasher {
  return {
    hash(inputs) {
      if (inputs.length === 0 || inputs.length > MAX_INPUTS) {
        throw new CloakError(ErrorCode.INVALID_FIELD_ELEMENT, `poseidon takes 1 to ${MAX_INPUTS} inputs, got ${inputs.length}`);
      }
      for (const [i, input] of inputs.entries()) {
        if (input < 0n || input >= FIELD_SIZE) {
          throw new CloakError(ErrorCode.INVALID_FIELD_ELEMENT, `poseidon input ${i}: ${input} is outside the field`);
        }
      }
      return poseidon.F.toObject(poseidon([...inputs]));
    },
  };
}

/**
 * The shared hasher. circomlibjs' implementation runs its field arithmetic in WebAssembly, about three
 * times faster than a pure-BigInt Poseidon; building it is asynchronous, so it is created once and reused.
 */
export function getPoseidon(): Promise<PoseidonHasher> {
  instance ??= buildPoseidon().then((p) => wrap(p as unknown as CircomlibPoseidon));
  return instance;
}
