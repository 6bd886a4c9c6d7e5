// `npm start`: the main job on embedded defaults. Alice deposits, pays Bob privately, Bob withdraws
// through a relayer — three real depth-20 Groth16 proofs from the SDK, each checked by the committed
// Solidity verifier on Hardhat's in-process EVM. Wallets find their notes only by trial decryption.
// (The pool contracts arrive with the EVM issue; here a small in-memory ledger stands in for their
// tree and nullifier set so the flow of notes is visible.)
import { network } from "hardhat";
import {
  getPoseidon,
  Keypair,
  loadBundledProver,
  MerkleTree,
  noteNullifier,
  proveTransaction,
  releaseProvingResources,
  toHex32,
  toSolidityProof,
  trialDecrypt,
  type DiscoveredNote,
  type ProvenTransaction,
} from "@cloak/sdk";

const { ethers } = await network.create();
const [, recipient, relayer] = await ethers.getSigners();
const verifier = await ethers.deployContract("Transaction20Verifier");
const chainId = (await ethers.provider.getNetwork()).chainId;
const pool = await verifier.getAddress(); // stands in for the pool address the proofs are bound to

const poseidon = await getPoseidon();
const prover = await loadBundledProver();
const tree = new MerkleTree(prover.depth, poseidon);
const spent = new Set<bigint>();
const published: { commitment: bigint; leafIndex: number; ciphertext: Uint8Array }[] = [];
const alice = Keypair.generate(poseidon);
const bob = Keypair.generate(poseidon);
const ZERO = "0x0000000000000000000000000000000000000000";
const report: string[] = [];

async function settle(label: string, tx: ProvenTransaction): Promise<void> {
  const { pA, pB, pC } = toSolidityProof(tx.proof);
  const accepted = await verifier.verifyProof(pA, pB, pC, tx.publicSignals);
  const gas = await verifier.verifyProof.estimateGas(pA, pB, pC, tx.publicSignals);
  if (!accepted) throw new Error(`${label}: the on-chain verifier rejected the proof`);
  if (!tree.isKnownRoot(tx.publicInputs.root)) throw new Error(`${label}: unknown root`);
  for (const nullifier of tx.publicInputs.inputNullifiers) {
    if (spent.has(nullifier)) throw new Error(`${label}: double spend`);
    spent.add(nullifier);
  }
  const first = tree.insertMany(tx.publicInputs.outputCommitments);
  published.push(
    { commitment: tx.publicInputs.outputCommitments[0], leafIndex: first, ciphertext: tx.extData.encryptedOutput1 },
    { commitment: tx.publicInputs.outputCommitments[1], leafIndex: first + 1, ciphertext: tx.extData.encryptedOutput2 },
  );
  const ms = (tx.timings.witnessMs + tx.timings.proveMs).toFixed(0);
  report.push(
    `${label.padEnd(22)} extAmount ${String(tx.extData.extAmount).padStart(6)}  fee ${String(tx.extData.fee).padStart(3)}  ` +
      `prove ${ms.padStart(5)} ms  verifyProof ${gas} gas  root ${toHex32(tree.root).slice(0, 18)}…`,
  );
}

function wallet(owner: Keypair): DiscoveredNote[] {
  return trialDecrypt(published, owner, poseidon).filter((note) => note.amount > 0n);
}

const extData = { chainId, pool, recipient: ZERO, relayer: ZERO, fee: 0n };

const deposit = await proveTransaction(
  { tree, inputs: [], outputs: [{ amount: 1000n, recipient: alice }], extData: { ...extData, extAmount: 1000n }, changeAddress: alice },
  prover,
  poseidon,
);
await settle("1. alice deposits", deposit);

const [aliceNote] = wallet(alice);
const transfer = await proveTransaction(
  {
    tree,
    inputs: [{ note: aliceNote!, owner: alice }],
    outputs: [{ amount: 400n, recipient: bob }, { amount: 600n, recipient: alice }],
    extData: { ...extData, extAmount: 0n },
  },
  prover,
  poseidon,
);
await settle("2. alice pays bob", transfer);

const [bobNote] = wallet(bob);
const withdrawal = await proveTransaction(
  {
    tree,
    inputs: [{ note: bobNote!, owner: bob }],
    outputs: [{ amount: 100n, recipient: bob }],
    extData: { ...extData, recipient: recipient!.address, relayer: relayer!.address, extAmount: -290n, fee: 10n },
  },
  prover,
  poseidon,
);
await settle("3. bob withdraws", withdrawal);

const balance = (owner: Keypair) =>
  wallet(owner)
    .filter((note) => !spent.has(noteNullifier(note.commitment, note.leafIndex, owner.privateKey, poseidon)))
    .reduce((sum, note) => sum + note.amount, 0n);

console.log(`Cloak demo — depth-${prover.depth} join-split, chain ${chainId}, verifier ${pool}`);
for (const line of report) console.log(`  ${line}`);
console.log(`  shielded balances: alice ${balance(alice)}, bob ${balance(bob)}; ${tree.size} leaves, ${spent.size} nullifiers spent`);
console.log(`  withdrawn to ${recipient!.address}: 290 (relayer ${relayer!.address} earns 10)`);
await releaseProvingResources();
