// `npm run corpus`: regenerates services/testkit/corpus/ (real depth-20 proofs, reproducible byte for
// byte from CORPUS_SEED); `npm run corpus -- --check` verifies the committed files instead.
// `--only solana` (or `--only evm`) regenerates one chain's file and leaves the other's bytes alone.
// Generation starts a hardhat node and deploys Cloak the operator's way only to learn the addresses
// the proofs bind (a fresh node and a fixed deployer give the same ones every time).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { hexlify } from "ethers";
import { PublicKey } from "@solana/web3.js";
import {
  MerkleTree,
  PRODUCTION_TREE_DEPTH,
  getPoseidon,
  loadBundledProver,
  proveTransaction,
  releaseProvingResources,
  type Groth16Proof,
  type SpendableNote,
} from "@cloak/sdk";
import { NATIVE_MINT, SCRAMBLE_REGISTRY_PROGRAM_ID, SHIELD_POOL_PROGRAM_ID, poolPda, proveSolanaTransaction } from "@cloak/sdk/solana";
import {
  CORPUS_COUNTS,
  CORPUS_FILES,
  CORPUS_SEED,
  EVM_CORPUS_FORMAT,
  GZIP_THRESHOLD,
  SOLANA_CORPUS_FORMAT,
  SOLANA_CORPUS_RECIPIENT,
  SOLANA_CORPUS_RELAYER,
  checkCorpus,
  currentVkeySha256,
  type CorpusExtData,
  type EvmCorpus,
  type EvmCorpusEntry,
  type SolanaCorpus,
  type SolanaCorpusEntry,
} from "../src/corpus.ts";
import { corpusAmounts } from "../src/amounts.ts";
import { corpusOwner, seededRandom, seedableProofRandomness } from "../src/deterministic.ts";
import { EVM_DEPLOYER, EVM_RELAYER, EVM_WITHDRAWAL_RECIPIENT, deployEvm, startHardhatNode } from "../src/evm-node.ts";
import { corpusDir } from "../src/paths.ts";

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
// --out and the counts are for trying the generator quickly; the committed corpus uses the defaults.
const { values: options } = parseArgs({
  options: {
    check: { type: "boolean", default: false },
    out: { type: "string", default: corpusDir },
    "evm-deposits": { type: "string", default: String(CORPUS_COUNTS.evmDeposits) },
    "evm-withdrawals": { type: "string", default: String(CORPUS_COUNTS.evmWithdrawals) },
    "solana-deposits": { type: "string", default: String(CORPUS_COUNTS.solanaDeposits) },
    "solana-withdrawals": { type: "string", default: String(CORPUS_COUNTS.solanaWithdrawals) },
    only: { type: "string" },
  },
});
if (options.only !== undefined && options.only !== "evm" && options.only !== "solana") {
  console.error(`--only: '${options.only}' is neither evm nor solana`);
  process.exit(2);
}
const generate = { evm: options.only !== "solana", solana: options.only !== "evm" };
const counts = {
  evmDeposits: generate.evm ? Number(options["evm-deposits"]) : 0,
  evmWithdrawals: generate.evm ? Number(options["evm-withdrawals"]) : 0,
  solanaDeposits: generate.solana ? Number(options["solana-deposits"]) : 0,
  solanaWithdrawals: generate.solana ? Number(options["solana-withdrawals"]) : 0,
};
if (counts.solanaWithdrawals > counts.solanaDeposits) {
  console.error(`--solana-withdrawals: ${counts.solanaWithdrawals} withdrawals would need as many deposits, there are ${counts.solanaDeposits}`);
  process.exit(2);
}

if (options.check) {
  const report = await checkCorpus(options.out);
  console.log(
    `corpus OK: EVM ${report.evm.deposits} deposits + ${report.evm.withdrawals} withdrawals, Solana ${report.solana.deposits} deposits + ${report.solana.withdrawals} withdrawals; ` +
      `every proof verifies against the verifying key (${(report.verifyMs / 1000).toFixed(1)} s)`,
  );
  await releaseProvingResources();
  process.exit(0);
}

