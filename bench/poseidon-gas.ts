// `npx hardhat run bench/poseidon-gas.ts`: what the on-chain Poseidon(2) hash costs with each candidate hasher
// on Hardhat's in-process EVM, and what one MerkleTreeWithHistory insert costs at depth 20 with the chosen one.
// Prints the numbers and writes bench/results/poseidon-gas.json. Candidates:
//   - poseidon-solidity's PoseidonT3 (npm `poseidon-solidity`), by static call, or by delegatecall as a linked
//     library is called;
//   - circomlibjs' generated hasher bytecode (`poseidonContract.createCode(2)`).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import hre, { network } from "hardhat";
import { poseidonContract } from "circomlibjs";
import { FIELD_SIZE, MerkleTree, getPoseidon } from "@cloak/sdk";
import { repoRoot } from "../test/support/fixtures.ts";
import { POSEIDON_T3, deployPoseidonHasher } from "../tasks/lib/poseidon.ts";

const buildProfile = hre.globalOptions.buildProfile ?? "default";
// The committed numbers are the default profile's (what `hardhat test` runs); others get their own file.
const OUT = join(repoRoot, `bench/results/poseidon-gas${buildProfile === "default" ? "" : `.${buildProfile}`}.json`);
const DEPTH = 20;
/**
 * 130 pairs, split at pair 100 as when the history was a 100-slot ring buffer. Every root now takes a fresh
 * `rootSequence` slot, so the pairs after 100 cost what the first ones do; the split shows that there is no
 * cheaper steady state any more.
 */
const PAIRS = 130;
const STEADY_FROM = 100;
const EXPECTED_1_2 = 7853200120776062878684798364095072458815029376092732009249414926327459813530n;

const { ethers } = await network.create();
const [signer] = await ethers.getSigners();
const poseidon = await getPoseidon();

async function deployRaw(data: string): Promise<{ address: string; gas: bigint; codeBytes: number }> {
  const receipt = await (await signer!.sendTransaction({ data })).wait();
  if (!receipt?.contractAddress || receipt.status !== 1) throw new Error("deployment failed");
  const code = await ethers.provider.getCode(receipt.contractAddress);
  return { address: receipt.contractAddress, gas: receipt.gasUsed, codeBytes: (code.length - 2) / 2 };
}

function check(name: string, value: bigint): void {
  if (value !== EXPECTED_1_2) throw new Error(`${name}: Poseidon(1, 2) = ${value}, expected ${EXPECTED_1_2}`);
}

// --- Deployment -------------------------------------------------------------------------------------------
const circomlib = await deployRaw(poseidonContract.createCode(2));
const poseidonT3 = await deployRaw(POSEIDON_T3.bytecode);

// --- One hash, as a calling contract pays it (gasleft() around the call, inside a probe contract) ----------
const probe = await ethers.deployContract("PoseidonCallProbe");

const [circomlibResult, circomlibCold, circomlibWarm] = await probe.measureCircomlib(circomlib.address, 1n, 2n);
const [t3CallResult, t3CallCold, t3CallWarm] = await probe.measurePoseidonT3Call(poseidonT3.address, 1n, 2n);
const [t3DelegateResult, t3DelegateCold, t3DelegateWarm] = await probe.measurePoseidonT3Delegatecall.staticCall(poseidonT3.address, 1n, 2n);
check("circomlibjs bytecode", circomlibResult);
check("PoseidonT3 (call)", t3CallResult);
check("PoseidonT3 (delegatecall)", t3DelegateResult);

// --- MerkleTreeWithHistory._insert at depth 20 with the chosen hasher (PoseidonT3, canonical address) -------
const hasher = await deployPoseidonHasher(ethers);
const tree = await ethers.deployContract("MerkleTreeHarness");
await (await tree.initialize(DEPTH, hasher)).wait();
const reference = new MerkleTree(DEPTH, poseidon);
const randomLeaf = () => BigInt(ethers.hexlify(ethers.randomBytes(32))) % FIELD_SIZE;
const toBytes32 = (x: bigint) => ethers.toBeHex(x, 32);

