// MerkleTreeWithHistory (through MerkleTreeHarness) on Hardhat's in-process EVM against the SDK's MerkleTree:
// the same zeros, the same root after every pair at the production depth, the same root history, and the
// refusals (full tree, leaves outside the field, a wrong hasher).
import { expect } from "chai";
import { network } from "hardhat";
import { EVM_ROOT_HISTORY_SIZE, FIELD_SIZE, MerkleTree, getPoseidon, zeroValues, type PoseidonHasher } from "@cloak/sdk";
import type { MerkleTreeHarness } from "../../types/ethers-contracts/index.js";
import { PRODUCTION_DEPTH } from "../support/fixtures.ts";
import { deployPoseidonHasher } from "../../tasks/lib/poseidon.ts";

const { ethers } = await network.create();

const MAX_LEVELS = 32;
/** docs/protocol.md, "Merkle tree". */
const ZEROS_1 = 14744269619966411208579211824598458697587494354926760081771325075741142829156n;
const POSEIDON_1_2 = 7853200120776062878684798364095072458815029376092732009249414926327459813530n;

/** The harness's shortened history: the production lookup rule, with eviction reachable in a test. */
const SHORT_HISTORY = 100;

const toBytes32 = (x: bigint) => ethers.toBeHex(x, 32);
const randomLeaf = () => BigInt(ethers.hexlify(ethers.randomBytes(32))) % FIELD_SIZE;

