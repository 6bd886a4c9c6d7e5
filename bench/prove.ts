// `npm run bench:prove`: join-split proving cost at the production depth with both of the SDK's
// backends in one run — snarkjs (SnarkjsProver) and the native addon (NativeProver, @cloak/native) —
// proofs alternating between them so both see the same machine load; plus Poseidon throughput on
// WebAssembly and natively. Prints a table and writes bench/results/prove.json.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { requireNative } from "@cloak/native";
import {
  FIELD_SIZE,
  NativeProver,
  SnarkjsProver,
  WitnessGenerator,
  bigIntToBytes,
  getPoseidon,
  loadArtifacts,
  releaseProvingResources,
  verifyProof,
  type Prover,
} from "@cloak/sdk";
import { machine, median, percentile, round, runCount } from "./stats.ts";
import { artifactsDir, repoRoot, transferAndWithdraw } from "../test/support/fixtures.ts";

const { values } = parseArgs({
  options: {
    depth: { type: "string", default: "20" },
    runs: { type: "string", default: "11" },
    out: { type: "string", default: join(repoRoot, "bench/results/prove.json") },
  },
});
const depth = Number(values.depth);
const runs = runCount(values.runs);
const loadAtStart = loadavg().map((x) => round(x, 2));

const circuit = JSON.parse(readFileSync(join(artifactsDir(depth), "circuit.json"), "utf8")) as { constraints: number };
const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
};

// Reading the files and checking them against SHA256SUMS is shared; each backend then builds its own
// witness calculator and key (snarkjs keeps the zkey bytes; the addon parses them into points).
const [artifacts, artifactsMs] = await timed(() => loadArtifacts(artifactsDir(depth)));
const [snarkjs, snarkjsLoadMs] = await timed(() => SnarkjsProver.create(artifacts));
const [native, nativeLoadMs] = await timed(() => NativeProver.create(artifacts));
// The same addon with fixed-base tables of the key built at creation (its load time includes them).
const [nativeTables, nativeTablesLoadMs] = await timed(() => NativeProver.create(artifacts, { fixedBaseTables: true }));
const addon = requireNative();
const [, zkeyParseMs] = await timed(async () => addon.loadProvingKey(artifacts.zkey));

interface Samples {
  witnessMs: number[];
  proveMs: number[];
  totalMs: number[];
}
const samples = new Map<Prover, Samples>([
  [snarkjs, { witnessMs: [], proveMs: [], totalMs: [] }],
  [native, { witnessMs: [], proveMs: [], totalMs: [] }],
  [nativeTables, { witnessMs: [], proveMs: [], totalMs: [] }],
]);

// Warm-up: the first proof pays for building curve tables, thread pools and JIT.
const warm = await transferAndWithdraw(depth);
for (const prover of samples.keys()) await prover.prove(warm.circuitInputs);

for (let i = 0; i < runs; i++) {
  const tx = await transferAndWithdraw(depth);
  for (const [prover, s] of samples) {
    const result = await prover.prove(tx.circuitInputs);
    s.witnessMs.push(result.timings.witnessMs);
    s.proveMs.push(result.timings.proveMs);
    s.totalMs.push(result.timings.witnessMs + result.timings.proveMs);
    if (!(await verifyProof(artifacts.verificationKey, result.proof, result.publicSignals))) throw new Error(`a ${prover.name} benchmark proof failed to verify`);
  }
}

// Inside the native call: reading the witness, and the Groth16 prover itself (witness map, FFTs,
// the five MSMs); the rest of the SDK's figure is napi's hand-off and the promise.
const key = addon.loadProvingKey(artifacts.zkey);
const wtns = await (await WitnessGenerator.create(artifacts.wasm)).wtns((await transferAndWithdraw(depth)).circuitInputs);
const inside: { parse: number[]; prove: number[] } = { parse: [], prove: [] };
for (let i = 0; i < 5; i++) {
  const proof = await key.prove(wtns);
  inside.parse.push(proof.witnessParseMs);
  inside.prove.push(proof.proveMs);
}

