import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Interface, getAddress, type Provider } from "ethers";
import { bundledArtifactsDir, hashEvmExtData, publicInputsOf, toHex32 } from "@cloak/sdk";
import { z } from "zod";
import type { RelayConfig } from "../config.ts";
import { RelayError, RelayErrorCode } from "../errors.ts";
import { checkJoinSplit, requireFeeCovers } from "./proof-checks.ts";
import { parseEvmRelayRequest, type ParsedEvmRelayRequest } from "./request.ts";

/**
 * Gas a relayed withdrawal's `ShieldPool.transact` uses at depth 20: `gasUsed.withdrawWithRelayer` of
 * bench/results/gas.json (npm run bench:gas). A constant rather than eth_estimateGas because a quote is
 * asked for before the wallet has a proof, and the pool reverts any transact without a valid one.
 */
export const EVM_WITHDRAW_GAS = 798_814n;

const NATIVE_ASSET = "0x0000000000000000000000000000000000000000";

const ORCHESTRATOR = new Interface([
  "function poolState(address pool) view returns ((bool paused, address verifier, uint256 depositLimit))",
  "function isRelayer(address relayer) view returns (bool)",
]);
const POOL = new Interface(["function isKnownRoot(bytes32 root) view returns (bool)", "function isSpent(bytes32 nullifier) view returns (bool)"]);

/** A pool the relay serves, with its asset (the zero address for the native coin). */
export interface IntakePool {
  address: string;
  asset: string;
}

/** The deployment facts the intake checks against. */
export interface EvmIntakeDeployment {
  chainId: bigint;
  orchestrator: string;
  /** The verifier contract the relay's verification key belongs to (the record's Transaction20Verifier). */
  verifier: string;
  pools: IntakePool[];
}

const deploymentRecord = z.object({
  chainId: z.string(),
  contracts: z.record(z.string(), z.object({ address: z.string(), details: z.record(z.string(), z.unknown()).optional() })),
});

/** The intake's view of a deployment record written by `npx hardhat deploy` (its ShieldPool.<name> proxies). */
export function evmIntakeDeployment(recordPath: string): EvmIntakeDeployment {
  const parsed = deploymentRecord.safeParse(JSON.parse(readFileSync(recordPath, "utf8")));
  if (!parsed.success) throw new RelayError(RelayErrorCode.INVALID_CONFIG, `${recordPath}: ${parsed.error.issues[0]!.path.join(".")}: ${parsed.error.issues[0]!.message}`);
  const { contracts } = parsed.data;
  const named = (name: string) => {
    const entry = contracts[name];
    if (!entry) throw new RelayError(RelayErrorCode.INVALID_CONFIG, `${recordPath}: no ${name} (is the deploy complete?)`);
    return getAddress(entry.address);
  };
  const pools = Object.entries(contracts)
    .filter(([name]) => name.startsWith("ShieldPool.") && name !== "ShieldPool.implementation")
    .map(([, entry]) => ({ address: getAddress(entry.address), asset: getAddress(String(entry.details?.["asset"] ?? NATIVE_ASSET)) }));
  return { chainId: BigInt(parsed.data.chainId), orchestrator: named("Orchestrator"), verifier: named("Transaction20Verifier"), pools };
}

/** The SDK's bundled depth-20 verification key: the one the deployed Transaction20Verifier was exported from. */
export function bundledVerificationKey(): object {
  return JSON.parse(readFileSync(join(bundledArtifactsDir(), "verification_key.json"), "utf8")) as object;
}

/** What the relay charges for one withdrawal now, in the pool's asset's base units. */
export interface EvmQuote {
  fee: bigint;
  expiresAt: Date;
  gasLimit: bigint;
  maxFeePerGas: bigint;
}

