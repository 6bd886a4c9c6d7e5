import assert from "node:assert/strict";
import { test } from "node:test";
import { MerkleTree, getPoseidon } from "@cloak/sdk";
import { IndexerError, IndexerErrorCode } from "../src/errors.ts";
import { IndexedTree, zeroHashes } from "../src/tree.ts";

const poseidon = await getPoseidon();
const zeros = zeroHashes(poseidon);
const leaves = Array.from({ length: 37 }, (_, i) => BigInt(i * 7919 + 1));

test("appending in pieces gives the SDK tree's root after every transaction", () => {
  const indexed = new IndexedTree(poseidon, zeros);
  const reference = new MerkleTree(20, poseidon);
  for (let i = 0; i < leaves.length; i += 2) {
    const pair = leaves.slice(i, i + 2);
    assert.equal(indexed.append(pair), (reference.insertMany(pair), reference.root));
  }
});

test("a path is the SDK tree's path, with the side of each level", () => {
  const indexed = new IndexedTree(poseidon, zeros);
  indexed.append(leaves);
  const reference = new MerkleTree(20, poseidon, { leaves });
  for (const index of [0, 1, 18, 36]) {
    const path = indexed.path(index);
    assert.deepEqual(path.pathElements, reference.path(index).pathElements);
    assert.deepEqual(path.pathIndices, Array.from({ length: 20 }, (_, level) => (index >> level) & 1));
    assert.equal(path.root, reference.root);
  }
});

test("a path of a leaf not in the tree is refused with NOT_FOUND", () => {
  const indexed = new IndexedTree(poseidon, zeros);
  indexed.append(leaves.slice(0, 4));
  assert.throws(() => indexed.path(4), (error: unknown) => error instanceof IndexerError && error.code === IndexerErrorCode.NOT_FOUND && error.message === "leaf 4 is not in this tree of 4 leaves");
});

test("truncating undoes an append: same root and paths as a tree that never had the leaves", () => {
  const indexed = new IndexedTree(poseidon, zeros);
  indexed.append(leaves);
  indexed.truncate(21);
  const reference = new MerkleTree(20, poseidon, { leaves: leaves.slice(0, 21) });
  assert.equal(indexed.size, 21);
  assert.equal(indexed.root, reference.root);
  assert.deepEqual(indexed.path(20).pathElements, reference.path(20).pathElements);
});

test("a serialized tree reads back with every level, without rehashing", () => {
  const indexed = new IndexedTree(poseidon, zeros);
  indexed.append(leaves);
  const restored = IndexedTree.deserialize(indexed.serialize(), poseidon, zeros);
  assert.equal(restored.root, indexed.root);
  assert.deepEqual(restored.nodes(3), indexed.nodes(3));
});

test("a truncated snapshot is refused naming the level", () => {
  const indexed = new IndexedTree(poseidon, zeros);
  indexed.append(leaves);
  const data = indexed.serialize();
  assert.throws(
    () => IndexedTree.deserialize(data.subarray(0, data.length - 32), poseidon, zeros),
    (error: unknown) => error instanceof IndexerError && error.code === IndexerErrorCode.INVALID_SNAPSHOT && error.message === "snapshot truncated at level 20",
  );
});
