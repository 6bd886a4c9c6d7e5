// The committed corpus of real Groth16 proofs (services/testkit/corpus/*.json): its format, loading,
// the binding check against a deployment, and the full check against the verifying key.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { getAddress } from "ethers";
import { PublicKey, type Keypair as SolanaKeypair } from "@solana/web3.js";
import {
  MerkleTree,
  PRODUCTION_TREE_DEPTH,
  bundledArtifactsDir,
  getPoseidon,
  hashEvmExtData,
  publicAmount,
  publicInputsOf,
  verifyProof,
  type EvmExtData,
  type Groth16Proof,

  type TransactionPublicInputs,
} from "@cloak/sdk";
import { hashSolanaExtData, type SolanaExtData } from "@cloak/sdk/solana";
import { corpusDir } from "./paths.ts";
import { solanaCorpusKeypair } from "./deterministic.ts";
import { TestkitError, TestkitErrorCode } from "./errors.ts";

export const EVM_CORPUS_FORMAT = "cloak-corpus-evm/1";
export const SOLANA_CORPUS_FORMAT = "cloak-corpus-solana/2";
/** What `npm run corpus` generates. */
export const CORPUS_COUNTS = { evmDeposits: 512, evmWithdrawals: 50, solanaDeposits: 64, solanaWithdrawals: 24 } as const;
export const CORPUS_SEED = "cloak-service-corpus/v1";
/**
 * The relay key the Solana corpus' withdrawals name as relayer (and so the only key that may submit
 * them and earn their fee): a keypair derived from the corpus seed, public test data like the rest.
 */
export const SOLANA_CORPUS_RELAYER: SolanaKeypair = solanaCorpusKeypair(CORPUS_SEED, "relayer");
/** The wallet every Solana corpus withdrawal pays (a key derived from the seed; no one needs to sign for it). */
export const SOLANA_CORPUS_RECIPIENT: PublicKey = solanaCorpusKeypair(CORPUS_SEED, "recipient").publicKey;
/** File names under corpus/; a file over GZIP_THRESHOLD bytes is stored as `<name>.gz`. */
export const CORPUS_FILES = { evm: "evm.json", solana: "solana.json" } as const;
export const GZIP_THRESHOLD = 2 * 1024 * 1024;

/** One proven transaction exactly as a chain takes it; decimal strings for integers, 0x-hex for bytes. */
export interface CorpusProof {
  proof: Groth16Proof;
  /** root, publicAmount, extDataHash, inputNullifier[2], outputCommitment[2] (decimal). */
  publicSignals: string[];
}

/**
 * ExtData as stored, the same fields on both chains (EVM addresses or Solana base58 keys). An EVM
 * entry's domain (chainId, pool) is the header's, stated once.
 */
export interface CorpusExtData {
  recipient: string;
  extAmount: string;
  relayer: string;
  fee: string;
  encryptedOutput1: string;
  encryptedOutput2: string;
}

export interface EvmCorpusEntry extends CorpusProof {
  kind: "deposit" | "withdrawal";
  /** Position within its kind: deposit i, withdrawal k. */
  index: number;
  extData: CorpusExtData;
  /** msg.value: the deposit amount (native pool), 0 for a withdrawal. */
  value: string;
  /** A withdrawal's spent note: the deposit it spends (its first output, at leaf 2 × deposit). */
  spendsDeposit?: number;
}

export interface EvmCorpusHeader {
  format: typeof EVM_CORPUS_FORMAT;
  /** sha256 of the depth-20 verification_key.json the proofs verify against. */
  vkeySha256: string;
  chainId: string;
  /** The native pool every proof is bound to (ExtData.pool). */
  pool: string;
  orchestrator: string;
  /** Deploys the stack on a fresh node; its nonces fix the addresses above. */
  deployer: string;
  relayer: string;
  withdrawalRecipient: string;
  seed: string;
  counts: { deposits: number; withdrawals: number };
  /** Roots the proofs were made against: the empty tree (every deposit) and after all deposits (withdrawals). */
  roots: { deposits: string; withdrawals: string };
  /** The pool's root after every deposit and then every withdrawal, in corpus order. */
  finalRoot: string;
}

