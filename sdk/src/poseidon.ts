import { buildPoseidon } from "circomlibjs";
import { CloakError, ErrorCode } from "./errors.js";
import { FIELD_SIZE } from "./field.js";
import { loadNativeAddon, type NativeAddon } from "./native-addon.js";

/** Where a hasher runs: @cloak/native's Rust Poseidon, or circomlibjs' WebAssembly one. */
export type PoseidonBackend = "native" | "wasm";

/** Poseidon over BN254 with circomlib's parameters: the exact hash the circuit and both chains compute. */
export interface PoseidonHasher {
  /** Which implementation hashes (both give the same outputs). */
  readonly backend: PoseidonBackend;
  /** Hashes 1 to 16 field elements. */
  hash(inputs: readonly bigint[]): bigint;
}

export interface PoseidonOptions {
  /** "auto" (the default): native where @cloak/native loads, WebAssembly elsewhere. */
  backend?: "auto" | PoseidonBackend;
}

interface CircomlibPoseidon {
  (inputs: readonly bigint[]): Uint8Array;
  F: { toObject(element: Uint8Array): bigint };
}

const MAX_INPUTS = 16;
/** The native addon's Poseidon has circom parameters for up to 12 inputs; wider hashes use WebAssembly. */
const MAX_NATIVE_INPUTS = 12;

/** The one check every hash pays, at the API boundary: a plain loop, no copies. */
function checkInputs(inputs: readonly bigint[]): void {
  const count = inputs.length;
  if (count === 0 || count > MAX_INPUTS) {
    throw new CloakError(ErrorCode.INVALID_FIELD_ELEMENT, `poseidon takes 1 to ${MAX_INPUTS} inputs, got ${count}`);
  }
  for (let i = 0; i < count; i++) {
    const input = inputs[i]!;
    if (input < 0n || input >= FIELD_SIZE) {
      throw new CloakError(ErrorCode.INVALID_FIELD_ELEMENT, `poseidon input ${i}: ${input} is outside the field`);
    }
  }
}

function wasmHasher(poseidon: CircomlibPoseidon): PoseidonHasher {
  return {
    backend: "wasm",
    hash(inputs) {
      checkInputs(inputs);
      // circomlibjs only reads the array (it converts each element into its own memory).
      return poseidon.F.toObject(poseidon(inputs));
    },
  };
}

function nativeHasher(addon: NativeAddon, wide: PoseidonHasher): PoseidonHasher {
  return {
    backend: "native",
    hash(inputs) {
      checkInputs(inputs);
      return inputs.length > MAX_NATIVE_INPUTS ? wide.hash(inputs) : addon.poseidonHash(inputs);
    },
  };
}

let wasm: Promise<PoseidonHasher> | undefined;
let native: Promise<PoseidonHasher | null> | undefined;

function getWasmPoseidon(): Promise<PoseidonHasher> {
  wasm ??= buildPoseidon().then((p) => wasmHasher(p as unknown as CircomlibPoseidon));
  return wasm;
}

function getNativePoseidon(): Promise<PoseidonHasher | null> {
  native ??= loadNativeAddon().then(async ({ addon }) => (addon ? nativeHasher(addon, await getWasmPoseidon()) : null));
  return native;
}

/**
 * The shared hasher, built once per backend and reused. By default the native addon's Poseidon where
 * @cloak/native loads (about 2.5 times circomlibjs' rate here, `npm run bench:prove`), else circomlibjs'
 * WebAssembly one; `backend` forces one, and asking for "native" where it does not load throws
 * NATIVE_UNAVAILABLE.
 */
export async function getPoseidon(options: PoseidonOptions = {}): Promise<PoseidonHasher> {
  const backend = options.backend ?? "auto";
  if (backend === "wasm") return getWasmPoseidon();
  const hasher = await getNativePoseidon();
  if (hasher) return hasher;
  if (backend === "native") {
    const { reason } = await loadNativeAddon();
    throw new CloakError(ErrorCode.NATIVE_UNAVAILABLE, `poseidon backend "native": ${reason ?? "the addon did not load"}`);
  }
  return getWasmPoseidon();
}
