// `npm run bench:rebuild -w @cloak/indexer`: what a restart costs the indexer for a pool of 1,000,000
// commitments. (1) the SDK's Poseidon appending leaf by leaf, timed on a sample and extrapolated;
// (2) the rebuild's WebAssembly path on one thread, on the same sample; (3) buildTree on all the leaves
// (worker threads); (4) the snapshot path, IndexedTree.serialize then deserialize. Each phase records its
// wall time and the process's CPU time (all threads): on this shared 2-core machine other work can take
// the cores, and wall time alone would hide it. Prints the figures and writes bench/results/indexer-rebuild.json.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { FIELD_SIZE, getPoseidon, loadNativeAddon } from "@cloak/sdk";
import { machine, round } from "../../../bench/stats.ts";
import { buildTree } from "../src/rebuild.ts";
import { IndexedTree, TREE_DEPTH, zeroHashes } from "../src/tree.ts";

const { values } = parseArgs({
  options: {
    leaves: { type: "string", default: "1000000" },
    sample: { type: "string", default: "50000" },
    out: { type: "string", default: fileURLToPath(new URL("../../../bench/results/indexer-rebuild.json", import.meta.url)) },
  },
});
const leafCount = Number(values.leaves);
const sampleCount = Number(values.sample);

/** Nodes above the leaves that an append of `leaves` into an empty tree hashes: one Poseidon(2) each. */
function hashesFor(leaves: number): number {
  let total = 0;
  for (let level = 1, width = leaves; level <= TREE_DEPTH; level++) total += width = Math.ceil(width / 2);
  return total;
}

/** Wall and CPU (user + system, every thread of this process) seconds of `run`. */
async function timed<T>(run: () => T | Promise<T>): Promise<{ value: T; seconds: number; cpuSeconds: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await run();
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { value, seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`benchmark check failed: ${what}`);
}

const loadBefore = loadavg();
process.stdout.write(`generating ${leafCount} seeded leaves… `);
const leaves = Array.from({ length: leafCount }, (_, i) => BigInt(`0x${createHash("sha256").update(`cloak-indexer-rebuild:${i}`).digest("hex")}`) % FIELD_SIZE);
console.log("done");
const poseidon = await getPoseidon({ backend: "wasm" });
const native = (await loadNativeAddon()).addon ? await getPoseidon({ backend: "native" }) : null;
const zeros = zeroHashes(poseidon);
const sample = leaves.slice(0, sampleCount);
const sampleHashes = hashesFor(sampleCount);
const fullHashes = hashesFor(leafCount);

const sdk = await timed(() => {
  const tree = new IndexedTree(poseidon, zeros);
  tree.append(sample);
  return tree;
});
const sequential = sdk.value;
const sdkRate = sampleHashes / sdk.seconds;
const sdkNative = native
  ? await timed(() => {
      const tree = new IndexedTree(native, zeros);
      tree.append(sample);
      return tree;
    })
  : null;
if (sdkNative) check(sdkNative.value.root === sequential.root, "the SDK's native hasher gives the WebAssembly root");

await buildTree(sample.slice(0, 1000), { backend: "wasm", workers: 0 }); // compiles the module once, outside the timing
const inline = await timed(() => buildTree(sample, { backend: "wasm", workers: 0 }));
check(inline.value.root === sequential.root, "the one-thread rebuild of the sample has the sequential root");
const inlineRate = sampleHashes / inline.seconds;

const workers = availableParallelism();
const build = await timed(() => buildTree(leaves, { backend: "wasm" }));
const tree = build.value;
check(tree.size === leafCount, "the rebuilt tree holds every leaf");
const nativeBuild = native ? await timed(() => buildTree(leaves, { backend: "native" })) : null;
if (nativeBuild) check(nativeBuild.value.root === tree.root, "the native rebuild has the WebAssembly rebuild's root");
for (let level = 1; level <= TREE_DEPTH; level++) {
  // Nodes over whole subtrees of the sample are the same in both trees (the last one of a level may cover leaves past it).
  const whole = Math.floor(sampleCount / 2 ** level);
  check(tree.nodes(level).slice(0, whole).every((node, i) => node === sequential.nodes(level)[i]), `level ${level} agrees with the sequential build of the sample`);
}

const serialize = await timed(() => tree.serialize());
const snapshot = serialize.value;
const deserialize = await timed(() => IndexedTree.deserialize(snapshot, poseidon, zeros));
check(deserialize.value.root === tree.root, "deserialize restores the root");

