import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { WitnessCalculatorBuilder, type WitnessCalculator } from "circom_runtime";
import * as snarkjs from "snarkjs";
import { CloakError, ErrorCode } from "./errors.js";
import { normalizeProof, type Groth16Proof } from "./proof.js";

/** The join-split's public inputs, in the circuit's (and the verifiers') order. */
export interface TransactionPublicInputs {
  root: bigint;
  publicAmount: bigint;
  extDataHash: bigint;
  inputNullifiers: [bigint, bigint];
  outputCommitments: [bigint, bigint];
}

/** Every signal the circuit takes, as decimal strings (the witness calculator's input format). */
export type CircuitInputs = Record<string, string | string[] | string[][]>;

export interface ProofResult {
  proof: Groth16Proof;
  publicSignals: bigint[];
  timings: { witnessMs: number; proveMs: number };
}

/**
 * A Groth16 backend for the join-split. SnarkjsProver is the portable one; NativeProver (the
 * @cloak/native addon) implements the same interface and plugs in wherever a Prover is taken.
 */
export interface Prover {
  /** Which backend proves: "snarkjs" or "native" (see createProver). */
  readonly name: string;
  /** Tree depth of the circuit the artifacts were made for. */
  readonly depth: number;
  prove(inputs: CircuitInputs): Promise<ProofResult>;
  verify(proof: Groth16Proof, publicSignals: readonly bigint[]): Promise<boolean>;
}

export function publicSignalsOf(inputs: TransactionPublicInputs): bigint[] {
  return [inputs.root, inputs.publicAmount, inputs.extDataHash, ...inputs.inputNullifiers, ...inputs.outputCommitments];
}

export function publicInputsOf(signals: readonly bigint[]): TransactionPublicInputs {
  if (signals.length !== 7) throw new CloakError(ErrorCode.PROOF_FAILED, `expected 7 public signals, got ${signals.length}`);
  const [root, publicAmount, extDataHash, n0, n1, c0, c1] = signals as [bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  return { root, publicAmount, extDataHash, inputNullifiers: [n0, n1], outputCommitments: [c0, c1] };
}

export interface ProverArtifacts {
  depth: number;
  wasm: Uint8Array;
  zkey: Uint8Array;
  verificationKey: object;
}

/** File names written by the ceremony's `export` step. */
export const ARTIFACT_FILES = {
  wasm: "transaction.wasm",
  zkey: "transaction_final.zkey",
  verificationKey: "verification_key.json",
  circuit: "circuit.json",
  checksums: "SHA256SUMS",
} as const;

async function readArtifact(dir: string, name: string): Promise<Buffer> {
  try {
    return await readFile(join(dir, name));
  } catch (error) {
    throw new CloakError(ErrorCode.ARTIFACT_NOT_FOUND, `${join(dir, name)}: cannot be read`, { cause: error });
  }
}

/**
 * Reads a ceremony export directory and checks every file against its SHA256SUMS, so a corrupted or
 * swapped key is refused before it can produce proofs the chain rejects.
 */
export async function loadArtifacts(dir: string): Promise<ProverArtifacts> {
  const sums = (await readArtifact(dir, ARTIFACT_FILES.checksums)).toString("utf8");
  const expected = new Map(
    sums
      .split("\n")
      .filter((line) => line.trim())
      .map((line) => {
        const [digest, name] = line.trim().split(/\s+\*?/);
        return [name!, digest!] as const;
      }),
  );
  const files: Record<string, Buffer> = {};
  for (const name of [ARTIFACT_FILES.wasm, ARTIFACT_FILES.zkey, ARTIFACT_FILES.verificationKey]) {
    const bytes = await readArtifact(dir, name);
    const digest = createHash("sha256").update(bytes).digest("hex");
    if (expected.get(name) !== digest) {
      throw new CloakError(ErrorCode.ARTIFACT_MISMATCH, `${join(dir, name)}: sha256 ${digest} does not match SHA256SUMS`);
    }
    files[name] = bytes;
  }
  const circuit = JSON.parse((await readArtifact(dir, ARTIFACT_FILES.circuit)).toString("utf8")) as { depth: number };
  return {
    depth: circuit.depth,
    wasm: files[ARTIFACT_FILES.wasm]!,
    zkey: files[ARTIFACT_FILES.zkey]!,
    verificationKey: JSON.parse(files[ARTIFACT_FILES.verificationKey]!.toString("utf8")) as object,
  };
}

/**
 * circom_runtime's witness calculator over the circuit's wasm, one computation at a time: the
 * calculator owns one WebAssembly memory, so every prover built on it queues its proofs here.
 */
export class WitnessGenerator {
  readonly #wasm: Uint8Array;
  #calculator: WitnessCalculator;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(wasm: Uint8Array, calculator: WitnessCalculator) {
    this.#wasm = wasm;
    this.#calculator = calculator;
  }

  static async create(wasm: Uint8Array): Promise<WitnessGenerator> {
    return new WitnessGenerator(wasm, await WitnessCalculatorBuilder(wasm, { sanityCheck: true }));
  }

  /** Runs `task` after every earlier one has settled (a failure does not block the next). */
  serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** The witness as a circom `.wtns` binary; WITNESS_FAILED when the inputs violate the circuit. */
  async wtns(inputs: CircuitInputs): Promise<Uint8Array> {
    try {
      return await this.#calculator.calculateWTNSBin(inputs, true);
    } catch (error) {
      // circom_runtime appends every failure to one message buffer per instance; a fresh instance
      // keeps the next failure's message about that failure alone.
      this.#calculator = await WitnessCalculatorBuilder(this.#wasm, { sanityCheck: true });
      const detail = (error as Error).message.split("\n").filter(Boolean).join("; ");
      throw new CloakError(ErrorCode.WITNESS_FAILED, `the inputs violate the circuit: ${detail}`, { cause: error });
    }
  }
}

