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

export interface NativeProverOptions {
  /** The addon to use; loaded from @cloak/native when absent. */
  addon?: NativeAddon;
  /**
   * Build fixed-base tables of the proving key before the first proof: every proof is then about a
   * quarter faster (about 40 % with AVX-512 IFMA), for ~2.3 s at creation and 86–102 MiB of native
   * memory (depth 20). Worth it for a prover that makes more than a few proofs. Default false.
   */
  fixedBaseTables?: boolean;
}

/** The fixed-base tables a NativeProver proves with: their cost to build, their size, and the G1 MSMs' arithmetic. */
export interface FixedBaseTablesInfo {
  buildMs: number;
  bytes: number;
  /** "avx512-ifma" on a CPU with AVX-512 IFMA, else "portable". */
  arithmetic: string;
}

/**
 * Groth16 with the native addon (arkworks/TACEO-based, MSMs on every core, off the JS thread), over
 * the same zkey and the same wasm witness calculator as SnarkjsProver: the witness is computed here
 * and handed over as a `.wtns` binary. With `fixedBaseTables` the MSMs run over tables of the
 * key's bases built once at creation.
 */
export class NativeProver implements Prover {
  readonly name = "native";
  readonly depth: number;
  readonly verificationKey: object;
  /** The fixed-base tables in use, or null when the prover runs variable-base MSMs. */
  readonly fixedBaseTables: FixedBaseTablesInfo | null;
  readonly #key: NativeProvingKey;
  readonly #witness: WitnessGenerator;

  private constructor(artifacts: ProverArtifacts, key: NativeProvingKey, witness: WitnessGenerator, tables: FixedBaseTablesInfo | null) {
    this.depth = artifacts.depth;
    this.verificationKey = artifacts.verificationKey;
    this.fixedBaseTables = tables;
    this.#key = key;
    this.#witness = witness;
  }

  /**
   * `artifacts` must come from loadArtifacts (or loadBundledProver): the addon parses the zkey
   * without checking its points, which is safe only for bytes matched against SHA256SUMS.
   * PROVER_UNAVAILABLE where the addon does not load; ARTIFACT_MISMATCH if it refuses the zkey.
   */
  static async create(artifacts: ProverArtifacts, options: NativeProverOptions = {}): Promise<NativeProver> {
    const native = options.addon ?? (await requireAddon());
    let key: NativeProvingKey;
    try {
      key = native.loadProvingKey(artifacts.zkey);
    } catch (error) {
      throw new CloakError(ErrorCode.ARTIFACT_MISMATCH, `the native prover refused the zkey: ${(error as Error).message}`, { cause: error });
    }
    let tables: FixedBaseTablesInfo | null = null;
    if (options.fixedBaseTables === true) {
      try {
        tables = await key.buildTables();
      } catch (error) {
        throw new CloakError(ErrorCode.PROVER_UNAVAILABLE, `the native prover could not build its fixed-base tables: ${(error as Error).message}`, { cause: error });
      }
    }
    return new NativeProver(artifacts, key, await WitnessGenerator.create(artifacts.wasm), tables);
  }

  static async fromDirectory(dir: string, options: NativeProverOptions = {}): Promise<NativeProver> {
    return NativeProver.create(await loadArtifacts(dir), options);
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
  /**
   * For the native prover: build fixed-base tables at creation (see NativeProverOptions). Defaults
   * to CLOAK_PROVER_TABLES=1 in the environment, else false; ignored by snarkjs.
   */
  fixedBaseTables?: boolean;
}

const BACKENDS: readonly ProverBackend[] = ["auto", "native", "snarkjs"];

function environment(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

function chosenBackend(options: CreateProverOptions): ProverBackend {
  const backend = options.backend ?? environment("CLOAK_PROVER") ?? "auto";
  if (!(BACKENDS as readonly string[]).includes(backend)) {
    throw new CloakError(ErrorCode.INVALID_OPTION, `prover backend ${JSON.stringify(backend)} is not one of ${BACKENDS.join(", ")}`);
  }
  return backend as ProverBackend;
}

function chosenTables(options: CreateProverOptions): boolean {
  if (options.fixedBaseTables !== undefined) return options.fixedBaseTables;
  const env = environment("CLOAK_PROVER_TABLES");
  if (env === undefined || env === "" || env === "0") return false;
  if (env === "1") return true;
  throw new CloakError(ErrorCode.INVALID_OPTION, `CLOAK_PROVER_TABLES must be 0 or 1, not ${JSON.stringify(env)}`);
}

/**
 * The fastest prover this machine has for `artifacts` (from loadArtifacts): NativeProver where
 * @cloak/native loads, SnarkjsProver otherwise; `prover.name` says which.
 */
export async function createProver(artifacts: ProverArtifacts, options: CreateProverOptions = {}): Promise<NativeProver | SnarkjsProver> {
  const backend = chosenBackend(options);
  const fixedBaseTables = chosenTables(options);
  if (backend === "snarkjs") return SnarkjsProver.create(artifacts);
  if (backend === "native") return NativeProver.create(artifacts, { fixedBaseTables });
  const { addon } = await loadNativeAddon();
  return addon ? NativeProver.create(artifacts, { addon, fixedBaseTables }) : SnarkjsProver.create(artifacts);
}