/** A price as an exact fraction: a float's shortest decimal digits, so 0.1 is 1/10 and not 0.1000000000000000055…. */
export function fraction(value: number): { numerator: bigint; denominator: bigint } {
  const [mantissa, exponentText] = value.toExponential().split("e") as [string, string];
  const [whole, decimals = ""] = mantissa.split(".") as [string, string?];
  const exponent = Number(exponentText) - decimals.length;
  const digits = BigInt(whole + decimals);
  return exponent >= 0 ? { numerator: digits * 10n ** BigInt(exponent), denominator: 1n } : { numerator: digits, denominator: 10n ** BigInt(-exponent) };
}

export const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

/**
 * The fee the relay accepts now for a withdrawal from a pool of `asset`: EVM_WITHDRAW_GAS × the
 * EIP-1559 max fee per gas × (1 + margin_percent/100), rounded up; for a token pool converted with
 * fees.token_prices[asset] (the native base units one token base unit is worth). Honoured for quote_ttl.
 * `fees.evm_gas_price_wei`, when set, replaces the node's fee data.
 */
export async function quoteEvm(provider: Provider, fees: RelayConfig["fees"], asset: string, now = Date.now()): Promise<EvmQuote> {
  const configured = fees.evm_gas_price_wei === undefined ? null : BigInt(fees.evm_gas_price_wei);
  const feeData = configured === null ? await provider.getFeeData() : null;
  const maxFeePerGas = configured ?? feeData?.maxFeePerGas ?? feeData?.gasPrice ?? null;
  if (maxFeePerGas === null) throw new RelayError(RelayErrorCode.INVALID_CONFIG, "the EVM endpoint reports neither maxFeePerGas nor gasPrice");
  const margin = fraction(100 + fees.margin_percent);
  let fee = ceilDiv(EVM_WITHDRAW_GAS * maxFeePerGas * margin.numerator, 100n * margin.denominator);
  if (getAddress(asset) !== NATIVE_ASSET) {
    const price = Object.entries(fees.token_prices).find(([key]) => key.toLowerCase() === asset.toLowerCase())?.[1];
    if (price === undefined) throw new RelayError(RelayErrorCode.INVALID_CONFIG, `fees.token_prices: no price for ${getAddress(asset)}, so its pool cannot be quoted`);
    const { numerator, denominator } = fraction(price);
    fee = ceilDiv(fee * denominator, numerator);
  }
  return { fee, expiresAt: new Date(now + fees.quote_ttl), gasLimit: EVM_WITHDRAW_GAS, maxFeePerGas };
}

export interface EvmIntakeOptions {
  provider: Provider;
  deployment: EvmIntakeDeployment;
  /** The relay's own submitting address: the only relayer it earns fees as. */
  relayer: string;
  verificationKey: object;
  /** The current quote for a pool; the request's fee must reach it. */
  quote: (pool: IntakePool) => Promise<EvmQuote>;
}

/** A request that passed every check, ready to be queued. */
export interface EvmIntakeAccepted {
  ok: true;
  pool: string;
  fee: bigint;
  /** The two input nullifiers as 0x 32-byte hex, the pool's bytes32 keys. */
  nullifiers: [string, string];
  request: ParsedEvmRelayRequest;
}

/**
 * Everything the relay checks off-chain before it accepts an EVM withdrawal, so that what it queues
 * would succeed on chain as things stand. The local checks run first, cheapest first; the proof is
 * verified before any chain read, so an invalid request never costs an RPC call; the chain's state is
 * then read at once and judged in a fixed order.
 */
export class EvmIntake {
  readonly #options: EvmIntakeOptions;
  readonly #pools: Map<string, IntakePool>;
  readonly #relayer: string;

  constructor(options: EvmIntakeOptions) {
    this.#options = options;
    try {
      this.#relayer = getAddress(options.relayer);
    } catch {
      throw new RelayError(RelayErrorCode.INVALID_CONFIG, `relayer: '${options.relayer}' is not an EVM address`);
    }
    this.#pools = new Map(options.deployment.pools.map((pool) => [getAddress(pool.address), { address: getAddress(pool.address), asset: getAddress(pool.asset) }]));
  }

