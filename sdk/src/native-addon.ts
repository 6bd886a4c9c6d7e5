/**
 * The part of @cloak/native's addon the SDK uses, declared here so the SDK's types do not depend on
 * the package, which is an optional dependency (absent on other platforms and with --omit=optional).
 */
export interface NativeAddon {
  loadProvingKey(zkey: Uint8Array): NativeProvingKey;
  poseidonHash(inputs: readonly bigint[]): bigint;
  poseidonHashBatch(arity: number, inputs: Uint8Array): Uint8Array;
}

export interface NativeProvingKey {
  readonly nPublic: number;
  readonly nVars: number;
  readonly tablesBytes: number;
  buildTables(): Promise<{ buildMs: number; bytes: number; arithmetic: string }>;
  prove(wtns: Uint8Array): Promise<{
    pi_a: string[];
    pi_b: string[][];
    pi_c: string[];
    publicSignals: string[];
    witnessParseMs: number;
    proveMs: number;
    fixedBase: boolean;
  }>;
}

interface NativeLoader {
  loadNative(): NativeAddon | null;
  nativeLoadError(): Error | null;
}

/** The addon where it loads, else null and the reason. Never throws. */
export async function loadNativeAddon(): Promise<{ addon: NativeAddon | null; reason: string | null }> {
  // A variable specifier keeps bundlers and TypeScript from requiring the optional package.
  const specifier = "@cloak/native";
  let loader: NativeLoader;
  try {
    loader = (await import(specifier)) as NativeLoader;
  } catch (error) {
    return { addon: null, reason: `${specifier} is not installed (${(error as Error).message})` };
  }
  const addon = loader.loadNative();
  return { addon, reason: addon ? null : (loader.nativeLoadError()?.message ?? "the addon did not load") };
}