// Where the native proof's time goes: native/examples/phases.rs times the witness map and each of
// the five MSMs alone (each on the whole thread pool), then a whole proof, on the same witness.
const scratch = mkdtempSync(join(tmpdir(), "cloak-bench-prove-"));
let phases: unknown;
try {
  writeFileSync(join(scratch, "proof.wtns"), wtns);
  const output = execFileSync(
    "cargo",
    ["run", "--quiet", "--release", "--locked", "-j", "2", "--manifest-path", join(repoRoot, "native/Cargo.toml"), "--example", "phases", "--", join(artifactsDir(depth), "transaction_final.zkey"), join(scratch, "proof.wtns"), "5"],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  );
  phases = JSON.parse(output.trim().split("\n").pop()!);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const summary = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { median: round(median(xs)), p95: round(percentile(sorted, 95)), all: xs.map((x) => round(x)) };
};
const backend = (prover: Prover, loadMs: number) => {
  const s = samples.get(prover)!;
  return { loadMs: round(loadMs), witnessMs: summary(s.witnessMs), proveMs: summary(s.proveMs), totalMs: summary(s.totalMs) };
};
const snarkjsResult = backend(snarkjs, snarkjsLoadMs);
const nativeResult = backend(native, nativeLoadMs);
const tablesResult = backend(nativeTables, nativeTablesLoadMs);
const tablesInfo = nativeTables.fixedBaseTables!;

// Poseidon(2), 20,000 chained hashes each: the SDK's hasher on circomlibjs' WebAssembly and on the
// addon (getPoseidon's two backends), the addon called directly, and the addon's batch call.
const POSEIDON_HASHES = 20_000;
const rate = (seconds: number) => Math.round(POSEIDON_HASHES / seconds);
const chain = (hash: (inputs: bigint[]) => bigint): [bigint, number] => {
  let acc = 1n;
  const begin = performance.now();
  for (let i = 0; i < POSEIDON_HASHES; i++) acc = hash([acc, BigInt(i)]);
  return [acc, rate((performance.now() - begin) / 1000)];
};
const wasmPoseidon = await getPoseidon({ backend: "wasm" });
const sdkNativePoseidon = await getPoseidon({ backend: "native" });
const [check, wasmRate] = chain((inputs) => wasmPoseidon.hash(inputs));
const [sdkAcc, sdkNativeRate] = chain((inputs) => sdkNativePoseidon.hash(inputs));
const [addonAcc, nativeRate] = chain((inputs) => addon.poseidonHash(inputs));
if (sdkAcc !== check || addonAcc !== check) throw new Error("native and WebAssembly Poseidon chains differ");
const pairs = new Uint8Array(POSEIDON_HASHES * 64);
for (let i = 0; i < POSEIDON_HASHES; i++) {
  pairs.set(bigIntToBytes(FIELD_SIZE - 1n - BigInt(i), 32), i * 64);
  pairs.set(bigIntToBytes(BigInt(i), 32), i * 64 + 32);
}
const start = performance.now();
addon.poseidonHashBatch(2, pairs);
const batchRate = rate((performance.now() - start) / 1000);