const insertGas: number[] = [];
const txGas: number[] = [];
for (let i = 0; i < PAIRS; i++) {
  const pair = [randomLeaf(), randomLeaf()];
  const args = [toBytes32(pair[0]!), toBytes32(pair[1]!)] as const;
  const [, , gasUsed] = await tree.insertMeasured.staticCall(...args);
  const receipt = await (await tree.insert(...args)).wait();
  reference.insertMany(pair);
  if (BigInt(await tree.getLastRoot()) !== reference.root) throw new Error(`root mismatch after pair ${i}`);
  insertGas.push(Number(gasUsed));
  txGas.push(Number(receipt!.gasUsed));
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[s.length >> 1]!, mean: Math.round(xs.reduce((a, b) => a + b, 0) / xs.length), max: s[s.length - 1]! };
};

const result = {
  benchmark: "poseidon-gas",
  date: new Date().toISOString(),
  evm: { network: "Hardhat 3 in-process EDR (edr-simulated, l1)", buildProfile },
  poseidon_1_2: EXPECTED_1_2.toString(),
  candidates: {
    "poseidon-solidity PoseidonT3": {
      deployGas: Number(poseidonT3.gas),
      runtimeBytes: poseidonT3.codeBytes,
      hashGas: {
        staticCall: { cold: Number(t3CallCold), warm: Number(t3CallWarm) },
        delegatecall: { cold: Number(t3DelegateCold), warm: Number(t3DelegateWarm) },
      },
    },
    "circomlibjs poseidonContract.createCode(2)": {
      deployGas: Number(circomlib.gas),
      runtimeBytes: circomlib.codeBytes,
      hashGas: { staticCall: { cold: Number(circomlibCold), warm: Number(circomlibWarm) } },
    },
  },
  chosen: "poseidon-solidity PoseidonT3, reached by static call at its canonical address",
  merkleInsert: {
    depth: DEPTH,
    pairs: PAIRS,
    insertGas: {
      first: insertGas[0]!,
      all: stats(insertGas),
      steadyState: { fromPair: STEADY_FROM, ...stats(insertGas.slice(STEADY_FROM)) },
    },
    harnessTxGas: { first: txGas[0]!, all: stats(txGas), steadyState: { fromPair: STEADY_FROM, ...stats(txGas.slice(STEADY_FROM)) } },
  },
};

const t3 = result.candidates["poseidon-solidity PoseidonT3"];
const cl = result.candidates["circomlibjs poseidonContract.createCode(2)"];
console.log(`Poseidon(2) on ${result.evm.network}, build profile ${result.evm.buildProfile}; Poseidon(1, 2) checked for all.`);
console.log(`                                   deploy gas   runtime B   hash gas cold / warm`);
console.log(`  PoseidonT3, static call          ${String(t3.deployGas).padStart(10)}   ${String(t3.runtimeBytes).padStart(9)}   ${t3.hashGas.staticCall.cold} / ${t3.hashGas.staticCall.warm}`);
console.log(`  PoseidonT3, delegatecall          ${"(same)".padStart(10)}   ${"".padStart(9)}   ${t3.hashGas.delegatecall.cold} / ${t3.hashGas.delegatecall.warm}`);
console.log(`  circomlibjs createCode(2)        ${String(cl.deployGas).padStart(10)}   ${String(cl.runtimeBytes).padStart(9)}   ${cl.hashGas.staticCall.cold} / ${cl.hashGas.staticCall.warm}`);
const ins = result.merkleInsert.insertGas;
console.log(`MerkleTreeWithHistory._insert, depth ${DEPTH}, ${PAIRS} random pairs (roots checked against the SDK):`);
console.log(`  first pair ${ins.first}; median ${ins.all.median} (min ${ins.all.min}, max ${ins.all.max}); after pair ${STEADY_FROM}: median ${ins.steadyState.median}, mean ${ins.steadyState.mean}`);
console.log(`  harness transaction: median ${result.merkleInsert.harnessTxGas.all.median}, after pair ${STEADY_FROM}: median ${result.merkleInsert.harnessTxGas.steadyState.median}`);
mkdirSync(join(OUT, ".."), { recursive: true });
writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
console.log(`Wrote ${OUT}`);
