import { CloakError, ErrorCode } from "./errors.js";
import { loadNativeAddon, type NativeAddon, type NativeProvingKey } from "./native-addon.js";
import { normalizeProof, type Groth16Proof } from "./proof.js";
import {
  SnarkjsProver,
  WitnessGenerator,
  loadArtifacts,
  verifyProof,
  type CircuitInputs,
  type ProofResult,
  type Prover,
  type ProverArtifacts,
} from "./prover.js";

/**
 * Groth16 with the native addon (TACEO's arkworks-based prover, MSMs on every core, off the JS
 * thread), over the same zkey and the same wasm witness calculator as SnarkjsProver: the witness is
 * computed here and handed over as a `.wtns` binary.
 */
export class NativeProver implements Prover {
  readonly name = "native";
  readonly depth: number;
  readonly verificationKey: object;
  readonly #key: NativeProvingKey;
  readonly #witness: WitnessGenerator;

  private constructor(artifacts: ProverArtifacts, key: NativeProvingKey, witness: WitnessGenerator) {
    this.depth = artifacts.depth;
    this.verificationKey = artifacts.verificationKey;
    this.#key = key;
    this.#witness = witness;
  }

  /**
   * `artifacts` must come from loadArtifacts (or loadBundledProver): the addon parses the zkey
   * without checking its points, which is safe only for bytes matched against SHA256SUMS.
   * PROVER_UNAVAILABLE where the addon does not load; ARTIFACT_MISMATCH if it refuses the zkey.
   */
  static async create(artifacts: ProverArtifacts, addon?: NativeAddon): Promise<NativeProver> {
    const native = addon ?? (await requireAddon());
    let key: NativeProvingKey;
    try {
      key = native.loadProvingKey(artifacts.zkey);
    } catch (error) {
      throw new CloakError(ErrorCode.ARTIFACT_MISMATCH, `the native prover refused the zkey: ${(error as Error).message}`, { cause: error });
    }
    return new NativeProver(artifacts, key, await WitnessGenerator.create(artifacts.wasm));
  }

  static async fromDirectory(dir: string): Promise<NativeProver> {
    return NativeProver.create(await loadArtifacts(dir));
  }

  prove(inputs: CircuitInputs): Promise<ProofResult> {
    return this.#witness.serialize(() => this.#prove(inputs));
  }

  async #prove(inputs: CircuitInputs): Promise<ProofResult> {
    const started = performance.now();
    const wtns = await this.#witness.wtns(inputs);
    const witnessDone = performance.now();
    let result: Awaited<ReturnType<NativeProvingKey["prove"]>>;
    try {
      result = await this.#key.prove(wtns);
    } catch (error) {
      throw new CloakError(ErrorCode.PROOF_FAILED, `native proving failed: ${(error as Error).message}`, { cause: error });
    }
    const proveDone = performance.now();
    return {
      proof: normalizeProof(result),
      publicSignals: result.publicSignals.map((s) => BigInt(s)),
      timings: { witnessMs: witnessDone - started, proveMs: proveDone - witnessDone },
    };
  }

  verify(proof: Groth16Proof, publicSignals: readonly bigint[]): Promise<boolean> {
    return verifyProof(this.verificationKey, proof, publicSignals);
  }
}

async function requireAddon(): Promise<NativeAddon> {
  const { addon, reason } = await loadNativeAddon();
  if (!addon) throw new CloakError(ErrorCode.PROVER_UNAVAILABLE, `the native prover is not available: ${reason}`);
  return addon;
}

/** "auto" proves natively where the addon loads and with snarkjs elsewhere. */
export type ProverBackend = "auto" | "native" | "snarkjs";

export interface CreateProverOptions {
  /**
   * Defaults to the CLOAK_PROVER environment variable, else "auto". "native" fails with
   * PROVER_UNAVAILABLE where the addon does not load instead of falling back.
   */
  backend?: ProverBackend;
}

const BACKENDS: readonly ProverBackend[] = ["auto", "native", "snarkjs"];

function chosenBackend(options: CreateProverOptions): ProverBackend {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.CLOAK_PROVER;
  const backend = options.backend ?? env ?? "auto";
  if (!(BACKENDS as readonly string[]).includes(backend)) {
    throw new CloakError(ErrorCode.INVALID_OPTION, `prover backend ${JSON.stringify(backend)} is not one of ${BACKENDS.join(", ")}`);
  }
  return backend as ProverBackend;
}

/**
 * The fastest prover this machine has for `artifacts` (from loadArtifacts): NativeProver where
 * @cloak/native loads, SnarkjsProver otherwise; `prover.name` says which.
 */
export async function createProver(artifacts: ProverArtifacts, options: CreateProverOptions = {}): Promise<NativeProver | SnarkjsProver> {
  const backend = chosenBackend(options);
  if (backend === "snarkjs") return SnarkjsProver.create(artifacts);
  if (backend === "native") return NativeProver.create(artifacts);
  const { addon } = await loadNativeAddon();
  return addon ? NativeProver.create(artifacts, addon) : SnarkjsProver.create(artifacts);
}