/**
 * snarkjs Groth16 prover that keeps the compiled witness generator and the proving key in memory,
 * so each proof pays only for the witness and the multi-exponentiations.
 */
export class SnarkjsProver implements Prover {
  readonly name = "snarkjs";
  readonly depth: number;
  readonly verificationKey: object;
  readonly #zkey: Uint8Array;
  readonly #witness: WitnessGenerator;

  private constructor(artifacts: ProverArtifacts, witness: WitnessGenerator) {
    this.depth = artifacts.depth;
    this.verificationKey = artifacts.verificationKey;
    this.#zkey = artifacts.zkey;
    this.#witness = witness;
  }

  static async create(artifacts: ProverArtifacts): Promise<SnarkjsProver> {
    return new SnarkjsProver(artifacts, await WitnessGenerator.create(artifacts.wasm));
  }

  static async fromDirectory(dir: string): Promise<SnarkjsProver> {
    return SnarkjsProver.create(await loadArtifacts(dir));
  }

  prove(inputs: CircuitInputs): Promise<ProofResult> {
    return this.#witness.serialize(() => this.#prove(inputs));
  }

  async #prove(inputs: CircuitInputs): Promise<ProofResult> {
    const started = performance.now();
    const witness = await this.#witness.wtns(inputs);
    const witnessDone = performance.now();
    let result: Awaited<ReturnType<typeof snarkjs.groth16.prove>>;
    try {
      result = await snarkjs.groth16.prove(this.#zkey, witness);
    } catch (error) {
      throw new CloakError(ErrorCode.PROOF_FAILED, `proving failed: ${(error as Error).message}`, { cause: error });
    }
    const proveDone = performance.now();
    return {
      proof: normalizeProof(result.proof),
      publicSignals: result.publicSignals.map((s) => BigInt(s)),
      timings: { witnessMs: witnessDone - started, proveMs: proveDone - witnessDone },
    };
  }

  verify(proof: Groth16Proof, publicSignals: readonly bigint[]): Promise<boolean> {
    return verifyProof(this.verificationKey, proof, publicSignals);
  }
}

/** Off-chain Groth16 verification against a verification key (the ceremony's verification_key.json). */
export async function verifyProof(verificationKey: object, proof: Groth16Proof, publicSignals: readonly bigint[]): Promise<boolean> {
  const snarkProof = { ...proof, pi_a: [...proof.pi_a, "1"], pi_b: [...proof.pi_b, ["1", "0"]], pi_c: [...proof.pi_c, "1"], protocol: "groth16", curve: "bn128" };
  return snarkjs.groth16.verify(verificationKey, publicSignals.map(String), snarkProof);
}

/**
 * snarkjs proves on a pool of worker threads that it keeps alive for the whole process. Call this when
 * done proving so Node can exit; a later proof simply starts a new pool.
 */
export async function releaseProvingResources(): Promise<void> {
  const holder = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null };
  await holder.curve_bn128?.terminate();
}
