// Safe multisig operations for Cloak's operator tasks: bring up the Safe v1.4.1 contracts on a development
// chain, create a Safe, and move one Safe transaction from proposal to execution through a JSON "proposal
// file" that owners sign one after another (offline co-signing), or through the Safe Transaction Service.
// It also writes the same calls as a Safe{Wallet} Transaction Builder batch, for owners who sign in the UI.
//
// Everything on chain goes through @safe-global/protocol-kit against the real Safe contracts; the
// bytecode comes from the pinned @safe-global/safe-contracts@1.4.1 build artifacts.
import { HardhatPluginError } from "@nomicfoundation/hardhat-errors";
import { CLOAK_PLUGIN_ID } from "./errors.ts";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import SafeApiKitModule from "@safe-global/api-kit";
import SafeModule, {
  EthSafeSignature,
  EthSafeTransaction,
  calculateSafeTransactionHash,
  decodeMultiSendData,
  type ContractNetworkConfig,
  type ContractNetworksConfig,
  type Eip1193Provider,
} from "@safe-global/protocol-kit";
import {
  ZeroAddress,
  ZeroHash,
  computeAddress,
  concat,
  getAddress,
  getBytes,
  getCreate2Address,
  hashMessage,
  id,
  isAddress,
  isHexString,
  keccak256,
  recoverAddress,
  Signature,
} from "ethers";

export type { ContractNetworksConfig } from "@safe-global/protocol-kit";

// The kits ship CommonJS-style typings (no "type": "module") but Node loads their ESM builds. Under
// NodeNext, TypeScript therefore types a default import as the whole module object, while at run time it
// is the class itself. Taking `.default` when present satisfies both without loading the CJS build twice.
type SafeClass = typeof SafeModule.default;
type SafeApiKitClass = typeof SafeApiKitModule.default;
const Safe = ((SafeModule as unknown as { default?: SafeClass }).default ?? SafeModule) as unknown as SafeClass;
const SafeApiKit = ((SafeApiKitModule as unknown as { default?: SafeApiKitClass }).default ??
  SafeApiKitModule) as unknown as SafeApiKitClass;
type SafeKit = InstanceType<SafeClass>;
type SafeTransactionData = InstanceType<typeof EthSafeTransaction>["data"];

// ---------------------------------------------------------------------------------------------------------
// Errors

/** Every failure of this module carries one of these codes, so tasks can branch without parsing text. */
export const SafeErrorCode = {
  INVALID_ARGUMENT: "SAFE_INVALID_ARGUMENT",
  FACTORY_UNAVAILABLE: "SAFE_FACTORY_UNAVAILABLE",
  DEPLOYMENT_FAILED: "SAFE_DEPLOYMENT_FAILED",
  PROPOSAL_INVALID: "SAFE_PROPOSAL_INVALID",
  WRONG_CHAIN: "SAFE_WRONG_CHAIN",
  NOT_OWNER: "SAFE_NOT_OWNER",
  SIGNATURE_INVALID: "SAFE_SIGNATURE_INVALID",
  NONCE_MISMATCH: "SAFE_NONCE_MISMATCH",
  THRESHOLD_NOT_MET: "SAFE_THRESHOLD_NOT_MET",
  EXECUTION_FAILED: "SAFE_EXECUTION_FAILED",
} as const;

export type SafeErrorCode = (typeof SafeErrorCode)[keyof typeof SafeErrorCode];

export class SafeError extends HardhatPluginError {
  constructor(
    readonly code: SafeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(CLOAK_PLUGIN_ID, `${code}: ${message}`, options?.cause instanceof Error ? options.cause : undefined);
    this.name = "SafeError";
  }
}

// ---------------------------------------------------------------------------------------------------------
// Safe v1.4.1 contracts

export const SAFE_VERSION = "1.4.1";

/**
 * Safe's singleton factory. Safe deploys its contracts through it with a zero salt, so CREATE2 through the
 * same factory with the same creation code lands on the canonical addresses of every chain.
 */
export const SAFE_SINGLETON_FACTORY = "0x914d7Fec6aaC8cd542e72Bca78B30650d45643d7";

// The factory's runtime code: the deterministic-deployment proxy (calldata = salt ‖ creation code, CREATE2,
// returns the address). Safe's factory runs exactly this code; on a development chain it is installed with
// `hardhat_setCode`, because its real deployment is a transaction presigned for each chain id.
const SINGLETON_FACTORY_RUNTIME =
  "0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3";

/** The contracts protocol-kit needs, keyed by their `contractNetworks` field, with their artifact path. */
const SAFE_CONTRACTS = {
  safe: "Safe.sol/Safe",
  safeL2: "SafeL2.sol/SafeL2",
  safeProxyFactory: "proxies/SafeProxyFactory.sol/SafeProxyFactory",
  multiSend: "libraries/MultiSend.sol/MultiSend",
  multiSendCallOnly: "libraries/MultiSendCallOnly.sol/MultiSendCallOnly",
  fallbackHandler: "handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler",
  signMessageLib: "libraries/SignMessageLib.sol/SignMessageLib",
  createCall: "libraries/CreateCall.sol/CreateCall",
  simulateTxAccessor: "accessors/SimulateTxAccessor.sol/SimulateTxAccessor",
} as const;