const seed = CORPUS_SEED;
const poseidon = await getPoseidon();
// snarkjs, not the native prover: seedableProofRandomness seeds snarkjs' blinding, which keeps the corpus
// reproducible byte for byte.
const prover = await loadBundledProver(PRODUCTION_TREE_DEPTH, { backend: "snarkjs" });
const seedProof = await seedableProofRandomness();
const dec = (value: bigint) => value.toString();
const proofOf = (proof: Groth16Proof, signals: bigint[]) => ({ proof, publicSignals: signals.map(dec) });
/** ExtData as stored: the draft's fields and the two ciphertexts the proof bound. */
const storedExtData = (
  draft: { recipient: string; extAmount: bigint; relayer: string; fee: bigint },
  sealed: { encryptedOutput1: Uint8Array; encryptedOutput2: Uint8Array },
): CorpusExtData => ({
  recipient: draft.recipient,
  extAmount: dec(draft.extAmount),
  relayer: draft.relayer,
  fee: dec(draft.fee),
  encryptedOutput1: hexlify(sealed.encryptedOutput1),
  encryptedOutput2: hexlify(sealed.encryptedOutput2),
});

function write(name: string, corpus: EvmCorpus | SolanaCorpus): void {
  const json = `${JSON.stringify(corpus)}\n`;
  const plain = join(options.out, name);
  rmSync(plain, { force: true });
  rmSync(`${plain}.gz`, { force: true });
  // Level and no mtime fixed, so the gzip bytes are as reproducible as the JSON.
  if (json.length > GZIP_THRESHOLD) writeFileSync(`${plain}.gz`, gzipSync(json, { level: 9 }));
  else writeFileSync(plain, json);
  console.log(`wrote ${json.length > GZIP_THRESHOLD ? `${plain}.gz` : plain} (${(json.length / 1024).toFixed(0)} KiB of JSON)`);
}

const started = performance.now();
let proofs = 0;
const total = counts.evmDeposits + counts.evmWithdrawals + counts.solanaDeposits + counts.solanaWithdrawals;
function progress(what: string): void {
  proofs += 1;
  if (proofs % 25 === 0 || proofs === total) {
    const elapsed = (performance.now() - started) / 1000;
    console.log(`  ${proofs}/${total} proofs (${what}), ${elapsed.toFixed(0)} s, ${(elapsed / proofs).toFixed(2)} s/proof`);
  }
}