describe("MerkleTreeWithHistory", function () {
  let hasher: string;
  let poseidon: PoseidonHasher;

  before(async function () {
    hasher = await deployPoseidonHasher(ethers);
    poseidon = await getPoseidon();
  });

  async function deployTree(levels: number): Promise<MerkleTreeHarness> {
    const tree = await ethers.deployContract("MerkleTreeHarness");
    await (await tree.initialize(levels, hasher)).wait();
    return tree;
  }

  /** Inserts the pair on-chain and in `reference`, and returns the on-chain index of the first leaf. */
  async function insertPair(tree: MerkleTreeHarness, reference: MerkleTree, pair: [bigint, bigint]): Promise<number> {
    const [, index] = await tree.insert.staticCall(toBytes32(pair[0]), toBytes32(pair[1]));
    await (await tree.insert(toBytes32(pair[0]), toBytes32(pair[1]))).wait();
    expect(reference.insertMany(pair)).to.equal(Number(index));
    return Number(index);
  }

  it("precomputes zeros(0..32) equal to the SDK's zeroValues(32)", async function () {
    const tree = await deployTree(1);
    const expected = zeroValues(MAX_LEVELS, poseidon);
    expect(expected[1]).to.equal(ZEROS_1);
    for (let i = 0; i <= MAX_LEVELS; i++) expect(BigInt(await tree.zeros(i)), `zeros(${i})`).to.equal(expected[i]);
    await expect(tree.zeros(MAX_LEVELS + 1))
      .to.be.revertedWithCustomError(tree, "MerkleTreeZeroIndexOutOfRange")
      .withArgs(MAX_LEVELS + 1);
  });

  it("hashes with circomlib's Poseidon: hashLeftRight(1, 2) and random pairs agree with the SDK", async function () {
    const tree = await deployTree(1);
    expect(BigInt(await tree.hashLeftRight(toBytes32(1n), toBytes32(2n)))).to.equal(POSEIDON_1_2);
    for (let i = 0; i < 8; i++) {
      const [a, b] = [randomLeaf(), randomLeaf()];
      expect(BigInt(await tree.hashLeftRight(toBytes32(a), toBytes32(b)))).to.equal(poseidon.hash([a, b]));
    }
  });

  it("starts a depth-20 tree at the SDK's empty root", async function () {
    const tree = await deployTree(PRODUCTION_DEPTH);
    const reference = new MerkleTree(PRODUCTION_DEPTH, poseidon);
    expect(await tree.levels()).to.equal(BigInt(PRODUCTION_DEPTH));
    expect(await tree.nextLeafIndex()).to.equal(0n);
    expect(BigInt(await tree.getLastRoot())).to.equal(reference.root);
    expect(await tree.isKnownRoot(toBytes32(reference.root))).to.equal(true);
    expect(await tree.isKnownRoot(ethers.ZeroHash)).to.equal(false);
    expect(await tree.ROOT_HISTORY_SIZE()).to.equal(BigInt(EVM_ROOT_HISTORY_SIZE));
    expect(await tree.poseidonHasher()).to.equal(hasher);
  });

  it("matches the SDK's root after every random pair at depth 20, and its root history past a short history", async function () {
    this.timeout(120_000);
    const tree = await deployTree(PRODUCTION_DEPTH);
    await (await tree.setRootHistorySize(SHORT_HISTORY)).wait();
    const reference = new MerkleTree(PRODUCTION_DEPTH, poseidon, { rootHistorySize: SHORT_HISTORY });
    const roots = [reference.root];
    const pairs = SHORT_HISTORY + 10;
    for (let p = 0; p < pairs; p++) {
      // Zero leaves now and then: the empty leaf is a valid commitment slot value for the tree.
      const pair: [bigint, bigint] = [p % 7 === 3 ? 0n : randomLeaf(), randomLeaf()];
      expect(await insertPair(tree, reference, pair)).to.equal(2 * p);
      expect(await tree.nextLeafIndex()).to.equal(BigInt(2 * p + 2));
      expect(BigInt(await tree.getLastRoot()), `root after pair ${p}`).to.equal(reference.root);
      roots.push(reference.root);
    }
    for (const [i, root] of roots.entries()) {
      const known = reference.isKnownRoot(root);
      expect(known).to.equal(i >= roots.length - SHORT_HISTORY);
      expect(await tree.isKnownRoot(toBytes32(root)), `isKnownRoot(roots[${i}])`).to.equal(known);
    }
    // Paths the SDK derives for the new leaves verify against the on-chain root.
    const path = reference.path(2 * pairs - 1);
    expect(path.root).to.equal(BigInt(await tree.getLastRoot()));
  });

  it("looks a root up in constant gas: the oldest known root costs what the newest does", async function () {
    const tree = await deployTree(PRODUCTION_DEPTH);
    const reference = new MerkleTree(PRODUCTION_DEPTH, poseidon);
    const oldest = reference.root;
    for (let p = 0; p < 40; p++) await insertPair(tree, reference, [randomLeaf(), randomLeaf()]);
    const gas = async (root: bigint) => tree.isKnownRoot.estimateGas(toBytes32(root));
    const [old, newest, unknown] = [await gas(oldest), await gas(reference.root), await gas(randomLeaf())];
    expect(await tree.isKnownRoot(toBytes32(oldest))).to.equal(true);
    // Calldata differs only in zero bytes (4 gas against 16), so old and new agree within a few hundred gas;
    // an unknown root stops after its one (empty) sequence read.
    expect(old - newest).to.be.within(-500n, 500n);
    expect(unknown).to.be.at.most(newest);
    expect(newest).to.be.below(30_000n);
  });

  it("rolls a full tree over: the next pair opens tree 1 at index 0 and the final root stays known", async function () {
    const levels = 2;
    const tree = await deployTree(levels);
    const reference = new MerkleTree(levels, poseidon);
    for (let p = 0; p < 2 ** (levels - 1); p++) await insertPair(tree, reference, [randomLeaf(), randomLeaf()]);
    const finalRoot = toBytes32(reference.root);
    const next = new MerkleTree(levels, poseidon);
    next.insertMany([1n, 2n]);
    await expect(tree.insert(toBytes32(1n), toBytes32(2n)))
      .to.emit(tree, "TreeRolledOver")
      .withArgs(0n, finalRoot)
      .and.to.emit(tree, "PairInserted")
      .withArgs(1n, 0n, toBytes32(next.root));
    expect(await tree.currentTreeNumber()).to.equal(1n);
    expect(await tree.finalRoot(0n)).to.equal(finalRoot);
    expect(await tree.isKnownRoot(finalRoot)).to.equal(true);
    await expect(tree.finalRoot(1n)).to.be.revertedWithCustomError(tree, "MerkleTreeNotFinished").withArgs(1n, 1n);
  });

  it("refuses a leaf or hash input at or above FIELD_SIZE and accepts FIELD_SIZE - 1", async function () {
    const tree = await deployTree(PRODUCTION_DEPTH);
    const max = toBytes32(FIELD_SIZE - 1n);
    for (const bad of [FIELD_SIZE, FIELD_SIZE + 1n, 2n ** 256n - 1n]) {
      await expect(tree.insert(toBytes32(bad), max))
        .to.be.revertedWithCustomError(tree, "MerkleTreeValueOutOfField")
        .withArgs(toBytes32(bad));
      await expect(tree.insert(max, toBytes32(bad)))
        .to.be.revertedWithCustomError(tree, "MerkleTreeValueOutOfField")
        .withArgs(toBytes32(bad));
      await expect(tree.hashLeftRight(max, toBytes32(bad)))
        .to.be.revertedWithCustomError(tree, "MerkleTreeValueOutOfField")
        .withArgs(toBytes32(bad));
    }
    expect(await tree.nextLeafIndex()).to.equal(0n);
    const reference = new MerkleTree(PRODUCTION_DEPTH, poseidon);
    await insertPair(tree, reference, [FIELD_SIZE - 1n, FIELD_SIZE - 1n]);
    expect(BigInt(await tree.getLastRoot())).to.equal(reference.root);
  });

  it("refuses depths outside [1, 32] and a hasher that is not Poseidon", async function () {
    for (const levels of [0, MAX_LEVELS + 1]) {
      const tree = await ethers.deployContract("MerkleTreeHarness");
      await expect(tree.initialize(levels, hasher)).to.be.revertedWithCustomError(tree, "MerkleTreeInvalidLevels").withArgs(levels);
    }
    const [eoa] = await ethers.getSigners();
    const tree = await ethers.deployContract("MerkleTreeHarness");
    await expect(tree.initialize(PRODUCTION_DEPTH, eoa!.address))
      .to.be.revertedWithCustomError(tree, "MerkleTreeInvalidHasher")
      .withArgs(eoa!.address);
  });
});
