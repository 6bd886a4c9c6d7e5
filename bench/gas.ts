// `npm run bench:gas`: gas of each pool operation on Hardhat's in-process EVM, with real depth-20 proofs.
// Prints a table and writes bench/results/gas.json. Figures are receipts' gasUsed (they include the
// 21,000 intrinsic gas and calldata), except where a row says otherwise.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { network } from "hardhat";
import type { TransactionReceipt } from "ethers";
import {
  Keypair,
  MerkleTree,
  getPoseidon,
  proveTransaction,
  releaseProvingResources,
  toSolidityProof,
  toTransactArgs,
  trialDecrypt,
  type EncryptedOutput,
  type ProvenTransaction,
  type TransactionRequest,
} from "@cloak/sdk";
import { deployStack } from "../test/support/deploy.ts";
import { PRODUCTION_DEPTH, proverFor, repoRoot } from "../test/support/fixtures.ts";

const { ethers } = await network.create();
const [, recipient, relayer] = await ethers.getSigners();
const poseidon = await getPoseidon();
const prover = await proverFor(PRODUCTION_DEPTH);
const stack = await deployStack(ethers);
const { pool, orchestrator } = stack;
await orchestrator.addRelayer(relayer!.address);
const chainId = (await ethers.provider.getNetwork()).chainId;

const tree = new MerkleTree(PRODUCTION_DEPTH, poseidon);
const outputs: EncryptedOutput[] = [];
const alice = Keypair.generate(poseidon);
const bob = Keypair.generate(poseidon);
const base = { chainId, pool: pool.target as string, recipient: ethers.ZeroAddress, relayer: ethers.ZeroAddress, fee: 0n };

/** EIP-2028 calldata gas: 4 per zero byte, 16 per other byte. */
function calldataGas(data: string): number {
  const bytes = ethers.getBytes(data);
  return bytes.reduce((sum, byte) => sum + (byte === 0 ? 4 : 16), 0);
}

/** Gas of a receipt's logs by the LOG opcode's price: 375, 375 per topic, 8 per data byte (memory not counted). */
function logGas(receipt: TransactionReceipt): number {
  return receipt.logs.reduce((sum, log) => sum + 375 + 375 * log.topics.length + 8 * ethers.getBytes(log.data).length, 0);
}

async function run(
  request: Omit<TransactionRequest, "tree">,
  value = 0n,
  sender?: Awaited<ReturnType<typeof ethers.getSigners>>[number],
): Promise<{ gas: bigint; tx: ProvenTransaction; receipt: TransactionReceipt; data: string }> {
  const tx = await proveTransaction({ ...request, tree }, prover, poseidon);
  const { proof, extData } = toTransactArgs(tx);
  const sent = await (sender ? pool.connect(sender) : pool).transact(proof, extData, { value });
  const receipt = (await sent.wait())!;
  const first = tree.insertMany(tx.publicInputs.outputCommitments);
  outputs.push(
    { commitment: tx.publicInputs.outputCommitments[0], leafIndex: first, ciphertext: tx.extData.encryptedOutput1 },
    { commitment: tx.publicInputs.outputCommitments[1], leafIndex: first + 1, ciphertext: tx.extData.encryptedOutput2 },
  );
  return { gas: receipt.gasUsed, tx, receipt, data: sent.data };
}

const deposit = await run({ inputs: [], outputs: [{ amount: 10n ** 18n, recipient: alice }], extData: { ...base, extAmount: 10n ** 18n } }, 10n ** 18n);
const [aliceNote] = trialDecrypt(outputs, alice, poseidon).filter((n) => n.amount > 0n);
const transfer = await run({
  inputs: [{ note: aliceNote!, owner: alice }],
  outputs: [{ amount: 4n * 10n ** 17n, recipient: bob }, { amount: 6n * 10n ** 17n, recipient: alice }],
  extData: { ...base, extAmount: 0n },
});
const [bobNote] = trialDecrypt(outputs, bob, poseidon).filter((n) => n.amount > 0n);
const withdraw = await run({
  inputs: [{ note: bobNote!, owner: bob }],
  outputs: [],
  extData: { ...base, recipient: recipient!.address, relayer: relayer!.address, extAmount: -(4n * 10n ** 17n - 10n ** 15n), fee: 10n ** 15n },
}, 0n, relayer); // the relayer sends it, as the relay service does

// The cheapest insert an attacker can buy: no inputs of value, two zero-value outputs, nothing moved.
const zeroValue = await run({ inputs: [], outputs: [], extData: { ...base, extAmount: 0n } });

// isKnownRoot is two storage reads whatever the root's age: the empty tree's root is the oldest here.
const oldestRoot = await pool.zeros(PRODUCTION_DEPTH);
const isKnownOldRoot = await pool.isKnownRoot.estimateGas(oldestRoot);
const isKnownNewestRoot = await pool.isKnownRoot.estimateGas(await pool.getLastRoot());

const verifier = await ethers.getContractAt("Transaction20Verifier", stack.verifier);
const { pA, pB, pC } = toSolidityProof(withdraw.tx.proof);
const verifyGas = await verifier.verifyProof.estimateGas(pA, pB, pC, withdraw.tx.publicSignals);