// ---------------------------------------------------------------- EVM
async function generateEvm(): Promise<void> {
  const deployDir = mkdtempSync(join(tmpdir(), "cloak-corpus-"));
  const node = await startHardhatNode();
  let deployment;
  try {
    deployment = await deployEvm(node.url, deployDir);
  } finally {
    await node.stop();
    rmSync(deployDir, { recursive: true, force: true });
  }
  const evmOwner = corpusOwner(seed, "evm", poseidon);
  const domain = { chainId: deployment.chainId, pool: deployment.pool };
  const emptyTree = new MerkleTree(PRODUCTION_TREE_DEPTH, poseidon);
  const emptyRoot = emptyTree.root;
  console.log(`EVM: pool ${deployment.pool} on chain ${deployment.chainId}; ${counts.evmDeposits} deposits against the empty root`);

  const evmDeposits: EvmCorpusEntry[] = [];
  const depositNotes: SpendableNote[] = [];
  for (let i = 0; i < counts.evmDeposits; i++) {
    const amount = corpusAmounts.evmDeposit(i);
    const label = `evm/deposit/${i}`;
    seedProof(seed, label);
    const proven = await proveTransaction(
      {
        tree: emptyTree,
        inputs: [],
        outputs: [{ amount, recipient: evmOwner }],
        extData: { ...domain, recipient: ZERO_ADDRESS, relayer: ZERO_ADDRESS, extAmount: amount, fee: 0n },
        random: seededRandom(seed, label),
      },
      prover,
      poseidon,
    );
    const [note] = proven.outputNotes;
    depositNotes.push({ amount: note!.amount, publicKey: note!.publicKey, blinding: note!.blinding, leafIndex: 2 * i });
    evmDeposits.push({
      kind: "deposit",
      index: i,
      ...proofOf(proven.proof, proven.publicSignals),
      extData: storedExtData({ recipient: ZERO_ADDRESS, extAmount: amount, relayer: ZERO_ADDRESS, fee: 0n }, proven.extData),
      value: dec(amount),
    });
    progress("EVM deposits");
  }

  const afterDeposits = new MerkleTree(PRODUCTION_TREE_DEPTH, poseidon);
  afterDeposits.insertMany(evmDeposits.flatMap((entry) => [BigInt(entry.publicSignals[5]!), BigInt(entry.publicSignals[6]!)]));
  const withdrawalRoot = afterDeposits.root;
  const evmWithdrawals: EvmCorpusEntry[] = [];
  for (let k = 0; k < counts.evmWithdrawals; k++) {
    const note = depositNotes[k]!;
    const fee = corpusAmounts.evmRelayerFee;
    const extAmount = -(note.amount - fee);
    const label = `evm/withdrawal/${k}`;
    seedProof(seed, label);
    const proven = await proveTransaction(
      {
        tree: afterDeposits,
        inputs: [{ note, owner: evmOwner }],
        outputs: [],
        extData: { ...domain, recipient: EVM_WITHDRAWAL_RECIPIENT, relayer: EVM_RELAYER, extAmount, fee },
        random: seededRandom(seed, label),
      },
      prover,
      poseidon,
    );
    evmWithdrawals.push({
      kind: "withdrawal",
      index: k,
      ...proofOf(proven.proof, proven.publicSignals),
      extData: storedExtData({ recipient: EVM_WITHDRAWAL_RECIPIENT, extAmount, relayer: EVM_RELAYER, fee }, proven.extData),
      value: "0",
      spendsDeposit: k,
    });
    progress("EVM withdrawals");
  }
  const evmFinal = new MerkleTree(PRODUCTION_TREE_DEPTH, poseidon, { leaves: afterDeposits.leaves() });
  evmFinal.insertMany(evmWithdrawals.flatMap((entry) => [BigInt(entry.publicSignals[5]!), BigInt(entry.publicSignals[6]!)]));

  write(CORPUS_FILES.evm, {
    header: {
      format: EVM_CORPUS_FORMAT,
      vkeySha256,
      chainId: dec(deployment.chainId),
      pool: deployment.pool,
      orchestrator: deployment.orchestrator,
      deployer: EVM_DEPLOYER,
      relayer: EVM_RELAYER,
      withdrawalRecipient: EVM_WITHDRAWAL_RECIPIENT,
      seed,
      counts: { deposits: evmDeposits.length, withdrawals: evmWithdrawals.length },
      roots: { deposits: dec(emptyRoot), withdrawals: dec(withdrawalRoot) },
      finalRoot: dec(evmFinal.root),
    },
    deposits: evmDeposits,
    withdrawals: evmWithdrawals,
  });
}