const result = {
  benchmark: "prove",
  date: new Date().toISOString(),
  machine: machine(),
  loadAtStart,
  circuit: { depth, constraints: circuit.constraints },
  runs,
  method: "one warm-up proof per backend, then the runs taking snarkjs, native and native with fixed-base tables in turn on the same fresh transaction; every proof verified with snarkjs",
  artifactsLoadMs: round(artifactsMs),
  snarkjs: { prover: "SnarkjsProver (snarkjs 0.7.6 groth16, wasm + zkey in memory)", ...snarkjsResult },
  native: {
    prover: "NativeProver (@cloak/native: taceo-groth16 over the snarkjs zkey, witness from the same wasm)",
    ...nativeResult,
    zkeyParseMs: round(zkeyParseMs),
    insideAddon: { witnessParseMs: summary(inside.parse), groth16Ms: summary(inside.prove) },
    phases,
  },
  nativeTables: {
    prover: "NativeProver({ fixedBaseTables: true }) (@cloak/native: the five MSMs over fixed-base tables of the key, 13-bit windows, built at creation; G1 field arithmetic on AVX-512 IFMA where the CPU has it)",
    ...tablesResult,
    tables: { buildMs: round(tablesInfo.buildMs), MiB: round(tablesInfo.bytes / 2 ** 20), arithmetic: tablesInfo.arithmetic },
  },
  ratio: {
    proveMedian: round(snarkjsResult.proveMs.median / nativeResult.proveMs.median, 2),
    totalMedian: round(snarkjsResult.totalMs.median / nativeResult.totalMs.median, 2),
    totalP95: round(snarkjsResult.totalMs.p95 / nativeResult.totalMs.p95, 2),
  },
  ratioTables: {
    proveMedian: round(snarkjsResult.proveMs.median / tablesResult.proveMs.median, 2),
    totalMedian: round(snarkjsResult.totalMs.median / tablesResult.totalMs.median, 2),
    totalP95: round(snarkjsResult.totalMs.p95 / tablesResult.totalMs.p95, 2),
  },
  poseidon: { inputs: 2, hashes: POSEIDON_HASHES, hashesPerSecond: { sdkWasm: wasmRate, sdkNative: sdkNativeRate, addon: nativeRate, addonBatch: batchRate } },
};

type Spread = { median: number; p95: number };
const row = (label: string, s: Spread, n: Spread, t: Spread) =>
  console.log(`  ${label.padEnd(22)} ${`${s.median} / ${s.p95}`.padStart(18)} ${`${n.median} / ${n.p95}`.padStart(18)} ${`${t.median} / ${t.p95}`.padStart(18)}`);
console.log(`Join-split (depth ${depth}, ${circuit.constraints} constraints), ${runs} runs per backend after 1 warm-up, load ${loadAtStart.join(" ")}:`);
console.log(`  ${"ms (median / p95)".padEnd(22)} ${"snarkjs".padStart(18)} ${"native".padStart(18)} ${"native + tables".padStart(18)}`);
row("witness", snarkjsResult.witnessMs, nativeResult.witnessMs, tablesResult.witnessMs);
row("groth16 prove", snarkjsResult.proveMs, nativeResult.proveMs, tablesResult.proveMs);
row("witness + prove", snarkjsResult.totalMs, nativeResult.totalMs, tablesResult.totalMs);
console.log(`  ${"prover load (once)".padEnd(22)} ${String(snarkjsResult.loadMs).padStart(18)} ${String(nativeResult.loadMs).padStart(18)} ${String(tablesResult.loadMs).padStart(18)}`);
console.log(`  (artifacts read + SHA-256 ${result.artifactsLoadMs} ms; zkey parse alone ${result.native.zkeyParseMs} ms; tables built in ${result.nativeTables.tables.buildMs} ms, ${result.nativeTables.tables.MiB} MiB, G1 arithmetic ${result.nativeTables.tables.arithmetic})`);
console.log(`  ratio snarkjs/native   prove ${result.ratio.proveMedian}x, total ${result.ratio.totalMedian}x (p95 ${result.ratio.totalP95}x)`);
console.log(`  ratio snarkjs/tables   prove ${result.ratioTables.proveMedian}x, total ${result.ratioTables.totalMedian}x (p95 ${result.ratioTables.totalP95}x)`);
console.log(`  inside the addon       witness parse ${result.native.insideAddon.witnessParseMs.median} ms, groth16 ${result.native.insideAddon.groth16Ms.median} ms (medians)`);
console.log(`  native phases          ${JSON.stringify((phases as { medianMs: object }).medianMs)} (ms, each alone)`);
console.log(`  poseidon(2)            hashes/s: SDK WebAssembly ${wasmRate}, SDK native ${sdkNativeRate}, addon ${nativeRate}, addon batch ${batchRate}`);
mkdirSync(join(values.out, ".."), { recursive: true });
writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`Wrote ${values.out}`);
await releaseProvingResources();
