// @cloak/native's loader: finds the prebuilt addon for this platform (an optional dependency, so
// it is simply absent elsewhere) and wraps it so every failure is a NativeError with a code.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** The platform package carrying this machine's prebuilt addon, or why there is none. */
function platformPackage() {
  if (process.platform !== "linux" || process.arch !== "x64") {
    return { reason: `no prebuilt addon for ${process.platform}-${process.arch}` };
  }
  // The binary links against glibc; musl systems (Alpine) have no glibc version in the report.
  const report = process.report?.getReport?.();
  const glibc = report?.header?.glibcVersionRuntime;
  if (!glibc) return { reason: "no prebuilt addon for linux-x64 without glibc (musl)" };
  return { name: "@cloak/native-linux-x64-gnu" };
}

export class NativeError extends Error {
  /** INVALID_ZKEY, INVALID_WITNESS, INVALID_INPUT, PROOF_FAILED, INTERNAL, or NOT_LOADED. */
  code;

  constructor(code, message, options) {
    super(message, options);
    this.name = "NativeError";
    this.code = code;
  }
}

// The addon's messages start with "<CODE>: "; napi's own argument checks (a string where bytes are
// expected) carry napi's status instead, which are all argument errors.
function coded(error) {
  const message = error instanceof Error ? error.message : String(error);
  const match = /^([A-Z_]+): ([\s\S]*)$/.exec(message);
  if (match) return new NativeError(match[1], match[2], { cause: error });
  return new NativeError("INVALID_INPUT", message, { cause: error });
}

function call(fn) {
  try {
    return fn();
  } catch (error) {
    throw coded(error);
  }
}

let cached;

function load() {
  if (cached) return cached;
  const target = platformPackage();
  if (!target.name) {
    cached = { binding: null, error: new NativeError("NOT_LOADED", target.reason) };
    return cached;
  }
  try {
    cached = { binding: require(target.name), error: null };
  } catch (error) {
    cached = { binding: null, error: new NativeError("NOT_LOADED", `${target.name} did not load: ${error.message}`, { cause: error }) };
  }
  return cached;
}

function wrap(binding) {
  return {
    loadProvingKey(zkey) {
      const key = call(() => binding.ProvingKey.fromZkey(zkey));
      return {
        nPublic: key.nPublic,
        nVars: key.nVars,
        get tablesBytes() {
          return key.tablesBytes;
        },
        buildTables: async () => {
          try {
            return await call(() => key.buildTables());
          } catch (error) {
            throw error instanceof NativeError ? error : coded(error);
          }
        },
        prove: async (wtns) => {
          try {
            return await call(() => key.prove(wtns));
          } catch (error) {
            throw error instanceof NativeError ? error : coded(error);
          }
        },
      };
    },
    poseidonHash: (inputs) => call(() => binding.poseidonHash(inputs)),
    poseidonHashBatch: (arity, inputs) => call(() => binding.poseidonHashBatch(arity, inputs)),
  };
}

let wrapped;

/**
 * The addon, or null where it does not load (no platform package for this machine, installed with
 * --omit=optional, or CLOAK_NATIVE_DISABLE=1); nativeLoadError() then says why.
 */
export function loadNative() {
  if (process.env.CLOAK_NATIVE_DISABLE === "1") return null;
  const { binding } = load();
  if (!binding) return null;
  wrapped ??= wrap(binding);
  return wrapped;
}

/** Why loadNative() returns null, or null when it loads. */
export function nativeLoadError() {
  if (process.env.CLOAK_NATIVE_DISABLE === "1") return new NativeError("NOT_LOADED", "disabled by CLOAK_NATIVE_DISABLE=1");
  return load().error;
}

/** The addon, or a NativeError with code NOT_LOADED. */
export function requireNative() {
  const native = loadNative();
  if (!native) throw nativeLoadError();
  return native;
}
