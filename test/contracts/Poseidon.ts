// CloakPoseidonHasher, the generated on-chain Poseidon(2) bytecode (scripts/poseidon-evm.ts), against circomlibjs on
// Hardhat's in-process EVM: tens of thousands of vectors through the deployed bytecode, edge values included,
// the generator's --check, and hashPath against the SDK's tree.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { network } from "hardhat";
import { buildPoseidon } from "circomlibjs";
import { FIELD_SIZE, MerkleTree, getPoseidon } from "@cloak/sdk";
import type { IPoseidonPathHasher, PoseidonBatchProbe } from "../../types/ethers-contracts/index.js";
import { deployPoseidonHasher } from "../../tasks/lib/poseidon.ts";

const { ethers } = await network.create();

const WORD_MAX = (1n << 256n) - 1n;
/** Random vectors through the deployed hasher; with the edge grid below, over 20,000 in all. */
const RANDOM_VECTORS = 20_000;
/** Pairs per eth_call of PoseidonBatchProbe.hashMany. */
const BATCH = 500;
const EDGES = [0n, 1n, 2n, FIELD_SIZE - 1n, FIELD_SIZE, FIELD_SIZE + 1n, 2n * FIELD_SIZE, 1n << 255n, WORD_MAX - 1n, WORD_MAX];

