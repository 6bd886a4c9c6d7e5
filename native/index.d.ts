/** Error codes of the addon's failures; NOT_LOADED when there is no addon for this machine. */
export type NativeErrorCode = "INVALID_ZKEY" | "INVALID_WITNESS" | "INVALID_INPUT" | "PROOF_FAILED" | "INTERNAL" | "NOT_LOADED";

export declare class NativeError extends Error {
  readonly code: NativeErrorCode;
  constructor(code: NativeErrorCode, message: string, options?: { cause?: unknown });
}

/** A proof in snarkjs' affine JSON shape (decimal strings) with its public signals. */
export interface NativeProof {
  pi_a: [string, string];
  pi_b: [[string, string], [string, string]];
  pi_c: [string, string];
  /** The public signals in the circuit's order, as decimal strings. */
  publicSignals: string[];
  /** Milliseconds reading the witness, and in the Groth16 prover (witness map, FFTs, the five MSMs). */
  witnessParseMs: number;
  proveMs: number;
  /** Whether the MSMs ran over the key's fixed-base tables (see `buildTables`). */
  fixedBase: boolean;
}

/** What building a key's fixed-base tables cost. */
export interface TablesReport {
  /** Milliseconds spent building (0 when they were already built). */
  buildMs: number;
  /** Bytes of native memory the tables hold. */
  bytes: number;
  /**
   * The G1 MSMs' field arithmetic: "avx512-ifma" on a CPU with AVX-512 IFMA (eight additions at a time),
   * else "portable". CLOAK_NATIVE_IFMA=0 forces "portable".
   */
  arithmetic: "avx512-ifma" | "portable";
}

/** A Groth16 proving key held in native memory. */
export interface NativeProvingKey {
  /** Number of public signals. */
  readonly nPublic: number;
  /** Number of witness values a proof takes (the constant 1, public and private signals). */
  readonly nVars: number;
  /** Bytes held by the fixed-base tables; 0 until buildTables() has finished. */
  readonly tablesBytes: number;
  /**
   * Tabulates the window multiples of every base of the key, off the JS thread (about 2.3 s on two
   * cores and 86–102 MiB for the depth-20 join-split): every later proof runs its MSMs over them,
   * about a quarter faster, and about 40 % faster where the CPU has AVX-512 IFMA. Worth it for a
   * prover that makes more than a few proofs.
   */
  buildTables(): Promise<TablesReport>;
  /** Proves from a circom `.wtns` binary off the JS thread; rejects with INVALID_WITNESS for a malformed one. */
  prove(wtns: Uint8Array): Promise<NativeProof>;
}

export interface NativeAddon {
  /**
   * Parses a snarkjs Groth16 `.zkey` (BN254). Its points are not checked to be on the curve: pass
   * only bytes already matched against the ceremony's SHA256SUMS. Throws INVALID_ZKEY for a file
   * whose layout is wrong.
   */
  loadProvingKey(zkey: Uint8Array): NativeProvingKey;
  /** circomlib's Poseidon of 1 to 12 field elements, each in [0, p); INVALID_INPUT otherwise. */
  poseidonHash(inputs: readonly bigint[]): bigint;
  /** Poseidon of consecutive `arity`-tuples of 32-byte big-endian field elements; 32 bytes per hash. */
  poseidonHashBatch(arity: number, inputs: Uint8Array): Uint8Array;
}

/** The addon, or null where it does not load (see nativeLoadError). */
export declare function loadNative(): NativeAddon | null;
/** Why loadNative() returns null, or null when it loads. */
export declare function nativeLoadError(): NativeError | null;
/** The addon, or throws a NativeError with code NOT_LOADED. */
export declare function requireNative(): NativeAddon;
