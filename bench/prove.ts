// `npm run bench:prove`: join-split proving cost at the production depth with the SDK's snarkjs
// prover (wasm and zkey held in memory), plus Poseidon throughput. Prints a table and writes
// bench/results/prove.json.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { getPoseidon, releaseProvingResources, verifyProof } from "@cloak/sdk";
import { machine, median, round, runCount } from "./stats.ts";
import { artifactsDir, proverFor, repoRoot, transferAndWithdraw } from "../test/support/fixtures.ts";

const { values } = parseArgs({
  options: {
    depth: { type: "string", default: "20" },
    runs: { type: "string", default: "7" },
    out: { type: "string", default: join(repoRoot, "bench/results/prove.json") },
  },
});
const depth = Number(values.depth);
const runs = runCount(values.runs);

const circuit = JSON.parse(readFileSync(join(artifactsDir(depth), "circuit.json"), "utf8")) as { constraints: number };
const loadStart = performance.now();
const prover = await proverFor(depth);
const loadMs = performance.now() - loadStart;

// Warm-up: the first proof pays for building curve tables and JIT.
const warm = await transferAndWithdraw(depth);
await prover.prove(warm.circuitInputs);

const witnessMs: number[] = [];
const proveMs: number[] = [];
const verifyMs: number[] = [];
for (let i = 0; i < runs; i++) {
  const tx = await transferAndWithdraw(depth);
  const result = await prover.prove(tx.circuitInputs);
  witnessMs.push(result.timings.witnessMs);
  proveMs.push(result.timings.proveMs);
  const verifyStart = performance.now();
  const ok = await verifyProof(prover.verificationKey, result.proof, result.publicSignals);
  verifyMs.push(performance.now() - verifyStart);
  if (!ok) throw new Error("a benchmark proof failed to verify");
}

const poseidon = await getPoseidon();
const POSEIDON_HASHES = 20_000;
let acc = 1n;
const hashStart = performance.now();
for (let i = 0; i < POSEIDON_HASHES; i++) acc = poseidon.hash([acc, BigInt(i)]);
const hashSeconds = (performance.now() - hashStart) / 1000;

const result = {
  benchmark: "prove",
  date: new Date().toISOString(),
  machine: machine(),
  circuit: { depth, constraints: circuit.constraints },
  prover: "snarkjs groth16 (SDK SnarkjsProver, wasm + zkey in memory)",
  runs,
  artifactLoadMs: round(loadMs),
  witnessMs: { median: round(median(witnessMs)), all: witnessMs.map((x) => round(x)) },
  totalProveMs: { median: round(median(witnessMs.map((w, i) => w + proveMs[i]!))) },
  groth16ProveMs: { median: round(median(proveMs)), all: proveMs.map((x) => round(x)) },
  verifyMs: { median: round(median(verifyMs)), all: verifyMs.map((x) => round(x)) },
  poseidon: { inputs: 2, hashes: POSEIDON_HASHES, hashesPerSecond: Math.round(POSEIDON_HASHES / hashSeconds) },
};

console.log(`Join-split (depth ${depth}, ${circuit.constraints} constraints), ${runs} runs after 1 warm-up:`);
console.log(`  artifacts load       ${result.artifactLoadMs} ms (once)`);
console.log(`  witness              ${result.witnessMs.median} ms median`);
console.log(`  groth16 prove        ${result.groth16ProveMs.median} ms median`);
console.log(`  witness + prove      ${result.totalProveMs.median} ms median`);
console.log(`  verify (off-chain)   ${result.verifyMs.median} ms median`);
console.log(`  poseidon(2)          ${result.poseidon.hashesPerSecond} hashes/s`);
mkdirSync(join(values.out, ".."), { recursive: true });
writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`Wrote ${values.out}`);
await releaseProvingResources();