  async check(body: unknown): Promise<EvmIntakeAccepted> {
    const request = parseEvmRelayRequest(body);
    const { extData, publicSignals } = request;
    const inputs = publicInputsOf(publicSignals);
    const poolAddress = getAddress(request.pool);
    const pool = this.#pools.get(poolAddress);
    if (!pool) throw new RelayError(RelayErrorCode.UNKNOWN_POOL, `pool: ${poolAddress} is not a pool of this relay's deployment`);
    const { chainId } = this.#options.deployment;
    if (extData.chainId !== chainId) throw new RelayError(RelayErrorCode.WRONG_CHAIN, `extData.chainId: ${extData.chainId} is not this relay's chain ${chainId}`);
    if (getAddress(extData.pool) !== poolAddress) throw new RelayError(RelayErrorCode.POOL_MISMATCH, `extData.pool: ${getAddress(extData.pool)} is not the request's pool ${poolAddress}`);
    if (extData.extAmount > 0n) throw new RelayError(RelayErrorCode.NOT_A_WITHDRAWAL, `extData.extAmount: ${extData.extAmount} is a deposit, whose value only its owner can send`);
    if (getAddress(extData.relayer) !== this.#relayer) {
      throw new RelayError(RelayErrorCode.WRONG_RELAYER, `extData.relayer: ${getAddress(extData.relayer)} is not this relay (${this.#relayer}), so it would not earn the fee`);
    }
    // The hash before publicAmount: an ExtData edited after proving (say its fee) then reads as what it is.
    const extDataHash = hashEvmExtData(extData);
    if (extDataHash !== inputs.extDataHash) {
      throw new RelayError(RelayErrorCode.EXT_DATA_MISMATCH, `extData: hashes to ${toHex32(extDataHash)}, not publicSignals[2] (extDataHash) ${toHex32(inputs.extDataHash)}`);
    }
    const nullifiers = await checkJoinSplit({ inputs, extData, proof: request.proof, publicSignals, verificationKey: this.#options.verificationKey });

    requireFeeCovers(extData.fee, (await this.#options.quote(pool)).fee);

    const { provider, deployment } = this.#options;
    const read = async (to: string, iface: Interface, name: string, args: unknown[]) => iface.decodeFunctionResult(name, await provider.call({ to, data: iface.encodeFunctionData(name, args) }));
    const [[state], [registered], [known], [spent0], [spent1]] = await Promise.all([
      read(deployment.orchestrator, ORCHESTRATOR, "poolState", [poolAddress]),
      read(deployment.orchestrator, ORCHESTRATOR, "isRelayer", [this.#relayer]),
      read(poolAddress, POOL, "isKnownRoot", [toHex32(inputs.root)]),
      read(poolAddress, POOL, "isSpent", [nullifiers[0]]),
      read(poolAddress, POOL, "isSpent", [nullifiers[1]]),
    ]);
    const poolState = state as { paused: boolean; verifier: string };
    if (poolState.paused) throw new RelayError(RelayErrorCode.POOL_PAUSED, `pool: ${poolAddress} is paused`);
    if (getAddress(poolState.verifier) !== getAddress(deployment.verifier)) {
      throw new RelayError(
        RelayErrorCode.RETIRED_VERIFYING_KEY,
        `proof: made for the verifying key of ${getAddress(deployment.verifier)}, which the Orchestrator has retired for ${getAddress(poolState.verifier)}`,
      );
    }
    if (!registered) throw new RelayError(RelayErrorCode.RELAYER_NOT_REGISTERED, `extData.relayer: ${this.#relayer} is not registered in the Orchestrator`);
    if (!known) throw new RelayError(RelayErrorCode.UNKNOWN_ROOT, `publicSignals[0] (root): ${toHex32(inputs.root)} is not among the pool's known roots`);
    for (const [position, spent] of [spent0, spent1].entries()) {
      if (spent) throw new RelayError(RelayErrorCode.NULLIFIER_SPENT, `publicSignals[${3 + position}] (inputNullifiers[${position}]): ${nullifiers[position]} is already spent`);
    }
    return { ok: true, pool: poolAddress, fee: extData.fee, nullifiers, request };
  }
}