const result = {
  benchmark: "indexer-rebuild",
  date: new Date().toISOString(),
  machine: machine(),
  // The machine is shared: a load average near or above its core count means the figures are pessimistic.
  loadAverage1m: { before: round(loadBefore[0]!, 2), after: round(loadavg()[0]!, 2) },
  tree: { depth: TREE_DEPTH, leaves: leafCount, poseidonHashes: fullHashes, leafSeed: "sha256('cloak-indexer-rebuild:' + i) mod r" },
  sdkSequential: {
    how: "IndexedTree.append with the SDK's PoseidonHasher, backend wasm (circomlibjs WebAssembly, BigInt in and out per hash), one thread",
    sampleLeaves: sampleCount,
    sampleHashes,
    seconds: round(sdk.seconds, 2),
    cpuSeconds: round(sdk.cpuSeconds, 2),
    hashesPerSecond: Math.round(sdkRate),
    extrapolatedSecondsForTree: round(fullHashes / sdkRate, 1),
  },
  sdkSequentialNative: sdkNative
    ? {
        how: "the same with the SDK's native backend (@cloak/native's Poseidon, one addon call per hash), one thread",
        sampleLeaves: sampleCount,
        seconds: round(sdkNative.seconds, 2),
        cpuSeconds: round(sdkNative.cpuSeconds, 2),
        hashesPerSecond: Math.round(sampleHashes / sdkNative.seconds),
        extrapolatedSecondsForTree: round((fullHashes * sdkNative.seconds) / sampleHashes, 1),
      }
    : "the native addon did not load",
  wasmOneThread: {
    how: "buildTree(workers: 0): the same WebAssembly Poseidon called on Montgomery-form nodes in its memory, one thread",
    sampleLeaves: sampleCount,
    seconds: round(inline.seconds, 2),
    cpuSeconds: round(inline.cpuSeconds, 2),
    hashesPerSecond: Math.round(inlineRate),
    extrapolatedSecondsForTree: round(fullHashes / inlineRate, 1),
  },
  buildTree: {
    how: `buildTree(leaves, { backend: "wasm" }): ${workers} worker threads on aligned subtrees, levels above on the calling thread; one run, measured`,
    workers,
    seconds: round(build.seconds, 2),
    cpuSeconds: round(build.cpuSeconds, 2),
    hashesPerSecond: Math.round(fullHashes / build.seconds),
  },
  buildTreeNative: nativeBuild
    ? {
        how: "buildTree(leaves), the default where @cloak/native loads: one batch call to the addon per level (its batch uses every core); one run, measured",
        seconds: round(nativeBuild.seconds, 2),
        cpuSeconds: round(nativeBuild.cpuSeconds, 2),
        hashesPerSecond: Math.round(fullHashes / nativeBuild.seconds),
      }
    : "the native addon did not load",
  snapshot: {
    bytes: snapshot.length,
    serializeSeconds: round(serialize.seconds, 2),
    deserializeSeconds: round(deserialize.seconds, 2),
    roundTripSeconds: round(serialize.seconds + deserialize.seconds, 2),
  },
};

console.log(`Tree of ${leafCount} leaves (${fullHashes} Poseidon(2) hashes), ${result.machine.cpus} cores, load ${result.loadAverage1m.before} → ${result.loadAverage1m.after}:`);
console.log(`  SDK Poseidon, sequential   ${result.sdkSequential.hashesPerSecond} hashes/s on ${sampleCount} leaves → ~${result.sdkSequential.extrapolatedSecondsForTree} s for the tree (extrapolated)`);
if (sdkNative) console.log(`  SDK Poseidon, native       ${Math.round(sampleHashes / sdkNative.seconds)} hashes/s on ${sampleCount} leaves`);
console.log(`  WebAssembly, one thread    ${result.wasmOneThread.hashesPerSecond} hashes/s on ${sampleCount} leaves → ~${result.wasmOneThread.extrapolatedSecondsForTree} s for the tree (extrapolated)`);
console.log(`  buildTree, ${workers} workers        ${result.buildTree.seconds} s (${result.buildTree.hashesPerSecond} hashes/s, measured; ${result.buildTree.cpuSeconds} CPU-s)`);
if (nativeBuild) console.log(`  buildTree, native batch    ${round(nativeBuild.seconds, 2)} s (${Math.round(fullHashes / nativeBuild.seconds)} hashes/s, measured; ${round(nativeBuild.cpuSeconds, 2)} CPU-s)`);
console.log(`  serialize + deserialize    ${result.snapshot.serializeSeconds} s + ${result.snapshot.deserializeSeconds} s (${(snapshot.length / 2 ** 20).toFixed(0)} MiB)`);
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`Wrote ${values.out}`);