export type SafeContractName = keyof typeof SAFE_CONTRACTS;

const requireFromHere = createRequire(import.meta.url);

function creationCode(name: SafeContractName): string {
  const artifact = requireFromHere(`@safe-global/safe-contracts/build/artifacts/contracts/${SAFE_CONTRACTS[name]}.json`) as {
    bytecode: string;
  };
  return artifact.bytecode;
}

/** Where each Safe v1.4.1 contract lives on any chain that has it at the canonical address. */
export function safeContractAddresses(): Record<SafeContractName, string> {
  const names = Object.keys(SAFE_CONTRACTS) as SafeContractName[];
  canonicalAddresses ??= Object.fromEntries(
    names.map((name) => [name, getCreate2Address(SAFE_SINGLETON_FACTORY, ZeroHash, keccak256(creationCode(name)))]),
  ) as Record<SafeContractName, string>;
  return { ...canonicalAddresses };
}

let canonicalAddresses: Record<SafeContractName, string> | undefined;

export interface DeploySafeSingletonsOptions {
  /**
   * Which singleton new Safes use. SafeL2 (the default, as Safe{Wallet} picks on every chain but Ethereum
   * mainnet) emits an event per Safe transaction, so a Safe's history can be read from logs alone.
   */
  singleton?: "Safe" | "SafeL2";
}

/**
 * Makes sure the Safe v1.4.1 contracts exist at their canonical addresses on the connected chain, deploying
 * what is missing from the npm package's artifacts, and returns protocol-kit's `contractNetworks` for it.
 * Idempotent: a contract already there is left alone, so on a public chain that has Safe it sends nothing.
 * On a chain without Safe's singleton factory, only a development chain (which accepts
 * `hardhat_setCode`) can be served.
 */
export async function deploySafeSingletons(
  ethers: HardhatEthers,
  options: DeploySafeSingletonsOptions = {},
): Promise<ContractNetworksConfig> {
  const chainId = (await ethers.provider.getNetwork()).chainId;
  await ensureSingletonFactory(ethers);
  const [deployer] = await ethers.getSigners();
  if (!deployer) throw new SafeError(SafeErrorCode.DEPLOYMENT_FAILED, "no account to pay for the Safe contracts' deployment");

  const addresses = safeContractAddresses();
  for (const name of Object.keys(SAFE_CONTRACTS) as SafeContractName[]) {
    if ((await ethers.provider.getCode(addresses[name])) !== "0x") continue;
    const receipt = await (await deployer.sendTransaction({ to: SAFE_SINGLETON_FACTORY, data: concat([ZeroHash, creationCode(name)]) })).wait();
    if (receipt?.status !== 1 || (await ethers.provider.getCode(addresses[name])) === "0x") {
      throw new SafeError(SafeErrorCode.DEPLOYMENT_FAILED, `deploying Safe ${SAFE_VERSION} ${name} to ${addresses[name]} failed`);
    }
  }

  return safeContractNetworks(chainId, options);
}

/**
 * protocol-kit's `contractNetworks` for a chain that has Safe v1.4.1 at its canonical addresses (any chain
 * `deploySafeSingletons` has served, and the public chains Safe supports). Reads nothing from the chain.
 */
export function safeContractNetworks(chainId: bigint | number | string, options: DeploySafeSingletonsOptions = {}): ContractNetworksConfig {
  const addresses = safeContractAddresses();
  const network: ContractNetworkConfig = {
    safeSingletonAddress: options.singleton === "Safe" ? addresses.safe : addresses.safeL2,
    safeProxyFactoryAddress: addresses.safeProxyFactory,
    multiSendAddress: addresses.multiSend,
    multiSendCallOnlyAddress: addresses.multiSendCallOnly,
    fallbackHandlerAddress: addresses.fallbackHandler,
    signMessageLibAddress: addresses.signMessageLib,
    createCallAddress: addresses.createCall,
    simulateTxAccessorAddress: addresses.simulateTxAccessor,
  };
  return { [BigInt(chainId).toString()]: network };
}