const harness = await ethers.deployContract("MerkleTreeHarness");
await (await harness.initialize(PRODUCTION_DEPTH, stack.hasher)).wait();
await (await harness.insert(ethers.toBeHex(1n, 32), ethers.toBeHex(2n, 32))).wait(); // first insert fills fresh slots
const [, , secondInsertGas] = await harness.insertMeasured.staticCall(ethers.toBeHex(3n, 32), ethers.toBeHex(4n, 32));
const insertReceipt = await (await harness.insert(ethers.toBeHex(3n, 32), ethers.toBeHex(4n, 32))).wait();

// Rollover overhead: at depth 1 every pair fills the tree, so from the second pair on each insert also finishes
// the previous tree. The first pair's `_insert` gas is the same work without the rollover.
const tiny = await ethers.deployContract("MerkleTreeHarness");
await (await tiny.initialize(1, stack.hasher)).wait();
const [, , insertWithoutRollover] = await tiny.insertMeasured.staticCall(ethers.toBeHex(5n, 32), ethers.toBeHex(6n, 32));
await (await tiny.insert(ethers.toBeHex(5n, 32), ethers.toBeHex(6n, 32))).wait();
const [, , insertWithRollover] = await tiny.insertMeasured.staticCall(ethers.toBeHex(7n, 32), ethers.toBeHex(8n, 32));

// Where a relayed withdrawal's gas goes. Measured: calldata (from the transaction's data), events (from its logs),
// the verifier (its own estimate less intrinsic and calldata), the tree (`_insert` of a second pair in the harness).
// The two nullifier writes are priced by rule (a cold SLOAD-then-SSTORE of a fresh slot each). The rest is the
// pool's own work: checks, root-history lookup, fee and value transfers, the external call to the verifier.
const verifyCalldata = calldataGas(verifier.interface.encodeFunctionData("verifyProof", [pA, pB, pC, withdraw.tx.publicSignals]));
const breakdown = {
  intrinsic: 21_000,
  calldata: calldataGas(withdraw.data),
  verifier: Number(verifyGas) - 21_000 - verifyCalldata,
  tree: Number(secondInsertGas),
  nullifiers: 2 * 22_100,
  events: logGas(withdraw.receipt),
  rest: 0,
};
breakdown.rest = Number(withdraw.gas) - Object.values(breakdown).reduce((a, b) => a + b, 0);

const result = {
  benchmark: "gas",
  date: new Date().toISOString(),
  network: "hardhat in-process (EDR)",
  compilerProfile: "production (optimizer on, 200 runs), as deployed",
  gasUsed: {
    deposit: Number(deposit.gas),
    transfer: Number(transfer.gas),
    withdrawWithRelayer: Number(withdraw.gas),
    zeroValueTransact: Number(zeroValue.gas),
    verifyProofEstimate: Number(verifyGas),
    treeInsertPair: Number(insertReceipt!.gasUsed),
    isKnownRootOldest: Number(isKnownOldRoot),
    isKnownRootNewest: Number(isKnownNewestRoot),
    rolloverOverhead: Number(insertWithRollover - insertWithoutRollover),
  },
  withdrawWithRelayerBreakdown: breakdown,
  notes: {
    withdrawWithRelayerBreakdown:
      "intrinsic 21,000; calldata by EIP-2028 from the transaction's data; verifier = verifyProofEstimate less intrinsic and its calldata; tree = MerkleTreeHarness.insertMeasured of a second pair (one hashPath call, 20 hashes); nullifiers = 2 x 22,100 by rule; events = 375 + 375 per topic + 8 per data byte of the receipt's logs; rest = the pool's own checks, root lookup, transfers and calls",
    withdrawWithRelayer:
      "a relayed withdrawal sent by the relayer itself, as services/relay does: its account is the transaction's sender, so paying it the fee costs 6,800 gas (a value transfer to a warm account) where another sender would pay 9,300",
    zeroValueTransact: "transact with no inputs of value and two zero-value outputs: the cheapest way to push a root into the history",
    verifyProofEstimate: "eth_estimateGas of Transaction20Verifier.verifyProof called directly (includes 21,000 intrinsic + calldata)",
    treeInsertPair: "MerkleTreeHarness.insert of one pair at depth 20 after a first insert (includes 21,000 intrinsic + calldata)",
    isKnownRootOldest: "eth_estimateGas of ShieldPool.isKnownRoot(empty tree's root), the oldest of 5 roots (includes 21,000 intrinsic)",
    isKnownRootNewest: "eth_estimateGas of ShieldPool.isKnownRoot(current root) (includes 21,000 intrinsic)",
    rolloverOverhead: "_insert gas (MerkleTreeHarness.insertMeasured, depth 1) of a pair that finishes the full tree first, minus the same insert without a rollover",
  },
};
console.log("Gas (receipt gasUsed, depth-20 tree, real proofs):");
for (const [name, gas] of Object.entries(result.gasUsed)) console.log(`  ${name.padEnd(22)} ${gas.toLocaleString("en-US").padStart(10)}`);
console.log("withdrawWithRelayer, by part:");
for (const [name, gas] of Object.entries(breakdown)) console.log(`  ${name.padEnd(22)} ${gas.toLocaleString("en-US").padStart(10)}`);
const out = join(repoRoot, "bench/results/gas.json");
mkdirSync(join(out, ".."), { recursive: true });
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`Wrote ${out}`);
await releaseProvingResources();
