// `npm run bench:rebuild -w @cloak/indexer`: what a restart costs the indexer for a pool of 1,000,000
// commitments. (1) the SDK's Poseidon appending leaf by leaf, timed on a sample and extrapolated;
// (2) the rebuild's WebAssembly path on one thread, on the same sample; (3) buildTree on all the leaves
// (worker threads); (4) the snapshot path: IndexedTree.serialize/deserialize and the word-wise
// writeTreeSnapshot/readTreeSnapshot. Prints the figures and writes bench/results/indexer-rebuild.json.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { FIELD_SIZE, getPoseidon } from "@cloak/sdk";
import { machine, round } from "../../../bench/stats.ts";
import { buildTree } from "../src/rebuild.ts";
import { readTreeSnapshot, writeTreeSnapshot } from "../src/rebuild-snapshot.ts";
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

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`benchmark check failed: ${what}`);
}

const loadBefore = loadavg();
process.stdout.write(`generating ${leafCount} seeded leaves… `);
const leaves = Array.from({ length: leafCount }, (_, i) => BigInt(`0x${createHash("sha256").update(`cloak-indexer-rebuild:${i}`).digest("hex")}`) % FIELD_SIZE);
console.log("done");
const poseidon = await getPoseidon();
const zeros = zeroHashes(poseidon);
const sample = leaves.slice(0, sampleCount);
const sampleHashes = hashesFor(sampleCount);
const fullHashes = hashesFor(leafCount);

let start = performance.now();
const sequential = new IndexedTree(poseidon, zeros);
sequential.append(sample);
const sdkSeconds = seconds(start);
const sdkRate = sampleHashes / sdkSeconds;

await buildTree(sample.slice(0, 1000), { workers: 0 }); // compiles the module once, outside the timing
start = performance.now();
const inline = await buildTree(sample, { workers: 0 });
const inlineSeconds = seconds(start);
check(inline.root === sequential.root, "the one-thread rebuild of the sample has the sequential root");
const inlineRate = sampleHashes / inlineSeconds;

const workers = availableParallelism();
start = performance.now();
const tree = await buildTree(leaves);
const buildSeconds = seconds(start);
check(tree.size === leafCount, "the rebuilt tree holds every leaf");
check(tree.nodes(TREE_DEPTH - 1).length === Math.ceil(leafCount / 2 ** (TREE_DEPTH - 1)), "the rebuilt tree has every level");
for (let level = 1; level <= TREE_DEPTH; level++) {
  // Nodes over whole subtrees of the sample are the same in both trees (the last one of a level may cover leaves past it).
  const whole = Math.floor(sampleCount / 2 ** level);
  check(tree.nodes(level).slice(0, whole).every((node, i) => node === sequential.nodes(level)[i]), `level ${level} agrees with the sequential build of the sample`);
}

start = performance.now();
const snapshot = tree.serialize();
const serializeSeconds = seconds(start);
start = performance.now();
const restored = IndexedTree.deserialize(snapshot, poseidon, zeros);
const deserializeSeconds = seconds(start);
check(restored.root === tree.root, "deserialize restores the root");
start = performance.now();
const fastSnapshot = writeTreeSnapshot(tree);
const writeSeconds = seconds(start);
check(fastSnapshot.equals(snapshot), "writeTreeSnapshot writes serialize's bytes");
start = performance.now();
const fastRestored = readTreeSnapshot(snapshot, poseidon, zeros);
const readSeconds = seconds(start);
check(fastRestored.root === tree.root, "readTreeSnapshot restores the root");

const result = {
  benchmark: "indexer-rebuild",
  date: new Date().toISOString(),
  machine: machine(),
  // The machine is shared: a load average near or above its core count means the figures are pessimistic.
  loadAverage1m: { before: round(loadBefore[0]!, 2), after: round(loadavg()[0]!, 2) },
  tree: { depth: TREE_DEPTH, leaves: leafCount, poseidonHashes: fullHashes, leafSeed: "sha256('cloak-indexer-rebuild:' + i) mod r" },
  sdkSequential: {
    how: "IndexedTree.append with the SDK's PoseidonHasher (circomlibjs WebAssembly, BigInt in and out per hash), one thread",
    sampleLeaves: sampleCount,
    sampleHashes,
    seconds: round(sdkSeconds, 2),
    hashesPerSecond: Math.round(sdkRate),
    extrapolatedSecondsForTree: round(fullHashes / sdkRate, 1),
  },
  wasmOneThread: {
    how: "buildTree(workers: 0): the same WebAssembly Poseidon called on Montgomery-form nodes in its memory, one thread",
    sampleLeaves: sampleCount,
    seconds: round(inlineSeconds, 2),
    hashesPerSecond: Math.round(inlineRate),
    extrapolatedSecondsForTree: round(fullHashes / inlineRate, 1),
  },
  buildTree: {
    how: `buildTree(leaves), default options: ${workers} worker threads on aligned subtrees, levels above on the calling thread; one run`,
    workers,
    seconds: round(buildSeconds, 2),
    hashesPerSecond: Math.round(fullHashes / buildSeconds),
  },
  snapshot: {
    bytes: snapshot.length,
    serializeSeconds: round(serializeSeconds, 2),
    deserializeSeconds: round(deserializeSeconds, 2),
    roundTripSeconds: round(serializeSeconds + deserializeSeconds, 2),
    writeTreeSnapshotSeconds: round(writeSeconds, 2),
    readTreeSnapshotSeconds: round(readSeconds, 2),
    wordWiseRoundTripSeconds: round(writeSeconds + readSeconds, 2),
  },
};

console.log(`Tree of ${leafCount} leaves (${fullHashes} Poseidon(2) hashes), ${result.machine.cpus} cores, load ${result.loadAverage1m.before} → ${result.loadAverage1m.after}:`);
console.log(`  SDK Poseidon, sequential   ${result.sdkSequential.hashesPerSecond} hashes/s on ${sampleCount} leaves → ~${result.sdkSequential.extrapolatedSecondsForTree} s for the tree (extrapolated)`);
console.log(`  WebAssembly, one thread    ${result.wasmOneThread.hashesPerSecond} hashes/s on ${sampleCount} leaves → ~${result.wasmOneThread.extrapolatedSecondsForTree} s for the tree (extrapolated)`);
console.log(`  buildTree, ${workers} workers        ${result.buildTree.seconds} s (${result.buildTree.hashesPerSecond} hashes/s, measured)`);
console.log(`  serialize + deserialize    ${result.snapshot.serializeSeconds} s + ${result.snapshot.deserializeSeconds} s (${(snapshot.length / 2 ** 20).toFixed(0)} MiB)`);
console.log(`  word-wise write + read     ${result.snapshot.writeTreeSnapshotSeconds} s + ${result.snapshot.readTreeSnapshotSeconds} s`);
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`Wrote ${values.out}`);
