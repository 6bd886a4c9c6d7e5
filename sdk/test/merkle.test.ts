import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode, MerkleTree, getPoseidon, zeroValues, type MerklePath, type PoseidonHasher } from "../src/index.js";
import { assertCloakError } from "./helpers.js";

const poseidon = await getPoseidon();

function rootFromPath(path: MerklePath, hasher: PoseidonHasher): bigint {
  let node = path.leaf;
  path.pathElements.forEach((sibling, level) => {
    node = (path.leafIndex >> level) & 1 ? hasher.hash([sibling, node]) : hasher.hash([node, sibling]);
  });
  return node;
}

const leaves = (n: number) => Array.from({ length: n }, (_, i) => BigInt(i + 1) * 1000003n);

describe("merkle tree", () => {
  it("uses the documented zero values, starting from leaf 0", () => {
    const zeros = zeroValues(2, poseidon);
    assert.equal(zeros[0], 0n);
    assert.equal(zeros[1], 14744269619966411208579211824598458697587494354926760081771325075741142829156n);
    assert.equal(zeros[2], poseidon.hash([zeros[1]!, zeros[1]!]));
  });

  it("has the all-zero subtree root when empty", () => {
    const tree = new MerkleTree(20, poseidon);
    assert.equal(tree.root, zeroValues(20, poseidon)[20]);
  });

  it("builds the same root leaf by leaf and in bulk", () => {
    const one = new MerkleTree(6, poseidon);
    for (const leaf of leaves(13)) one.insert(leaf);
    const bulk = new MerkleTree(6, poseidon, { leaves: leaves(13) });
    assert.equal(one.root, bulk.root);
  });

  it("gives paths that hash back to the root for every leaf", () => {
    const tree = new MerkleTree(5, poseidon, { leaves: leaves(11) });
    for (let i = 0; i < tree.size; i++) {
      const path = tree.path(i);
      assert.equal(rootFromPath(path, poseidon), tree.root, `leaf ${i}`);
    }
  });

  it("keeps the last roots, one per insert call, up to the history size", () => {
    const tree = new MerkleTree(5, poseidon, { rootHistorySize: 3 });
    const roots: bigint[] = [];
    for (const pair of [[1n, 2n], [3n, 4n], [5n, 6n], [7n, 8n]]) {
      tree.insertMany(pair);
      roots.push(tree.root);
    }
    assert.deepEqual(tree.rootHistory(), roots.slice(1));
    assert.equal(tree.isKnownRoot(roots[0]!), false);
    assertCloakError(() => tree.requireKnownRoot(roots[0]!), ErrorCode.ROOT_NOT_FOUND, "root");
  });

  it("answers like the chain after many more inserts than its history holds", () => {
    const tree = new MerkleTree(7, poseidon, { rootHistorySize: 4 });
    const roots = [tree.root];
    for (let p = 0; p < 30; p++) {
      tree.insertMany([BigInt(2 * p + 1), BigInt(2 * p + 2)]);
      roots.push(tree.root);
    }
    assert.deepEqual(tree.rootHistory(), roots.slice(-4));
    roots.forEach((root, i) => assert.equal(tree.isKnownRoot(root), i >= roots.length - 4, `root ${i}`));
  });

  it("restores a snapshot to the same root, paths and history", () => {
    const tree = new MerkleTree(5, poseidon, { leaves: leaves(4) });
    tree.insertMany(leaves(3));
    const restored = MerkleTree.restore(JSON.stringify(tree.snapshot()), poseidon);
    assert.equal(restored.root, tree.root);
    assert.deepEqual(restored.rootHistory(), tree.rootHistory());
    assert.deepEqual(restored.path(5), tree.path(5));
  });

  it("refuses a snapshot whose leaves do not match its root", () => {
    const snapshot = new MerkleTree(5, poseidon, { leaves: leaves(4) }).snapshot();
    snapshot.leaves[2] = "0x05";
    assertCloakError(() => MerkleTree.restore(snapshot, poseidon), ErrorCode.INVALID_SNAPSHOT, "snapshot");
  });

  it("refuses a snapshot of an unknown format", () => {
    const snapshot = { ...new MerkleTree(3, poseidon).snapshot(), format: "cloak-tree/9" };
    assertCloakError(() => MerkleTree.restore(JSON.stringify(snapshot), poseidon), ErrorCode.UNSUPPORTED_VERSION, "snapshot.format");
  });

  it("starts after empty leaves without storing them: same root and paths as the tree holding the zeros", () => {
    const full = new MerkleTree(6, poseidon, { leaves: [...Array<bigint>(50).fill(0n), 7n, 8n] });
    const sparse = new MerkleTree(6, poseidon, { emptyLeaves: 50 });
    assert.equal(sparse.root, zeroValues(6, poseidon)[6]);
    sparse.insertMany([7n, 8n]);
    assert.equal(sparse.size, 52);
    assert.equal(sparse.root, full.root);
    for (const leafIndex of [0, 31, 49, 50, 51]) assert.deepEqual(sparse.path(leafIndex), full.path(leafIndex), `leaf ${leafIndex}`);
    const restored = MerkleTree.restore(JSON.stringify(sparse.snapshot()), poseidon);
    assert.equal(sparse.snapshot().leaves.length, 2);
    assert.equal(restored.root, full.root);
  });

  it("refuses more empty leaves than the tree holds", () => {
    assertCloakError(() => new MerkleTree(3, poseidon, { emptyLeaves: 9 }), ErrorCode.INVALID_SNAPSHOT, "emptyLeaves");
  });

  it("refuses to grow past its capacity", () => {
    const tree = new MerkleTree(2, poseidon, { leaves: leaves(4) });
    assertCloakError(() => tree.insert(9n), ErrorCode.TREE_FULL);
  });

  it("refuses a path for a leaf that is not there", () => {
    const tree = new MerkleTree(3, poseidon, { leaves: leaves(2) });
    assertCloakError(() => tree.path(2), ErrorCode.LEAF_NOT_FOUND, "leafIndex");
  });
});