// ---------------------------------------------------------------- Solana
async function generateSolana(): Promise<void> {
  // The program keeps only the last 100 roots, so deposits form a chain: deposit k against the root after k - 1.
  const [solPool] = poolPda(NATIVE_MINT, SHIELD_POOL_PROGRAM_ID);
  const solanaOwner = corpusOwner(seed, "solana", poseidon);
  const solanaTree = new MerkleTree(PRODUCTION_TREE_DEPTH, poseidon);
  const solanaDeposits: SolanaCorpusEntry[] = [];
  const solanaNotes: SpendableNote[] = [];
  console.log(`Solana: SOL pool ${solPool.toBase58()}; ${counts.solanaDeposits} chained deposits`);
  for (let j = 0; j < counts.solanaDeposits; j++) {
    const amount = corpusAmounts.solanaDeposit(j);
    const label = `solana/deposit/${j}`;
    seedProof(seed, label);
    const proven = await proveSolanaTransaction(
      {
        tree: solanaTree,
        inputs: [],
        outputs: [{ amount, recipient: solanaOwner }],
        extData: { recipient: PublicKey.default, extAmount: amount, relayer: PublicKey.default, fee: 0n },
        pool: solPool,
        programId: SHIELD_POOL_PROGRAM_ID,
        random: seededRandom(seed, label),
      },
      prover,
      poseidon,
    );
    solanaTree.insertMany(proven.publicInputs.outputCommitments);
    const [note] = proven.outputNotes;
    solanaNotes.push({ amount: note!.amount, publicKey: note!.publicKey, blinding: note!.blinding, leafIndex: 2 * j });
    solanaDeposits.push({
      kind: "deposit",
      index: j,
      ...proofOf(proven.proof, proven.publicSignals),
      extData: storedExtData({ recipient: PublicKey.default.toBase58(), extAmount: amount, relayer: PublicKey.default.toBase58(), fee: 0n }, proven.extData),
    });
    progress("Solana deposits");
  }
  // Withdrawals, all against the root after every deposit: withdrawal k spends deposit k's note and pays
  // SOLANA_CORPUS_RECIPIENT, relayed by SOLANA_CORPUS_RELAYER for a fee (the program pays a fee only to a
  // relayer that signs, so only that key can submit them).
  const withdrawalRoot = solanaTree.root;
  const afterDeposits = new MerkleTree(PRODUCTION_TREE_DEPTH, poseidon, { leaves: solanaTree.leaves() });
  const relayer = SOLANA_CORPUS_RELAYER.publicKey;
  const solanaWithdrawals: SolanaCorpusEntry[] = [];
  for (let k = 0; k < counts.solanaWithdrawals; k++) {
    const note = solanaNotes[k]!;
    const amount = note.amount;
    const fee = corpusAmounts.solanaRelayerFee;
    const extAmount = -(amount - fee);
    const label = `solana/withdrawal/${k}`;
    seedProof(seed, label);
    const proven = await proveSolanaTransaction(
      {
        tree: afterDeposits,
        inputs: [{ note, owner: solanaOwner }],
        outputs: [],
        extData: { recipient: SOLANA_CORPUS_RECIPIENT, extAmount, relayer, fee },
        pool: solPool,
        programId: SHIELD_POOL_PROGRAM_ID,
        random: seededRandom(seed, label),
      },
      prover,
      poseidon,
    );
    solanaWithdrawals.push({
      kind: "withdrawal",
      index: k,
      ...proofOf(proven.proof, proven.publicSignals),
      extData: storedExtData({ recipient: SOLANA_CORPUS_RECIPIENT.toBase58(), extAmount, relayer: relayer.toBase58(), fee }, proven.extData),
      spendsDeposit: k,
    });
    solanaTree.insertMany(proven.publicInputs.outputCommitments);
    progress("Solana withdrawals");
  }
  write(CORPUS_FILES.solana, {
    header: {
      format: SOLANA_CORPUS_FORMAT,
      vkeySha256,
      shieldPoolProgram: SHIELD_POOL_PROGRAM_ID.toBase58(),
      scrambleRegistryProgram: SCRAMBLE_REGISTRY_PROGRAM_ID.toBase58(),
      pool: solPool.toBase58(),
      mint: NATIVE_MINT.toBase58(),
      relayer: relayer.toBase58(),
      withdrawalRecipient: SOLANA_CORPUS_RECIPIENT.toBase58(),
      seed,
      counts: { deposits: solanaDeposits.length, withdrawals: solanaWithdrawals.length },
      roots: { withdrawals: dec(withdrawalRoot) },
      finalRoot: dec(solanaTree.root),
    },
    deposits: solanaDeposits,
    withdrawals: solanaWithdrawals,
  });
}

const vkeySha256 = currentVkeySha256();
if (generate.evm) await generateEvm();
if (generate.solana) await generateSolana();
console.log(`generated ${proofs} proofs in ${((performance.now() - started) / 1000).toFixed(0)} s`);
await releaseProvingResources();
