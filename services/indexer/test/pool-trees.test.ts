import assert from "node:assert/strict";
import { test } from "node:test";
import { MerkleTree, getPoseidon, toHex32 } from "@cloak/sdk";
import { IndexerError, IndexerErrorCode } from "../src/errors.ts";
import type { PoolTransaction } from "../src/ingest/types.ts";
import { PoolTrees } from "../src/pool-trees.ts";
import { zeroHashes } from "../src/tree.ts";

const poseidon = await getPoseidon();
const zeros = zeroHashes(poseidon);

function transaction(index: number, leaves: [bigint, bigint], chainRoot: bigint): PoolTransaction {
  return {
    tx: `tx${index}`,
    block: 10 + index,
    commitments: leaves.map((commitment, i) => ({ tree: 0, index: index + i, commitment, encryptedOutput: new Uint8Array([i]) })),
    nullifiers: [],
    chainRoot,
    extAmount: 1n,
  };
}

test("transactions whose roots match the chain's are applied, one root each", () => {
  const trees = new PoolTrees("pool", poseidon, zeros);
  const reference = new MerkleTree(20, poseidon);
  reference.insertMany([1n, 2n]);
  const first = reference.root;
  reference.insertMany([3n, 4n]);
  const roots = trees.apply([transaction(0, [1n, 2n], first), transaction(2, [3n, 4n], reference.root)]);
  assert.deepEqual(roots.map((r) => [r.size, r.root, r.tx]), [[2, first, "tx0"], [4, reference.root, "tx2"]]);
});

test("a root that differs from the chain's is refused with ROOT_MISMATCH naming both roots and the transaction", () => {
  const trees = new PoolTrees("pool", poseidon, zeros);
  const computed = new MerkleTree(20, poseidon, { leaves: [1n, 2n] }).root;
  assert.throws(
    () => trees.apply([transaction(0, [1n, 2n], 5n)]),
    (error: unknown) =>
      error instanceof IndexerError &&
      error.code === IndexerErrorCode.ROOT_MISMATCH &&
      error.message === `pool pool: tree 0 with 2 leaves hashes to ${toHex32(computed)}, but the chain recorded ${toHex32(5n)} (tx tx0)`,
  );
});

test("a commitment at another leaf than the next is refused with OUT_OF_ORDER", () => {
  const trees = new PoolTrees("pool", poseidon, zeros);
  assert.throws(
    () => trees.apply([transaction(2, [1n, 2n], 0n)]),
    (error: unknown) =>
      error instanceof IndexerError && error.code === IndexerErrorCode.OUT_OF_ORDER && error.message === "pool pool: commitment (tree 0, index 2) arrived when (tree 0, index 0) was expected",
  );
});

test("restoring the sizes taken before a failed write undoes its leaves", () => {
  const trees = new PoolTrees("pool", poseidon, zeros);
  const reference = new MerkleTree(20, poseidon, { leaves: [1n, 2n] });
  trees.apply([transaction(0, [1n, 2n], reference.root)]);
  const sizes = trees.sizes();
  trees.apply([transaction(2, [3n, 4n], new MerkleTree(20, poseidon, { leaves: [1n, 2n, 3n, 4n] }).root)]);
  trees.restore(sizes);
  assert.equal(trees.current.size, 2);
  assert.equal(trees.current.root, reference.root);
});