async function ensureSingletonFactory(ethers: HardhatEthers): Promise<void> {
  const code = await ethers.provider.getCode(SAFE_SINGLETON_FACTORY);
  if (code === SINGLETON_FACTORY_RUNTIME) return;
  if (code !== "0x") {
    throw new SafeError(SafeErrorCode.FACTORY_UNAVAILABLE, `${SAFE_SINGLETON_FACTORY} holds code that is not Safe's singleton factory`);
  }
  try {
    await ethers.provider.send("hardhat_setCode", [SAFE_SINGLETON_FACTORY, SINGLETON_FACTORY_RUNTIME]);
  } catch (cause) {
    throw new SafeError(
      SafeErrorCode.FACTORY_UNAVAILABLE,
      `chain has no Safe singleton factory at ${SAFE_SINGLETON_FACTORY} and is not a development chain; ` +
        "on a public chain use a Safe deployed by Safe's own tooling",
      { cause },
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Connecting

/** An EIP-1193 provider (Hardhat's `connection.provider`, a wallet) or an RPC URL. */
export type SafeRpcProvider = Eip1193Provider | string;

/**
 * Who signs: an account the provider manages (an address; Hardhat's local accounts) or a 0x-prefixed
 * private key (real networks, read from the environment by the caller). Keys are never printed or written.
 */
export type SafeSigner = string;

export interface SafeConnection {
  provider: SafeRpcProvider;
  signer: SafeSigner;
  /** Needed on chains protocol-kit does not know (development chains); see `deploySafeSingletons`. */
  contractNetworks?: ContractNetworksConfig;
}

const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;

/** The signer's address; the error never echoes the input, since it may be a key. */
function signerAddress(signer: SafeSigner): string {
  if (isAddress(signer)) return getAddress(signer);
  if (PRIVATE_KEY.test(signer)) return computeAddress(signer);
  throw new SafeError(SafeErrorCode.INVALID_ARGUMENT, "signer must be an address or a 0x-prefixed 32-byte private key");
}

/** protocol-kit treats any string that is not a (strictly checksummed) address as a private key. */
function kitSigner(signer: SafeSigner): string {
  return isAddress(signer) ? getAddress(signer) : signer;
}

async function connectSafe(safeAddress: string, connection: SafeConnection): Promise<SafeKit> {
  return Safe.init({
    provider: connection.provider,
    signer: kitSigner(connection.signer),
    safeAddress: getAddress(safeAddress),
    ...(connection.contractNetworks ? { contractNetworks: connection.contractNetworks } : {}),
  });
}

// ---------------------------------------------------------------------------------------------------------
// Creating a Safe

export interface CreateSafeOptions extends SafeConnection {
  owners: string[];
  threshold: number;
  /** Changes the Safe's (deterministic) address for the same owners and threshold. */
  saltNonce?: string;
}

/**
 * Deploys a Safe proxy with these owners and threshold and returns its address; the signer pays for it.
 * The address is deterministic, so a Safe already deployed with the same settings is returned as is.
 */
export async function createSafe(options: CreateSafeOptions): Promise<string> {
  const owners = options.owners.map((owner) => {
    if (!isAddress(owner)) throw new SafeError(SafeErrorCode.INVALID_ARGUMENT, `owner '${owner}' is not an address`);
    return getAddress(owner);
  });
  if (new Set(owners).size !== owners.length) throw new SafeError(SafeErrorCode.INVALID_ARGUMENT, "owners must be distinct");
  if (!Number.isInteger(options.threshold) || options.threshold < 1 || options.threshold > owners.length) {
    throw new SafeError(SafeErrorCode.INVALID_ARGUMENT, `threshold must be between 1 and ${owners.length} (the number of owners), got ${options.threshold}`);
  }
  signerAddress(options.signer);

  const kit = await Safe.init({
    provider: options.provider,
    signer: kitSigner(options.signer),
    predictedSafe: {
      safeAccountConfig: { owners, threshold: options.threshold },
      safeDeploymentConfig: { safeVersion: SAFE_VERSION, ...(options.saltNonce !== undefined ? { saltNonce: options.saltNonce } : {}) },
    },
    ...(options.contractNetworks ? { contractNetworks: options.contractNetworks } : {}),
  });
  const safeAddress = getAddress(await kit.getAddress());
  if (await kit.isSafeDeployed()) return safeAddress;

  const deployment = await kit.createSafeDeploymentTransaction();
  const safeProvider = kit.getSafeProvider();
  const wallet = await safeProvider.getExternalSigner();
  if (!wallet) throw new SafeError(SafeErrorCode.INVALID_ARGUMENT, "no signer to pay for the Safe's deployment");
  const hash = await wallet.sendTransaction({
    account: wallet.account,
    chain: wallet.chain,
    to: asHex(deployment.to),
    value: BigInt(deployment.value),
    data: asHex(deployment.data),
  });
  const receipt = await safeProvider.getExternalProvider().waitForTransactionReceipt({ hash });
  if (receipt.status !== "success" || !(await safeProvider.isContractDeployed(safeAddress))) {
    throw new SafeError(SafeErrorCode.DEPLOYMENT_FAILED, `Safe deployment transaction ${hash} did not create ${safeAddress}`);
  }
  return safeAddress;
}

function asHex(value: string): `0x${string}` {
  if (!isHexString(value)) throw new SafeError(SafeErrorCode.INVALID_ARGUMENT, `'${value}' is not hex data`);
  return value as `0x${string}`;
}

// ---------------------------------------------------------------------------------------------------------
// Proposal files

export const SAFE_PROPOSAL_FORMAT = "cloak-safe-tx/1";

/** One call the Safe makes. */
export interface SafeCall {
  to: string;
  /** Wei; defaults to 0. */
  value?: bigint | string;
  /** Calldata; defaults to 0x. */
  data?: string;
  /** What the call does, for the owners who review the proposal. */
  description?: string;
}

/** A call as recorded in a proposal file (normalized: checksummed address, decimal value, hex data). */
export interface SafeProposalCall {
  to: string;
  value: string;
  data: string;
  description?: string;
}

/** The Safe transaction every owner signs (EIP-712 `SafeTx`). */
export interface SafeProposalTransaction {
  to: string;
  value: string;
  data: string;
  /** 0 = call, 1 = delegatecall (a batch: MultiSendCallOnly). */
  operation: 0 | 1;
  safeTxGas: string;
  baseGas: string;
  gasPrice: string;
  gasToken: string;
  refundReceiver: string;
  nonce: number;
}

export interface SafeProposalSignature {
  signer: string;
  /** 65-byte ECDSA signature in the Safe's encoding (v 27/28 for EIP-712, 31/32 for eth_sign). */
  data: string;
}

/**
 * A Safe transaction on its way to execution, as a JSON file passed from owner to owner. The signed
 * `transaction` is authoritative; `calls` restate it for review and must decode from it.
 */
export interface SafeProposal {
  format: typeof SAFE_PROPOSAL_FORMAT;
  chainId: string;
  safe: string;
  safeVersion: string;
  description: string;
  calls: SafeProposalCall[];
  transaction: SafeProposalTransaction;
  safeTxHash: string;
  signatures: SafeProposalSignature[];
}

export interface ProposeOptions extends SafeConnection {
  safeAddress: string;
  calls: SafeCall[];
  /** Defaults to the calls' descriptions, joined. */
  description?: string;
  /** Defaults to the Safe's current nonce; set it to queue a proposal behind pending ones. */
  nonce?: number;
}

/**
 * Builds one Safe transaction for the calls (a MultiSendCallOnly batch when there are several, so no call
 * can delegatecall), signs it with the proposer's key (who must be an owner), and returns the proposal.
 */
export async function proposeSafeTransaction(options: ProposeOptions): Promise<SafeProposal> {
  if (options.calls.length === 0) throw new SafeError(SafeErrorCode.INVALID_ARGUMENT, "a proposal needs at least one call");
  const calls = options.calls.map(normalizeCall);
  const kit = await connectSafe(options.safeAddress, options);
  if (options.nonce !== undefined) {
    const current = await kit.getNonce();
    if (!Number.isSafeInteger(options.nonce) || options.nonce < current) {
      throw new SafeError(SafeErrorCode.NONCE_MISMATCH, `nonce ${options.nonce} cannot be used: Safe ${options.safeAddress} is at nonce ${current}`);
    }
  }
  const transaction = await kit.createTransaction({
    transactions: calls.map(({ to, value, data }) => ({ to, value, data })),
    onlyCalls: true,
    ...(options.nonce !== undefined ? { options: { nonce: options.nonce } } : {}),
  });
  const description = options.description ?? calls.map((call, i) => call.description ?? `call ${i + 1} to ${call.to}`).join("; ");
  const unsigned: SafeProposal = {
    format: SAFE_PROPOSAL_FORMAT,
    chainId: (await kit.getChainId()).toString(),
    safe: getAddress(await kit.getAddress()),
    safeVersion: kit.getContractVersion(),
    description,
    calls,
    transaction: toProposalTransaction(transaction.data),
    safeTxHash: await kit.getTransactionHash(transaction),
    signatures: [],
  };
  return signWith(kit, unsigned, options.signer);
}

/** Adds the signer's signature (the signer must be an owner); signing twice replaces the earlier one. */
export async function addSignature(proposal: SafeProposal, connection: SafeConnection): Promise<SafeProposal> {
  const checked = checkProposal(proposal);
  const kit = await connectSafe(checked.safe, connection);
  await checkAgainstChain(kit, checked, "sign");
  return signWith(kit, checked, connection.signer);
}

async function signWith(kit: SafeKit, proposal: SafeProposal, signer: SafeSigner): Promise<SafeProposal> {
  const address = signerAddress(signer);
  if (!(await kit.isOwner(address))) {
    throw new SafeError(SafeErrorCode.NOT_OWNER, `${address} is not an owner of Safe ${proposal.safe}; only owners sign its transactions`);
  }
  // EIP-712 (eth_signTypedData_v4) is what Safe{Wallet} uses and what hardware wallets can display.
  const signed = await kit.signTransaction(new EthSafeTransaction(fromProposalTransaction(proposal.transaction)));
  const signature = signed.getSignature(address);
  if (!signature) throw new SafeError(SafeErrorCode.SIGNATURE_INVALID, `signing with ${address} produced no signature`);
  const entry = { signer: address, data: signature.data };
  if (recoverSigner(proposal.safeTxHash, entry) !== address) {
    throw new SafeError(SafeErrorCode.SIGNATURE_INVALID, `${address}'s signature does not recover to it; the wallet signed something else`);
  }
  const signatures = [...proposal.signatures.filter((s) => s.signer !== address), entry].sort((a, b) =>
    a.signer.toLowerCase() < b.signer.toLowerCase() ? -1 : 1,
  );
  return { ...proposal, signatures };
}

export interface SafeExecution {
  /** The Ethereum transaction that executed the Safe transaction. */
  transactionHash: string;
  safeTxHash: string;
}

/**
 * Executes the proposal once it holds at least `threshold` owners' signatures. The executing account pays
 * the gas and need not be an owner; being an owner does not count as a signature here, so what executes is
 * exactly what the file shows as approved.
 */
export async function executeSafeProposal(proposal: SafeProposal, connection: SafeConnection): Promise<SafeExecution> {
  const checked = checkProposal(proposal);
  const kit = await connectSafe(checked.safe, connection);
  await checkAgainstChain(kit, checked, "execute");

  const owners = new Set((await kit.getOwners()).map((owner) => getAddress(owner)));
  const strangers = checked.signatures.filter((s) => !owners.has(s.signer)).map((s) => s.signer);
  if (strangers.length > 0) {
    throw new SafeError(SafeErrorCode.NOT_OWNER, `signatures by ${strangers.join(", ")}, who are not owners of Safe ${checked.safe} (any more)`);
  }
  const threshold = await kit.getThreshold();
  if (checked.signatures.length < threshold) {
    const by = checked.signatures.length > 0 ? ` (${checked.signatures.map((s) => s.signer).join(", ")})` : "";
    throw new SafeError(
      SafeErrorCode.THRESHOLD_NOT_MET,
      `Safe ${checked.safe} needs ${threshold} signatures (threshold ${threshold} of ${owners.size} owners); ` +
        `proposal ${checked.safeTxHash} has ${checked.signatures.length}${by}`,
    );
  }

  const transaction = new EthSafeTransaction(fromProposalTransaction(checked.transaction));
  for (const s of checked.signatures) transaction.addSignature(new EthSafeSignature(s.signer, s.data));

  let hash: string;
  try {
    hash = (await kit.executeTransaction(transaction)).hash;
  } catch (cause) {
    throw new SafeError(SafeErrorCode.EXECUTION_FAILED, `executing ${checked.safeTxHash} on Safe ${checked.safe} failed: ${errorText(cause)}`, { cause });
  }
  const receipt = await kit.getSafeProvider().getExternalProvider().waitForTransactionReceipt({ hash: asHex(hash) });
  // The Safe reports an inner call that failed without reverting (possible when safeTxGas > 0) by an event.
  const executed = receipt.logs.some(
    (log) => getAddress(log.address) === checked.safe && log.topics[0] === EXECUTION_SUCCESS && log.topics[1] === checked.safeTxHash,
  );
  if (receipt.status !== "success" || !executed) {
    throw new SafeError(SafeErrorCode.EXECUTION_FAILED, `transaction ${hash} did not execute ${checked.safeTxHash} on Safe ${checked.safe}`);
  }
  return { transactionHash: hash, safeTxHash: checked.safeTxHash };
}

// Safe 1.4.1: ExecutionSuccess(bytes32 indexed txHash, uint256 payment).
const EXECUTION_SUCCESS = id("ExecutionSuccess(bytes32,uint256)");

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const short = (error as { shortMessage?: unknown }).shortMessage;
  return typeof short === "string" ? short : error.message.split("\n")[0]!;
}

/**
 * The file's claims that need the chain: same chain and Safe version, the batch contract, and a nonce not
 * used yet (for execution: the Safe's current nonce; a queued proposal may still collect signatures).
 */
async function checkAgainstChain(kit: SafeKit, proposal: SafeProposal, purpose: "sign" | "execute"): Promise<void> {
  const chainId = (await kit.getChainId()).toString();
  if (chainId !== proposal.chainId) {
    throw new SafeError(SafeErrorCode.WRONG_CHAIN, `the proposal is for chain ${proposal.chainId}, but the provider is on chain ${chainId}`);
  }
  if (kit.getContractVersion() !== proposal.safeVersion) {
    throw new SafeError(SafeErrorCode.PROPOSAL_INVALID, `the proposal was made for Safe ${proposal.safeVersion}, but ${proposal.safe} is ${kit.getContractVersion()}`);
  }
  const nonce = await kit.getNonce();
  if (proposal.transaction.nonce < nonce) {
    throw new SafeError(
      SafeErrorCode.NONCE_MISMATCH,
      `proposal nonce ${proposal.transaction.nonce} is used: Safe ${proposal.safe} is at nonce ${nonce} (executed, or replaced by another transaction)`,
    );
  }
  if (purpose === "execute" && proposal.transaction.nonce > nonce) {
    throw new SafeError(
      SafeErrorCode.NONCE_MISMATCH,
      `proposal nonce ${proposal.transaction.nonce} is queued: Safe ${proposal.safe} is at nonce ${nonce}, so the transactions before it execute first`,
    );
  }
  if (proposal.transaction.operation === 1) {
    const batcher = getAddress(kit.getContractManager().multiSendCallOnlyContract.getAddress());
    if (getAddress(proposal.transaction.to) !== batcher) {
      throw new SafeError(SafeErrorCode.PROPOSAL_INVALID, `the proposal delegatecalls ${proposal.transaction.to}, not this chain's MultiSendCallOnly ${batcher}`);
    }
  }
}

/**
 * Checks what needs no chain: the shape, that `calls` are what `transaction` does, that `safeTxHash` is the
 * transaction's hash, and that each signature recovers to its signer. Returns a normalized copy.
 */
function checkProposal(proposal: SafeProposal): SafeProposal {
  const invalid = (why: string) => new SafeError(SafeErrorCode.PROPOSAL_INVALID, `invalid Safe proposal: ${why}`);
  if (proposal.format !== SAFE_PROPOSAL_FORMAT) throw invalid(`format is '${String(proposal.format)}', expected '${SAFE_PROPOSAL_FORMAT}'`);
  if (!/^[1-9][0-9]*$/.test(String(proposal.chainId))) throw invalid("chainId must be a decimal string");
  if (typeof proposal.safe !== "string" || !isAddress(proposal.safe)) throw invalid("safe is not an address");
  if (typeof proposal.safeVersion !== "string") throw invalid("safeVersion is missing");
  if (typeof proposal.description !== "string") throw invalid("description must be a string");
  if (!Array.isArray(proposal.calls) || proposal.calls.length === 0) throw invalid("calls must be a non-empty list");
  if (!Array.isArray(proposal.signatures)) throw invalid("signatures must be a list");
  if (!isHexString(proposal.safeTxHash, 32)) throw invalid("safeTxHash must be 32 bytes of hex");

  let calls: SafeProposalCall[];
  let transaction: SafeProposalTransaction;
  try {
    calls = proposal.calls.map(normalizeCall);
    transaction = normalizeTransaction(proposal.transaction);
  } catch (cause) {
    throw invalid(cause instanceof Error ? cause.message : String(cause));
  }
  const safe = getAddress(proposal.safe);

  const performed: SafeProposalCall[] =
    transaction.operation === 1 ? decodeBatch(transaction.data) : [{ to: transaction.to, value: transaction.value, data: transaction.data }];
  const same =
    performed.length === calls.length &&
    performed.every((p, i) => p.to === calls[i]!.to && p.value === calls[i]!.value && p.data === calls[i]!.data);
  if (!same) throw invalid("calls do not match what the transaction does");

  const hash = calculateSafeTransactionHash(safe, fromProposalTransaction(transaction), proposal.safeVersion, BigInt(proposal.chainId));
  if (hash.toLowerCase() !== proposal.safeTxHash.toLowerCase()) throw invalid(`safeTxHash is not the transaction's hash (${hash})`);

  const signatures = proposal.signatures.map((s) => {
    if (typeof s?.signer !== "string" || !isAddress(s.signer) || !isHexString(s.data, 65)) throw invalid("each signature needs a signer address and 65 bytes of data");
    const entry = { signer: getAddress(s.signer), data: s.data.toLowerCase() };
    if (recoverSigner(hash, entry) !== entry.signer) {
      throw new SafeError(SafeErrorCode.SIGNATURE_INVALID, `the signature listed for ${entry.signer} is not theirs over ${hash}`);
    }
    return entry;
  });
  if (new Set(signatures.map((s) => s.signer)).size !== signatures.length) throw invalid("a signer is listed twice");

  return { ...proposal, chainId: String(proposal.chainId), safe, calls, transaction, safeTxHash: hash.toLowerCase(), signatures };
}

/** The calls inside a MultiSendCallOnly `multiSend(bytes)` call. */
function decodeBatch(data: string): SafeProposalCall[] {
  let decoded: ReturnType<typeof decodeMultiSendData>;
  try {
    decoded = decodeMultiSendData(data);
  } catch (cause) {
    throw new SafeError(SafeErrorCode.PROPOSAL_INVALID, "invalid Safe proposal: the delegatecall is not a multiSend batch", { cause });
  }
  return decoded.map((tx) => {
    if (tx.operation !== 0) throw new SafeError(SafeErrorCode.PROPOSAL_INVALID, "invalid Safe proposal: the batch contains a delegatecall");
    return { to: getAddress(tx.to), value: BigInt(tx.value).toString(), data: tx.data.toLowerCase() };
  });
}

/** The address behind a Safe ECDSA signature: v 27/28 signs the hash, v 31/32 its eth_sign digest. */
function recoverSigner(safeTxHash: string, signature: SafeProposalSignature): string | undefined {
  const bytes = getBytes(signature.data);
  const v = bytes[64]!;
  try {
    if (v === 27 || v === 28) return recoverAddress(safeTxHash, signature.data);
    if (v === 31 || v === 32) {
      const adjusted = Signature.from({ r: signature.data.slice(0, 66), s: `0x${signature.data.slice(66, 130)}`, v: v - 4 });
      return recoverAddress(hashMessage(getBytes(safeTxHash)), adjusted);
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function normalizeCall(call: SafeCall | SafeProposalCall): SafeProposalCall {
  if (typeof call.to !== "string" || !isAddress(call.to)) throw new SafeError(SafeErrorCode.INVALID_ARGUMENT, `call target '${String(call.to)}' is not an address`);
  let value: bigint;
  try {
    value = BigInt(call.value ?? 0n);
  } catch {
    throw new SafeError(SafeErrorCode.INVALID_ARGUMENT, `call value '${String(call.value)}' to ${call.to} is not an integer`);
  }
  if (value < 0n) throw new SafeError(SafeErrorCode.INVALID_ARGUMENT, "a call's value cannot be negative");
  const data = call.data ?? "0x";
  if (!isHexString(data)) throw new SafeError(SafeErrorCode.INVALID_ARGUMENT, `call data to ${call.to} is not hex`);
  return { to: getAddress(call.to), value: value.toString(), data: data.toLowerCase(), ...(call.description !== undefined ? { description: call.description } : {}) };
}

function normalizeTransaction(tx: SafeProposalTransaction): SafeProposalTransaction {
  if (typeof tx !== "object" || tx === null) throw new Error("transaction is missing");
  const uint = (field: keyof SafeProposalTransaction) => {
    const value = tx[field];
    if (typeof value !== "string" || !/^[0-9]+$/.test(value)) throw new Error(`transaction.${field} must be a decimal string`);
    return BigInt(value).toString();
  };
  const address = (field: "to" | "gasToken" | "refundReceiver") => {
    if (!isAddress(tx[field])) throw new Error(`transaction.${field} is not an address`);
    return getAddress(tx[field]);
  };
  if (tx.operation !== 0 && tx.operation !== 1) throw new Error("transaction.operation must be 0 or 1");
  if (!Number.isSafeInteger(tx.nonce) || tx.nonce < 0) throw new Error("transaction.nonce must be a non-negative integer");
  if (!isHexString(tx.data)) throw new Error("transaction.data is not hex");
  return {
    to: address("to"),
    value: uint("value"),
    data: tx.data.toLowerCase(),
    operation: tx.operation,
    safeTxGas: uint("safeTxGas"),
    baseGas: uint("baseGas"),
    gasPrice: uint("gasPrice"),
    gasToken: address("gasToken"),
    refundReceiver: address("refundReceiver"),
    nonce: tx.nonce,
  };
}

function toProposalTransaction(data: SafeTransactionData): SafeProposalTransaction {
  return normalizeTransaction({
    to: data.to,
    value: data.value,
    data: data.data,
    operation: data.operation === 1 ? 1 : 0,
    safeTxGas: data.safeTxGas,
    baseGas: data.baseGas,
    gasPrice: data.gasPrice,
    gasToken: data.gasToken || ZeroAddress,
    refundReceiver: data.refundReceiver || ZeroAddress,
    nonce: Number(data.nonce),
  });
}

function fromProposalTransaction(tx: SafeProposalTransaction): SafeTransactionData {
  return { ...tx, operation: tx.operation as SafeTransactionData["operation"] };
}

/** The proposal as the JSON text of a proposal file. */
export function serializeSafeProposal(proposal: SafeProposal): string {
  return `${JSON.stringify(checkProposal(proposal), null, 2)}\n`;
}

/** Parses and checks a proposal file's text (shape, hash, signatures); throws SAFE_PROPOSAL_INVALID. */
export function parseSafeProposal(text: string): SafeProposal {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new SafeError(SafeErrorCode.PROPOSAL_INVALID, "invalid Safe proposal: not JSON", { cause });
  }
  if (typeof value !== "object" || value === null) throw new SafeError(SafeErrorCode.PROPOSAL_INVALID, "invalid Safe proposal: not a JSON object");
  return checkProposal(value as SafeProposal);
}

export function writeSafeProposalFile(path: string, proposal: SafeProposal): void {
  writeTextFile(path, serializeSafeProposal(proposal));
}

function writeTextFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

export function readSafeProposalFile(path: string): SafeProposal {
  return parseSafeProposal(readFileSync(path, "utf8"));
}

// ---------------------------------------------------------------------------------------------------------
// Safe Transaction Service

export interface ProposeToServiceOptions {
  /** The service's base URL, e.g. https://safe-transaction-sepolia.safe.global/api; defaults to Safe's gateway, which needs `apiKey`. */
  txServiceUrl?: string;
  apiKey?: string;
  /** Shown by Safe{Wallet} as the transaction's origin. */
  origin?: string;
}

/**
 * Posts the proposal to a Safe Transaction Service, so owners see it in Safe{Wallet}: the first signature
 * proposes it, every further one is sent as a confirmation.
 */
export async function proposeToService(proposal: SafeProposal, options: ProposeToServiceOptions): Promise<void> {
  const checked = checkProposal(proposal);
  const [first, ...rest] = checked.signatures;
  if (!first) throw new SafeError(SafeErrorCode.PROPOSAL_INVALID, "the service accepts only a proposal signed by at least one owner");
  const api = new SafeApiKit({
    chainId: BigInt(checked.chainId),
    ...(options.txServiceUrl !== undefined ? { txServiceUrl: options.txServiceUrl } : {}),
    ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
  });
  await api.proposeTransaction({
    safeAddress: checked.safe,
    safeTransactionData: fromProposalTransaction(checked.transaction),
    safeTxHash: checked.safeTxHash,
    senderAddress: first.signer,
    senderSignature: first.data,
    ...(options.origin !== undefined ? { origin: options.origin } : {}),
  });
  for (const signature of rest) await api.confirmTransaction(checked.safeTxHash, signature.data);
}

// ---------------------------------------------------------------------------------------------------------
// Safe{Wallet} Transaction Builder batch files

/** A batch file as the Transaction Builder app imports it (its `BatchFile`). */
export interface TransactionBuilderBatch {
  version: "1.0";
  chainId: string;
  createdAt: number;
  meta: {
    name: string;
    description: string;
    txBuilderVersion?: string;
    createdFromSafeAddress: string;
    createdFromOwnerAddress: string;
    checksum?: string;
  };
  transactions: { to: string; value: string; data: string }[];
}

export interface TransactionBuilderBatchOptions {
  chainId: bigint | number | string;
  safeAddress: string;
  name: string;
  description?: string;
  /** Milliseconds since the epoch; defaults to now. */
  createdAt?: number;
  /** Where to write the file; nothing is written without it. */
  path?: string;
}

/**
 * The calls as a Transaction Builder batch with its `meta.checksum`, ready to import in Safe{Wallet}
 * (written to `path` when given). Calls are kept as raw calldata, which the app shows as custom data.
 */
export function writeTransactionBuilderBatch(calls: SafeCall[], options: TransactionBuilderBatchOptions): TransactionBuilderBatch {
  if (calls.length === 0) throw new SafeError(SafeErrorCode.INVALID_ARGUMENT, "a batch needs at least one call");
  if (!isAddress(options.safeAddress)) throw new SafeError(SafeErrorCode.INVALID_ARGUMENT, `'${options.safeAddress}' is not an address`);
  const batch: TransactionBuilderBatch = {
    version: "1.0",
    chainId: BigInt(options.chainId).toString(),
    createdAt: options.createdAt ?? Date.now(),
    meta: {
      name: options.name,
      description: options.description ?? "",
      createdFromSafeAddress: getAddress(options.safeAddress),
      createdFromOwnerAddress: "",
    },
    transactions: calls.map(normalizeCall).map(({ to, value, data }) => ({ to, value, data })),
  };
  batch.meta.checksum = transactionBuilderChecksum(batch);
  if (options.path !== undefined) writeTextFile(options.path, `${JSON.stringify(batch, null, 2)}\n`);
  return batch;
}

/**
 * The Transaction Builder's checksum of a batch, as its `addChecksum` computes it: keccak256 of the UTF-8
 * text of a canonical serialization of the batch with `meta.name` set to null (so renaming a batch keeps it
 * valid). Fields present are hashed as they are, `meta.checksum` included if there.
 */
export function transactionBuilderChecksum(batch: object): string {
  const meta = (batch as { meta?: unknown }).meta;
  const target = { ...batch, meta: { ...(typeof meta === "object" && meta !== null ? meta : {}), name: null } };
  return keccak256(new TextEncoder().encode(canonicalJson(target)));
}

/** Whether `meta.checksum` matches, checked as the Transaction Builder does on import (without the checksum). */
export function verifyTransactionBuilderChecksum(batch: TransactionBuilderBatch): boolean {
  const { checksum, ...meta } = batch.meta;
  return checksum !== undefined && transactionBuilderChecksum({ ...batch, meta }) === checksum;
}

/**
 * The Transaction Builder's serialization, reproduced for compatibility: an array is `[` its elements
 * joined by `,` `]`; an object is `{`, then the JSON array of its keys sorted, then each value (in key
 * order) followed by `,`, then `}`; anything else is its JSON text, with undefined written as null.
 */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const keys = Object.keys(value).sort();
    const record = value as Record<string, unknown>;
    return `{${JSON.stringify(keys)}${keys.map((key) => `${canonicalJson(record[key])},`).join("")}}`;
  }
  return value === undefined ? "null" : JSON.stringify(value);
}