export interface EvmCorpus {
  header: EvmCorpusHeader;
  deposits: EvmCorpusEntry[];
  withdrawals: EvmCorpusEntry[];
}

export interface SolanaCorpusEntry extends CorpusProof {
  kind: "deposit" | "withdrawal";
  /** Position within its kind: deposit j, withdrawal k. */
  index: number;
  extData: CorpusExtData;
  /** A withdrawal's spent note: the deposit it spends (its first output, at leaf 2 × deposit). */
  spendsDeposit?: number;
}

export interface SolanaCorpusHeader {
  format: typeof SOLANA_CORPUS_FORMAT;
  vkeySha256: string;
  /** The programs (fixed ids) and the SOL pool account, poolPda(NATIVE_MINT), hashed into every extDataHash. */
  shieldPoolProgram: string;
  scrambleRegistryProgram: string;
  pool: string;
  mint: string;
  /** SOLANA_CORPUS_RELAYER's public key: signs, pays and earns the fee of every withdrawal. */
  relayer: string;
  /** SOLANA_CORPUS_RECIPIENT: the wallet every withdrawal pays. */
  withdrawalRecipient: string;
  seed: string;
  counts: { deposits: number; withdrawals: number };
  /** The root the withdrawals were proven against: the pool's after every deposit (deposit k is proven against the root after k - 1). */
  roots: { withdrawals: string };
  /** The pool's root after every deposit and then every withdrawal, in corpus order. */
  finalRoot: string;
}

export interface SolanaCorpus {
  header: SolanaCorpusHeader;
  deposits: SolanaCorpusEntry[];
  /** Relayed withdrawals, each spending one deposit's note, all against roots.withdrawals. */
  withdrawals: SolanaCorpusEntry[];
}

/** sha256 of the verifying key the proofs are checked against (the SDK's bundled depth-20 key). */
export function currentVkeySha256(): string {
  return createHash("sha256").update(readFileSync(join(bundledArtifactsDir(PRODUCTION_TREE_DEPTH), "verification_key.json"))).digest("hex");
}

export function readVerificationKey(): object {
  return JSON.parse(readFileSync(join(bundledArtifactsDir(PRODUCTION_TREE_DEPTH), "verification_key.json"), "utf8")) as object;
}

/** The file a corpus lives in: `<name>` or `<name>.gz`, whichever exists. */
export function corpusFile(name: string, dir = corpusDir): string {
  const plain = join(dir, name);
  if (existsSync(plain)) return plain;
  if (existsSync(`${plain}.gz`)) return `${plain}.gz`;
  throw new TestkitError(TestkitErrorCode.CORPUS_INVALID, `${plain}: no corpus file (run npm run corpus)`);
}