/** A deterministic generator (xorshift64*), so a failure reproduces. */
function words(seed: bigint): () => bigint {
  let state = seed;
  const next64 = (): bigint => {
    state ^= state >> 12n;
    state ^= (state << 25n) & 0xffffffffffffffffn;
    state ^= state >> 27n;
    return (state * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn;
  };
  return () => (next64() << 192n) | (next64() << 128n) | (next64() << 64n) | next64();
}

describe("CloakPoseidonHasher", function () {
  let hasher: IPoseidonPathHasher;
  let probe: PoseidonBatchProbe;
  let reference: (a: bigint, b: bigint) => bigint;

  before(async function () {
    hasher = await ethers.getContractAt("IPoseidonPathHasher", await deployPoseidonHasher(ethers));
    probe = await ethers.deployContract("PoseidonBatchProbe");
    const poseidon = await buildPoseidon();
    reference = (a, b) => poseidon.F.toObject(poseidon([a, b]));
  });

  /** Hashes every pair on-chain in batches and returns how many agreed with circomlibjs (all, or it throws). */
  async function compare(pairs: [bigint, bigint][]): Promise<number> {
    for (let start = 0; start < pairs.length; start += BATCH) {
      const batch = pairs.slice(start, start + BATCH);
      const onChain = await probe.hashMany(
        hasher,
        batch.map(([a]) => a),
        batch.map(([, b]) => b),
      );
      batch.forEach(([a, b], i) => expect(onChain[i], `Poseidon(${a}, ${b})`).to.equal(reference(a, b)));
    }
    return pairs.length;
  }

  it("is what scripts/poseidon-evm.ts generates from circomlibjs' constants (--check)", function () {
    this.timeout(60_000);
    const script = fileURLToPath(new URL("../../scripts/poseidon-evm.ts", import.meta.url));
    const out = execFileSync(process.execPath, ["--import", "tsx", script, "--check"], { encoding: "utf8" });
    expect(out).to.contain("the committed hasher code matches the generator");
  });

  it("agrees with circomlibjs on every pair of edge values, reducing inputs at or above p as circomlibjs does", async function () {
    const pairs: [bigint, bigint][] = EDGES.flatMap((a) => EDGES.map((b): [bigint, bigint] => [a, b]));
    expect(await compare(pairs)).to.equal(EDGES.length ** 2);
    // The reduction, spelled out: p hashes like 0 and 2^256 - 1 like (2^256 - 1) mod p.
    expect(await hasher.hash([FIELD_SIZE, WORD_MAX])).to.equal(await hasher.hash([0n, WORD_MAX % FIELD_SIZE]));
  });

  it("agrees with circomlibjs on 20,000 random pairs: field elements, and words of any size", async function () {
    this.timeout(600_000);
    const next = words(0x5eed_c10a_4b1d_0001n);
    const pairs: [bigint, bigint][] = [];
    for (let i = 0; i < RANDOM_VECTORS; i++) {
      // Three in four pairs are field elements, as a tree passes; the rest are raw 256-bit words.
      const field = i % 4 !== 3;
      pairs.push(field ? [next() % FIELD_SIZE, next() % FIELD_SIZE] : [next(), next()]);
    }
    expect(await compare(pairs)).to.equal(RANDOM_VECTORS);
  });

  it("hashes a path in one call to the nodes the SDK's tree computes", async function () {
    const sdk = await getPoseidon();
    const depth = 20;
    const tree = new MerkleTree(depth, sdk);
    const next = words(0x9a7b_0002n);
    for (let i = 0; i < 37; i++) tree.insertMany([next() % FIELD_SIZE, next() % FIELD_SIZE]);
    const pair: [bigint, bigint] = [next() % FIELD_SIZE, next() % FIELD_SIZE];
    const index = tree.insertMany(pair);
    const path = tree.path(index);
    // Level 0's sibling is the pair itself; the hasher takes the siblings from level 1 up.
    const siblings = path.pathElements.slice(1);
    const nodes = await hasher.hashPath(pair[0], pair[1], index >> 1, siblings);
    expect(nodes).to.have.length(depth);
    expect(nodes[0]).to.equal(sdk.hash([pair[0], pair[1]]));
    expect(nodes[depth - 1]).to.equal(tree.root);
  });

  it("refuses with empty revert data: short or long calldata, a misplaced array, an unknown selector, and value", async function () {
    const to = await hasher.getAddress();
    const valid = hasher.interface.encodeFunctionData("hashPath", [1n, 2n, 0n, [3n, 4n]]);
    const misplaced = ethers.concat([ethers.dataSlice(valid, 0, 0x64), ethers.toBeHex(0xa0n, 32), ethers.dataSlice(valid, 0x84)]);
    const [sender] = await ethers.getSigners();
    const refusals: { what: string; data: string; value?: bigint }[] = [
      { what: "hash, one word short", data: ethers.dataSlice(hasher.interface.encodeFunctionData("hash", [[1n, 2n]]), 0, 0x24) },
      { what: "hash, one byte long", data: ethers.concat([hasher.interface.encodeFunctionData("hash", [[1n, 2n]]), "0x00"]) },
      { what: "hashPath, one sibling missing", data: ethers.dataSlice(valid, 0, valid.length / 2 - 1 - 32) },
      { what: "hashPath, array not at offset 0x80", data: misplaced },
      { what: "unknown selector", data: "0x12345678" },
      { what: "value sent", data: valid, value: 1n },
    ];
    expect(await ethers.provider.call({ to, data: valid })).to.not.equal("0x");
    for (const { what, data, value } of refusals) {
      const error = await ethers.provider.call({ to, data, value, from: sender!.address }).then(
        () => null,
        (e: unknown) => e as { data?: string },
      );
      expect(error, what).to.not.equal(null);
      expect(error!.data, what).to.equal("0x");
    }
  });

  it("is refused as a tree's hasher when it lacks hashPath: poseidon-solidity's PoseidonT3", async function () {
    const { POSEIDON_T3 } = await import("../../tasks/lib/poseidon.ts");
    const [deployer] = await ethers.getSigners();
    const sent = await deployer!.sendTransaction({ data: POSEIDON_T3.bytecode });
    const receipt = await sent.wait();
    const old = receipt!.contractAddress!;
    const tree = await ethers.deployContract("MerkleTreeHarness");
    await expect(tree.initialize(20, old)).to.be.revertedWithCustomError(tree, "MerkleTreeInvalidHasher").withArgs(old);
  });
});
