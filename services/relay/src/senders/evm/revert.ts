import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Interface, type Result } from "ethers";
import { RelayError, RelayErrorCode } from "../../errors.ts";

/**
 * A job's transaction reverted: mined (`hash`), or already in its gas estimate (`hash` null: nothing was
 * signed or sent). `errorName`/`errorArgs` are the pool's custom error (e.g. NullifierAlreadySpent and
 * the nullifier), or null when the revert data names none we know.
 */
export class EvmRevertError extends RelayError {
  constructor(
    readonly hash: string | null,
    readonly errorName: string | null,
    readonly errorArgs: readonly string[],
  ) {
    const reason = errorName === null ? "no known error in the revert data" : `${errorName}(${errorArgs.join(", ")})`;
    super(RelayErrorCode.EVM_TRANSACTION_REVERTED, hash === null ? `gas estimate reverted: ${reason}` : `transaction ${hash} reverted: ${reason}`);
    this.name = "EvmRevertError";
  }
}

let poolInterface: Promise<Interface> | undefined;

/**
 * The pool's ABI from the SDK's generated contract factories (what the SDK package ships), so the
 * errors decoded are exactly the deployed contract's. The SDK's entry point does not re-export the
 * factories; they are read from its built files.
 */
export function shieldPoolInterface(): Promise<Interface> {
  poolInterface ??= (async () => {
    const sdkRoot = dirname(createRequire(import.meta.url).resolve("@cloak/sdk/package.json"));
    const factory = (await import(pathToFileURL(join(sdkRoot, "dist", "evm", "typechain", "factories", "ShieldPool__factory.js")).href)) as { ShieldPool__factory: { abi: ConstructorParameters<typeof Interface>[0] } };
    return new Interface(factory.ShieldPool__factory.abi);
  })();
  return poolInterface;
}

function show(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  return String(value);
}

/** The custom error in revert data, by the pool's ABI; null when it is not one of the pool's. */
export function decodeRevert(iface: Interface, data: string): { name: string; args: string[] } | null {
  try {
    const parsed = iface.parseError(data);
    if (!parsed) return null;
    return { name: parsed.name, args: (parsed.args as Result).toArray().map(show) };
  } catch {
    return null;
  }
}