function readCorpusJson(file: string): unknown {
  const bytes = readFileSync(file);
  return JSON.parse((file.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8"));
}

function requireFormat(file: string, header: { format?: string } | undefined, format: string): void {
  if (header?.format !== format) {
    throw new TestkitError(TestkitErrorCode.CORPUS_INVALID, `${file}: format '${String(header?.format)}' is not '${format}' (run npm run corpus)`);
  }
}

export function loadEvmCorpus(dir = corpusDir): EvmCorpus {
  const file = corpusFile(CORPUS_FILES.evm, dir);
  const corpus = readCorpusJson(file) as EvmCorpus;
  requireFormat(file, corpus.header, EVM_CORPUS_FORMAT);
  return corpus;
}

export function loadSolanaCorpus(dir = corpusDir): SolanaCorpus {
  const file = corpusFile(CORPUS_FILES.solana, dir);
  const corpus = readCorpusJson(file) as SolanaCorpus;
  requireFormat(file, corpus.header, SOLANA_CORPUS_FORMAT);
  return corpus;
}

/** The deployment a corpus is applied to: the chain it is on and its native pool. */
export interface EvmTarget {
  chainId: bigint;
  pool: string;
}

/**
 * Refuses a deployment the corpus was not made for: its proofs bind chainId and the pool address
 * (ExtData), so any other pool would reject every one of them as WrongDomain.
 */
export function assertEvmCorpusMatches(corpus: EvmCorpus, target: EvmTarget): void {
  const { chainId, pool } = corpus.header;
  if (BigInt(chainId) !== target.chainId || getAddress(pool) !== getAddress(target.pool)) {
    throw new TestkitError(
      TestkitErrorCode.CORPUS_MISMATCH,
      `the EVM corpus was made for pool ${getAddress(pool)} on chain ${chainId}, not pool ${getAddress(target.pool)} on chain ${target.chainId}: run npm run corpus`,
    );
  }
}

/** The full ExtData of an entry, the header's domain filled in. */
export function evmExtDataOf(header: EvmCorpusHeader, extData: CorpusExtData): EvmExtData {
  return {
    chainId: BigInt(header.chainId),
    pool: header.pool,
    recipient: extData.recipient,
    extAmount: BigInt(extData.extAmount),
    relayer: extData.relayer,
    fee: BigInt(extData.fee),
    encryptedOutput1: Buffer.from(extData.encryptedOutput1.slice(2), "hex"),
    encryptedOutput2: Buffer.from(extData.encryptedOutput2.slice(2), "hex"),
  };
}

export function solanaExtDataOf(extData: CorpusExtData): SolanaExtData {
  return {
    recipient: new PublicKey(extData.recipient),
    extAmount: BigInt(extData.extAmount),
    relayer: new PublicKey(extData.relayer),
    fee: BigInt(extData.fee),
    encryptedOutput1: Buffer.from(extData.encryptedOutput1.slice(2), "hex"),
    encryptedOutput2: Buffer.from(extData.encryptedOutput2.slice(2), "hex"),
  };
}

export function publicInputsOfEntry(entry: CorpusProof): TransactionPublicInputs {
  return publicInputsOf(entry.publicSignals.map((signal) => BigInt(signal)));
}

/** The two commitments of each entry, in order: the leaves the pool appends. */
export function commitmentsOf(entries: readonly CorpusProof[]): bigint[] {
  return entries.flatMap((entry) => publicInputsOfEntry(entry).outputCommitments);
}

export interface CorpusCheckReport {
  evm: { deposits: number; withdrawals: number };
  solana: { deposits: number; withdrawals: number };
  /** Wall time of the Groth16 verifications, in milliseconds. */
  verifyMs: number;
}

function fail(file: string, message: string): never {
  throw new TestkitError(TestkitErrorCode.CORPUS_INVALID, `${file}: ${message} (run npm run corpus)`);
}

/**
 * Checks both corpora: the header's vkey fingerprint, counts and roots; every entry's extDataHash
 * (so each proof binds the header's domain), public amount and root; and every proof against the
 * verifying key with snarkjs.
 */
export async function checkCorpus(dir = corpusDir): Promise<CorpusCheckReport> {
  const poseidon = await getPoseidon();
  const vkeySha256 = currentVkeySha256();
  const vkey = readVerificationKey();
  const evm = loadEvmCorpus(dir);
  const solana = loadSolanaCorpus(dir);
  const evmFile = corpusFile(CORPUS_FILES.evm, dir);
  const solanaFile = corpusFile(CORPUS_FILES.solana, dir);
  for (const [file, header] of [[evmFile, evm.header], [solanaFile, solana.header]] as const) {
    if (header.vkeySha256 !== vkeySha256) fail(file, `made for verifying key sha256 ${header.vkeySha256}, the current one is ${vkeySha256}`);
  }
  if (evm.deposits.length !== evm.header.counts.deposits || evm.withdrawals.length !== evm.header.counts.withdrawals) {
    fail(evmFile, `header counts ${JSON.stringify(evm.header.counts)}, file holds ${evm.deposits.length} deposits and ${evm.withdrawals.length} withdrawals`);
  }
  if (solana.deposits.length !== solana.header.counts.deposits || solana.withdrawals.length !== solana.header.counts.withdrawals) {
    fail(solanaFile, `header counts ${JSON.stringify(solana.header.counts)}, file holds ${solana.deposits.length} deposits and ${solana.withdrawals.length} withdrawals`);
  }

  const evmTree = new MerkleTree(PRODUCTION_TREE_DEPTH, poseidon);
  const emptyRoot = evmTree.root;
  if (BigInt(evm.header.roots.deposits) !== emptyRoot) fail(evmFile, "header roots.deposits is not the empty tree's root");
  evmTree.insertMany(commitmentsOf(evm.deposits));
  if (BigInt(evm.header.roots.withdrawals) !== evmTree.root) fail(evmFile, "header roots.withdrawals is not the root after every deposit");
  const checkEvm = (entry: EvmCorpusEntry, expectedRoot: bigint) => {
    const where = `${entry.kind} ${entry.index}`;
    const inputs = publicInputsOfEntry(entry);
    const extData = evmExtDataOf(evm.header, entry.extData);
    if (inputs.root !== expectedRoot) fail(evmFile, `${where}: proven against root ${inputs.root}, expected ${expectedRoot}`);
    if (inputs.extDataHash !== hashEvmExtData(extData)) fail(evmFile, `${where}: extDataHash does not bind its extData on chain ${evm.header.chainId}, pool ${evm.header.pool}`);
    if (inputs.publicAmount !== publicAmount(extData.extAmount, extData.fee)) fail(evmFile, `${where}: publicAmount does not match extAmount and fee`);
  };
  evm.deposits.forEach((entry) => checkEvm(entry, emptyRoot));
  evm.withdrawals.forEach((entry) => checkEvm(entry, BigInt(evm.header.roots.withdrawals)));
  evmTree.insertMany(commitmentsOf(evm.withdrawals));
  if (BigInt(evm.header.finalRoot) !== evmTree.root) fail(evmFile, "header finalRoot is not the root after every transaction");

  const solanaTree = new MerkleTree(PRODUCTION_TREE_DEPTH, poseidon);
  const programId = new PublicKey(solana.header.shieldPoolProgram);
  const pool = new PublicKey(solana.header.pool);
  const checkSolana = (entry: SolanaCorpusEntry, expectedRoot: bigint, rootIs: string) => {
    const where = `${entry.kind} ${entry.index}`;
    const inputs = publicInputsOfEntry(entry);
    const extData = solanaExtDataOf(entry.extData);
    if (inputs.root !== expectedRoot) fail(solanaFile, `${where}: proven against root ${inputs.root}, expected ${rootIs}`);
    if (inputs.extDataHash !== hashSolanaExtData(extData, programId, pool)) fail(solanaFile, `${where}: extDataHash does not bind its extData to program ${programId.toBase58()}, pool ${pool.toBase58()}`);
    if (inputs.publicAmount !== publicAmount(extData.extAmount, extData.fee)) fail(solanaFile, `${where}: publicAmount does not match extAmount and fee`);
  };
  for (const entry of solana.deposits) {
    checkSolana(entry, solanaTree.root, `the root after ${entry.index} deposits`);
    solanaTree.insertMany(publicInputsOfEntry(entry).outputCommitments);
  }
  if (BigInt(solana.header.roots.withdrawals) !== solanaTree.root) fail(solanaFile, "header roots.withdrawals is not the root after every deposit");
  solana.withdrawals.forEach((entry) => checkSolana(entry, solanaTree.root, "the root after every deposit"));
  solanaTree.insertMany(commitmentsOf(solana.withdrawals));
  if (BigInt(solana.header.finalRoot) !== solanaTree.root) fail(solanaFile, "header finalRoot is not the root after every transaction");

  const started = performance.now();
  const all: Array<[string, string, CorpusProof]> = [
    ...evm.deposits.map((e): [string, string, CorpusProof] => [evmFile, `deposit ${e.index}`, e]),
    ...evm.withdrawals.map((e): [string, string, CorpusProof] => [evmFile, `withdrawal ${e.index}`, e]),
    ...solana.deposits.map((e): [string, string, CorpusProof] => [solanaFile, `deposit ${e.index}`, e]),
    ...solana.withdrawals.map((e): [string, string, CorpusProof] => [solanaFile, `withdrawal ${e.index}`, e]),
  ];
  for (const [file, where, entry] of all) {
    if (!(await verifyProof(vkey, entry.proof, entry.publicSignals.map((s) => BigInt(s))))) fail(file, `${where}: the proof does not verify against the verifying key`);
  }
  return {
    evm: { deposits: evm.deposits.length, withdrawals: evm.withdrawals.length },
    solana: { deposits: solana.deposits.length, withdrawals: solana.withdrawals.length },
    verifyMs: performance.now() - started,
  };
}

