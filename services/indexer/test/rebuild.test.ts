import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import { test } from "node:test";
import { promisify } from "node:util";
import { CloakError, ErrorCode, FIELD_SIZE, getPoseidon, loadNativeAddon } from "@cloak/sdk";
import { IndexerError, IndexerErrorCode } from "../src/errors.ts";
import { buildTree, INLINE_BELOW } from "../src/rebuild.ts";
import { IndexedTree, zeroHashes } from "../src/tree.ts";

const poseidon = await getPoseidon();
const zeros = zeroHashes(poseidon);

/** Seeded pseudo-random field elements (a 64-bit LCG widened to 256 bits), the same on every run. */
function fieldElements(count: number, seed: number): bigint[] {
  let state = BigInt(seed);
  const next = (): bigint => (state = (state * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn);
  return Array.from({ length: count }, () => ((next() << 192n) | (next() << 128n) | (next() << 64n) | next()) % FIELD_SIZE);
}

function sequential(leaves: readonly bigint[], treeZeros: readonly bigint[] = zeros): IndexedTree {
  const tree = new IndexedTree(poseidon, treeZeros);
  tree.append(leaves);
  return tree;
}

function assertSameLayers(actual: IndexedTree, expected: IndexedTree): void {
  assert.equal(actual.depth, expected.depth);
  for (let level = 0; level <= expected.depth; level++) assert.deepEqual(actual.nodes(level), expected.nodes(level), `level ${level}`);
  assert.equal(actual.root, expected.root);
}

test("hashed on this thread, every level equals the sequential append for sizes around powers of two", async () => {
  for (const [i, size] of [0, 1, 2, 3, 5, 7, 8, 9, 63, 64, 65, 1000, 1024, 1025, 3001].entries()) {
    const leaves = fieldElements(size, i + 1);
    assertSameLayers(await buildTree(leaves, { backend: "wasm", workers: 0 }), sequential(leaves));
  }
});

test("hashed in workers as 8-leaf subtrees, every level equals the sequential append, partial last subtree included", async () => {
  for (const [i, size] of [1, 2, 3, 8, 9, 17, 100, 4096, 4097].entries()) {
    const leaves = fieldElements(size, 100 + i);
    assertSameLayers(await buildTree(leaves, { backend: "wasm", workers: 2, inlineBelow: 0, subtreeHeight: 3 }), sequential(leaves));
  }
});

test("on the WebAssembly path a tree just past the inline limit is built in workers and equals the sequential append", async () => {
  const leaves = fieldElements(INLINE_BELOW + 1, 7);
  assertSameLayers(await buildTree(leaves, { backend: "wasm" }), sequential(leaves));
});

if ((await loadNativeAddon()).addon) {
  test("with the native addon (the default where it loads) every level equals the sequential append, odd widths included", async () => {
    for (const [i, size] of [1, 2, 3, 5, 64, 65, 1025, INLINE_BELOW + 1].entries()) {
      const leaves = fieldElements(size, 200 + i);
      assertSameLayers(await buildTree(leaves), sequential(leaves));
    }
  });
} else {
  test("without the native addon, backend \"native\" is refused with NATIVE_UNAVAILABLE", async () => {
    await assert.rejects(buildTree(fieldElements(3, 1), { backend: "native" }), (error: unknown) => {
      assert.ok(error instanceof CloakError);
      assert.equal(error.code, ErrorCode.NATIVE_UNAVAILABLE);
      return true;
    });
  });
}

test("a tree of another depth is built with that depth's zero hashes, full to capacity", async () => {
  const depth4 = zeroHashes(poseidon, 4);
  const leaves = fieldElements(16, 3);
  assertSameLayers(await buildTree(leaves, { backend: "wasm", zeros: depth4, inlineBelow: 0, subtreeHeight: 2 }), sequential(leaves, depth4));
});

test("a built tree appends and truncates like one built by appending", async () => {
  const leaves = fieldElements(40, 11);
  const built = await buildTree(leaves.slice(0, 30), { backend: "wasm", workers: 0 });
  built.append(leaves.slice(30));
  assertSameLayers(built, sequential(leaves));
  built.truncate(25);
  assertSameLayers(built, sequential(leaves.slice(0, 25)));
});

test("more leaves than the tree holds are refused with TREE_FULL", async () => {
  await assert.rejects(
    buildTree(fieldElements(17, 5), { zeros: zeroHashes(poseidon, 4) }),
    (error: unknown) => error instanceof IndexerError && error.code === IndexerErrorCode.TREE_FULL && error.message === "a depth-4 tree holds 16 leaves; 0 + 17 do not fit",
  );
});

test("a leaf outside the field is refused with INVALID_FIELD_ELEMENT naming the leaf", async () => {
  const leaves = [1n, 2n, FIELD_SIZE];
  await assert.rejects(
    buildTree(leaves, { backend: "wasm", workers: 0 }),
    (error: unknown) => error instanceof CloakError && error.code === ErrorCode.INVALID_FIELD_ELEMENT && error.message === `leaf 2: ${FIELD_SIZE} is outside the field`,
  );
});

test("workers start in a process that registered tsx itself, from another working directory (as the bin does)", async () => {
  const leaves = fieldElements(20, 9);
  const script = [
    `import { register } from ${JSON.stringify(import.meta.resolve("tsx/esm/api"))};`,
    "register();",
    `const { buildTree } = await import(${JSON.stringify(new URL("../src/rebuild.ts", import.meta.url).href)});`,
    `const leaves = ${JSON.stringify(leaves.map(String))}.map(BigInt);`,
    "const tree = await buildTree(leaves, { backend: \"wasm\", workers: 2, inlineBelow: 0, subtreeHeight: 2 });",
    "process.stdout.write(String(tree.root));",
  ].join("\n");
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "--eval", script], { cwd: tmpdir() });
  assert.equal(stdout, String(sequential(leaves).root));
});
