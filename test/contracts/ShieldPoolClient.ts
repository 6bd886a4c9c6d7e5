// The SDK's EVM client against real pools: a wallet's deposit, private transfer and relayed withdrawal,
// with note selection and change, a clear refusal when the notes cannot cover an amount, and a full
// depth-20 tree rolling over: its leaf count is written to just below 2^20 (every earlier leaf being the
// zero leaf, which the SDK mirrors with a sparse tree), a deposit fills it, the next one opens tree 1, and
// the note in the finished tree is withdrawn with a real proof against its final root.
import { expect } from "chai";
import { network } from "hardhat";
import {
  CloakError,
  EVM_ROOT_HISTORY_SIZE,
  ErrorCode,
  Keypair,
  MerkleTree,
  PoolSync,
  ShieldPoolClient,
  getPoseidon,
  releaseProvingResources,
  type PoseidonHasher,
  type SnarkjsProver,
} from "@cloak/sdk";
import type { ShieldPool } from "../../types/ethers-contracts/index.js";
import { deployStack } from "../support/deploy.ts";
import { PRODUCTION_DEPTH, proverFor } from "../support/fixtures.ts";

const { ethers } = await network.create();

/** keccak256(abi.encode(uint256(keccak256("cloak.storage.MerkleTree")) - 1)) & ~bytes32(uint256(0xff)) */
const TREE_STORAGE = 0x73c011010e935482ac456528804100de611a71d147ac42e707e1dd33ffa31d00n;
/** Slot 0 packs hasher (bits 0-159), levels (160-167), nextIndex (168-199), rootCount, treeNumber. */
const NEXT_INDEX_SHIFT = 168n;
const NEXT_INDEX_MASK = (2n ** 32n - 1n) << NEXT_INDEX_SHIFT;
/** `filledSubtrees` is the struct's third slot (after slot 0 and `currentRoot`). */
const FILLED_SUBTREES_SLOT = TREE_STORAGE + 2n;
const CAPACITY = 2 ** PRODUCTION_DEPTH;

const word = (value: bigint) => ethers.toBeHex(value, 32);

/**
 * Makes the pool's empty tree look as if `leaves` zero leaves had been inserted: the leaf count, and the
 * left-subtree roots a later insert reads (a full all-zero subtree of height h is zeros(h)). The root of
 * such a tree is still zeros(20), which the pool already holds as its current root.
 */
async function pretendZeroLeaves(pool: ShieldPool, leaves: number): Promise<void> {
  const address = await pool.getAddress();
  const slot0 = BigInt(await ethers.provider.getStorage(address, TREE_STORAGE));
  const updated = (slot0 & ~NEXT_INDEX_MASK) | (BigInt(leaves) << NEXT_INDEX_SHIFT);
  await ethers.provider.send("hardhat_setStorageAt", [address, word(TREE_STORAGE), word(updated)]);
  for (let level = 1; level < PRODUCTION_DEPTH; level++) {
    const slot = ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [level, FILLED_SUBTREES_SLOT]));
    await ethers.provider.send("hardhat_setStorageAt", [address, slot, await pool.zeros(level)]);
  }
  expect(await pool.nextLeafIndex()).to.equal(BigInt(leaves));
}

describe("ShieldPoolClient", function () {
  let prover: SnarkjsProver;
  let poseidon: PoseidonHasher;

  before(async function () {
    prover = await proverFor(PRODUCTION_DEPTH);
    poseidon = await getPoseidon();
  });

  after(releaseProvingResources);

  it("deposits, transfers privately and withdraws through a relayer, keeping balances by trial decryption", async function () {
    const stack = await deployStack(ethers);
    const [, user, relayer, recipient] = await ethers.getSigners();
    await stack.orchestrator.addRelayer(relayer!.address);
    const alice = Keypair.generate(poseidon);
    const bob = Keypair.generate(poseidon);
    const asUser = new ShieldPoolClient(user!, await stack.pool.getAddress(), prover, poseidon, { fromBlock: 0 });
    const asRelayer = new ShieldPoolClient(relayer!, await stack.pool.getAddress(), prover, poseidon, { fromBlock: 0 });

    await asUser.deposit(1000n, alice);
    await asUser.transfer(alice, 300n, bob);
    expect(await asUser.balanceOf(alice)).to.equal(700n);
    expect(await asUser.balanceOf(bob)).to.equal(300n);

    const before = await ethers.provider.getBalance(recipient!.address);
    await asRelayer.withdraw(bob, 250n, recipient!.address, { relayer: relayer!.address, fee: 20n });
    expect((await ethers.provider.getBalance(recipient!.address)) - before).to.equal(250n);
    expect(await asRelayer.balanceOf(bob)).to.equal(30n);
  });

  it("deposits an ERC-20 after approving the pool", async function () {
    const token = await ethers.deployContract("TestToken");
    const stack = await deployStack(ethers, { token: await token.getAddress() });
    const [, user] = await ethers.getSigners();
    await token.mint(user!.address, 500n);
    const alice = Keypair.generate(poseidon);
    const client = new ShieldPoolClient(user!, await stack.pool.getAddress(), prover, poseidon, { fromBlock: 0 });
    await client.deposit(500n, alice);
    expect(await token.balanceOf(await stack.pool.getAddress())).to.equal(500n);
    expect(await client.balanceOf(alice)).to.equal(500n);
  });

  it("refuses a withdrawal its owner's notes cannot cover, without sending anything", async function () {
    const stack = await deployStack(ethers);
    const [, user] = await ethers.getSigners();
    const alice = Keypair.generate(poseidon);
    const client = new ShieldPoolClient(user!, await stack.pool.getAddress(), prover, poseidon, { fromBlock: 0 });
    await client.deposit(100n, alice);
    const nonce = await ethers.provider.getTransactionCount(user!.address);
    const error = await client.withdraw(alice, 101n, user!.address).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(CloakError);
    expect((error as CloakError).code).to.equal(ErrorCode.INSUFFICIENT_FUNDS);
    expect(await ethers.provider.getTransactionCount(user!.address)).to.equal(nonce);
  });

  it("continues in tree 1 when the depth-20 tree 0 is full, and withdraws the old tree's note against its final root", async function () {
    const { pool } = await deployStack(ethers);
    const [, user, recipient] = await ethers.getSigners();
    await pretendZeroLeaves(pool, CAPACITY - 2);
    const sparse = new MerkleTree(PRODUCTION_DEPTH, poseidon, { emptyLeaves: CAPACITY - 2, rootHistorySize: EVM_ROOT_HISTORY_SIZE });
    expect(ethers.toBeHex(sparse.root, 32)).to.equal(await pool.getLastRoot());
    const sync = new PoolSync(ethers.provider, await pool.getAddress(), poseidon, { tree: sparse, fromBlock: 0 });
    const client = new ShieldPoolClient(user!, await pool.getAddress(), prover, poseidon, { sync });
    const alice = Keypair.generate(poseidon);
    const bob = Keypair.generate(poseidon);

    // Alice's deposit takes the last pair of tree 0.
    const filling = await client.deposit(700n, alice);
    expect(filling.receipt.logs.map((log) => pool.interface.parseLog(log)?.name)).to.not.include("TreeRolledOver");
    expect(await pool.nextLeafIndex()).to.equal(BigInt(CAPACITY));
    const finalRoot = await pool.getLastRoot();
    expect(ethers.toBeHex(sync.tree.root, 32)).to.equal(finalRoot);

    // Bob's deposit does not fit: tree 0 is finished and the pair opens tree 1 at index 0.
    const opening = await client.deposit(300n, bob);
    const events = opening.receipt.logs.map((log) => pool.interface.parseLog(log)!);
    expect(events.find((e) => e.name === "TreeRolledOver")!.args.toArray()).to.deep.equal([0n, finalRoot]);
    const outputs = opening.proven.publicInputs.outputCommitments.map((c) => ethers.toBeHex(c, 32));
    expect(events.filter((e) => e.name === "NewCommitment").map((e) => [e.args.commitment, e.args.tree, e.args.index])).to.deep.equal([
      [outputs[0], 1n, 0n],
      [outputs[1], 1n, 1n],
    ]);
    expect(await pool.currentTreeNumber()).to.equal(1n);
    expect(await pool.nextLeafIndex()).to.equal(2n);
    expect(await pool.finalRoot(0n)).to.equal(finalRoot);
    expect(sync.trees).to.have.length(2);
    expect(ethers.toBeHex(sync.tree.root, 32)).to.equal(await pool.getLastRoot());

    // Alice's note stays in tree 0: the client proves against that tree's final root, forever known.
    const [aliceNote] = sync.notesOf(alice);
    expect([aliceNote!.tree, aliceNote!.leafIndex]).to.deep.equal([0, CAPACITY - 2]);
    const before = await ethers.provider.getBalance(recipient!.address);
    const withdrawal = await client.withdraw(alice, 700n, recipient!.address);
    expect(ethers.toBeHex(withdrawal.proven.publicInputs.root, 32)).to.equal(finalRoot);
    expect((await ethers.provider.getBalance(recipient!.address)) - before).to.equal(700n);
    expect(await client.balanceOf(alice)).to.equal(0n);
    expect(await client.balanceOf(bob)).to.equal(300n);
  });
});
