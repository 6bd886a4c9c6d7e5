// ShieldPool on Hardhat's in-process EVM with real depth-20 proofs: every transaction kind, and every
// refusal the pool owes its users (double spends, replays, stale roots, tampering, pauses, bad tokens).
import { expect } from "chai";
import { network } from "hardhat";
import {
  Keypair,
  MerkleTree,
  PoolSync,
  getPoseidon,
  proveTransaction,
  releaseProvingResources,
  toTransactArgs,
  type PoseidonHasher,
  type ProvenTransaction,
  type SnarkjsProver,
  type TransactionRequest,
} from "@cloak/sdk";
import type { ContractTransactionResponse } from "ethers";
import type { ShieldPool } from "../../types/ethers-contracts/index.js";
import { deployStack, type Stack } from "../support/deploy.ts";
import { PRODUCTION_DEPTH, proverFor } from "../support/fixtures.ts";

const { ethers } = await network.create();


describe("ShieldPool", function () {
  let prover: SnarkjsProver;
  let poseidon: PoseidonHasher;
  let chainId: bigint;

  before(async function () {
    prover = await proverFor(PRODUCTION_DEPTH);
    poseidon = await getPoseidon();
    chainId = (await ethers.provider.getNetwork()).chainId;
  });

  after(releaseProvingResources);

  async function setup(options: { token?: string } = {}) {
    const stack = await deployStack(ethers, options);
    const view = new PoolSync(ethers.provider, await stack.pool.getAddress(), poseidon, { fromBlock: 0 });
    const alice = Keypair.generate(poseidon);
    const bob = Keypair.generate(poseidon);
    const [, , recipient, relayer] = await ethers.getSigners();
    return { ...stack, view, alice, bob, recipient: recipient!, relayer: relayer! };
  }

  function extData(stack: Stack, overrides: Partial<TransactionRequest["extData"]> = {}): TransactionRequest["extData"] {
    return {
      chainId,
      pool: stack.pool.target as string,
      recipient: ethers.ZeroAddress,
      relayer: ethers.ZeroAddress,
      extAmount: 0n,
      fee: 0n,
      ...overrides,
    };
  }

  async function prove(request: TransactionRequest): Promise<ProvenTransaction> {
    return proveTransaction(request, prover, poseidon);
  }

  function submit(pool: ShieldPool, tx: ProvenTransaction, value = 0n): Promise<ContractTransactionResponse> {
    const { proof, extData } = toTransactArgs(tx);
    return pool.transact(proof, extData, { value });
  }

  /** The pool's root once `tx`'s two outputs are appended to the synced tree. */
  function rootAfter(s: Awaited<ReturnType<typeof setup>>, tx: ProvenTransaction): string {
    const after = MerkleTree.restore(s.view.tree.snapshot(), poseidon);
    after.insertMany(tx.publicInputs.outputCommitments);
    return ethers.toBeHex(after.root, 32);
  }

  /** `value` is the native coin sent along: the amount for a native pool, 0 for a token pool. */
  async function deposit(s: Awaited<ReturnType<typeof setup>>, owner: Keypair, amount: bigint, value = amount) {
    await s.view.sync();
    const tx = await prove({ tree: s.view.tree, inputs: [], outputs: [{ amount, recipient: owner }], extData: extData(s, { extAmount: amount }) });
    await (await submit(s.pool, tx, value)).wait();
    await s.view.sync();
    return tx;
  }

  it("takes a native deposit and appends both outputs to the tree the SDK computes", async function () {
    const s = await setup();
    await deposit(s, s.alice, 1000n);
    expect(await ethers.provider.getBalance(s.pool.target)).to.equal(1000n);
    expect(await s.pool.getLastRoot()).to.equal(ethers.toBeHex(s.view.tree.root, 32));
    expect(await s.pool.nextLeafIndex()).to.equal(2n);
    expect(s.view.notesOf(s.alice).map((n) => n.amount)).to.deep.equal([1000n]);
  });

  it("moves value privately: bob finds his note, nothing leaves the pool", async function () {
    const s = await setup();
    await deposit(s, s.alice, 1000n);
    const [note] = s.view.notesOf(s.alice);
    const tx = await prove({
      tree: s.view.tree,
      inputs: [{ note: note!, owner: s.alice }],
      outputs: [{ amount: 300n, recipient: s.bob }, { amount: 700n, recipient: s.alice }],
      extData: extData(s),
    });
    await expect(submit(s.pool, tx)).to.emit(s.pool, "NewNullifier");
    await s.view.sync();
    expect(s.view.notesOf(s.bob).map((n) => n.amount)).to.deep.equal([300n]);
    expect(await ethers.provider.getBalance(s.pool.target)).to.equal(1000n);
  });

  it("pays a withdrawal to the recipient and the fee to a registered relayer", async function () {
    const s = await setup();
    await s.orchestrator.addRelayer(s.relayer.address);
    await deposit(s, s.alice, 1000n);
    const [note] = s.view.notesOf(s.alice);
    const tx = await prove({
      tree: s.view.tree,
      inputs: [{ note: note!, owner: s.alice }],
      outputs: [{ amount: 100n, recipient: s.alice }],
      extData: extData(s, { recipient: s.recipient.address, relayer: s.relayer.address, extAmount: -890n, fee: 10n }),
    });
    const sent = submit(s.pool, tx);
    await expect(sent).to.changeEtherBalances(ethers, [s.pool, s.recipient, s.relayer], [-900n, 890n, 10n]);
    await expect(sent).to.emit(s.pool, "Transact").withArgs(-890n, 10n, s.recipient.address, s.relayer.address, rootAfter(s, tx));
  });

  it("logs zero addresses in Transact for a recipient and a relayer that were paid nothing", async function () {
    const s = await setup();
    await s.view.sync();
    const tx = await prove({
      tree: s.view.tree,
      inputs: [],
      outputs: [{ amount: 40n, recipient: s.alice }],
      extData: extData(s, { extAmount: 40n, recipient: s.recipient.address, relayer: s.relayer.address }),
    });
    await expect(submit(s.pool, tx, 40n))
      .to.emit(s.pool, "Transact")
      .withArgs(40n, 0n, ethers.ZeroAddress, ethers.ZeroAddress, rootAfter(s, tx));
  });

  it("refuses a second spend of the same note with a fresh proof", async function () {
    const s = await setup();
    await deposit(s, s.alice, 500n);
    const [note] = s.view.notesOf(s.alice);
    const spend = () =>
      prove({
        tree: s.view.tree,
        inputs: [{ note: note!, owner: s.alice }],
        outputs: [{ amount: 500n, recipient: s.bob }],
        extData: extData(s),
      });
    const first = await spend();
    await (await submit(s.pool, first)).wait();
    await s.view.sync();
    const spentNullifier = ethers.toBeHex(first.publicInputs.inputNullifiers[0], 32);
    await expect(submit(s.pool, await spend())).to.be.revertedWithCustomError(s.pool, "NullifierAlreadySpent").withArgs(spentNullifier);
  });

  it("refuses a replay of an accepted transaction", async function () {
    const s = await setup();
    await deposit(s, s.alice, 500n);
    const [note] = s.view.notesOf(s.alice);
    const tx = await prove({ tree: s.view.tree, inputs: [{ note: note!, owner: s.alice }], outputs: [{ amount: 500n, recipient: s.bob }], extData: extData(s) });
    await (await submit(s.pool, tx)).wait();
    await expect(submit(s.pool, tx))
      .to.be.revertedWithCustomError(s.pool, "NullifierAlreadySpent")
      .withArgs(ethers.toBeHex(tx.publicInputs.inputNullifiers[0], 32));
  });

  it("refuses a proof against a root the pool never had", async function () {
    const s = await setup();
    await deposit(s, s.alice, 500n);
    const [note] = s.view.notesOf(s.alice);
    const forked = MerkleTree.restore(s.view.tree.snapshot(), poseidon);
    forked.insertMany([123n, 456n]);
    const tx = await prove({ tree: forked, inputs: [{ note: note!, owner: s.alice }], outputs: [{ amount: 500n, recipient: s.bob }], extData: extData(s) });
    await expect(submit(s.pool, tx)).to.be.revertedWithCustomError(s.pool, "UnknownRoot").withArgs(ethers.toBeHex(forked.root, 32));
  });

  it("refuses extData changed after proving (a redirected withdrawal)", async function () {
    const s = await setup();
    await deposit(s, s.alice, 500n);
    const [note] = s.view.notesOf(s.alice);
    const tx = await prove({
      tree: s.view.tree,
      inputs: [{ note: note!, owner: s.alice }],
      outputs: [],
      extData: extData(s, { recipient: s.recipient.address, extAmount: -500n }),
    });
    const { proof, extData: args } = toTransactArgs(tx);
    const [, , , , thief] = await ethers.getSigners();
    await expect(s.pool.transact(proof, { ...args, recipient: thief!.address })).to.be.revertedWithCustomError(s.pool, "InvalidProof").withArgs();
  });

  it("refuses a fee for a relayer the Orchestrator does not list", async function () {
    const s = await setup();
    await deposit(s, s.alice, 500n);
    const [note] = s.view.notesOf(s.alice);
    const tx = await prove({
      tree: s.view.tree,
      inputs: [{ note: note!, owner: s.alice }],
      outputs: [],
      extData: extData(s, { recipient: s.recipient.address, relayer: s.relayer.address, extAmount: -490n, fee: 10n }),
    });
    await expect(submit(s.pool, tx)).to.be.revertedWithCustomError(s.pool, "RelayerNotRegistered").withArgs(s.relayer.address);
  });

  it("refuses every transaction while paused", async function () {
    const s = await setup();
    await s.orchestrator.pause(s.pool.target);
    const tx = await prove({ tree: s.view.tree, inputs: [], outputs: [{ amount: 5n, recipient: s.alice }], extData: extData(s, { extAmount: 5n }) });
    await expect(submit(s.pool, tx, 5n)).to.be.revertedWithCustomError(s.pool, "PoolIsPaused").withArgs();
  });

  it("refuses a proof made for another pool", async function () {
    const s = await setup();
    const other = await setup();
    const tx = await prove({ tree: s.view.tree, inputs: [], outputs: [{ amount: 5n, recipient: s.alice }], extData: extData(other, { extAmount: 5n }) });
    await expect(submit(s.pool, tx, 5n)).to.be.revertedWithCustomError(s.pool, "WrongDomain").withArgs(chainId, other.pool.target);
  });

  it("refuses a deposit above the pool's limit", async function () {
    const s = await setup();
    await s.orchestrator.setDepositLimit(s.pool.target, 100n);
    const tx = await prove({ tree: s.view.tree, inputs: [], outputs: [{ amount: 101n, recipient: s.alice }], extData: extData(s, { extAmount: 101n }) });
    await expect(submit(s.pool, tx, 101n)).to.be.revertedWithCustomError(s.pool, "DepositLimitExceeded").withArgs(101n, 100n);
  });

  it("refuses a native deposit whose value differs from extAmount", async function () {
    const s = await setup();
    const tx = await prove({ tree: s.view.tree, inputs: [], outputs: [{ amount: 50n, recipient: s.alice }], extData: extData(s, { extAmount: 50n }) });
    await expect(submit(s.pool, tx, 49n)).to.be.revertedWithCustomError(s.pool, "WrongValue").withArgs(49n, 50n);
  });

  it("blocks a withdrawal recipient that re-enters transact", async function () {
    const s = await setup();
    await deposit(s, s.alice, 1000n);
    const attacker = await ethers.deployContract("ReentrantRecipient", [s.pool.target]);
    const [note] = s.view.notesOf(s.alice);
    const tx = await prove({
      tree: s.view.tree,
      inputs: [{ note: note!, owner: s.alice }],
      outputs: [{ amount: 500n, recipient: s.alice }],
      extData: extData(s, { recipient: await attacker.getAddress(), extAmount: -500n }),
    });
    const { proof, extData: args } = toTransactArgs(tx);
    await attacker.arm(s.pool.interface.encodeFunctionData("transact", [proof, args]));
    await expect(s.pool.transact(proof, args)).to.changeEtherBalance(ethers, attacker, 500n);
    expect(await attacker.lastReentrySucceeded()).to.equal(false);
    const guardError = s.pool.interface.getError("ReentrancyGuardReentrantCall")!.selector;
    expect(await attacker.lastReentryError()).to.equal(guardError);
  });

  describe("with an ERC-20 asset", function () {
    it("pulls a token deposit and pays a token withdrawal", async function () {
      const token = await ethers.deployContract("TestToken");
      const s = await setup({ token: await token.getAddress() });
      await token.mint(s.admin.address, 1000n);
      await token.approve(s.pool.target, 1000n);
      await deposit(s, s.alice, 1000n, 0n);
      expect(await token.balanceOf(s.pool.target)).to.equal(1000n);
      const [note] = s.view.notesOf(s.alice);
      const tx = await prove({
        tree: s.view.tree,
        inputs: [{ note: note!, owner: s.alice }],
        outputs: [{ amount: 400n, recipient: s.alice }],
        extData: extData(s, { recipient: s.recipient.address, extAmount: -600n }),
      });
      await expect(submit(s.pool, tx)).to.changeTokenBalances(ethers, token, [s.pool, s.recipient], [-600n, 600n]);
    });

    it("blocks a token whose transfer hook re-enters transact during a deposit", async function () {
      const token = await ethers.deployContract("ReentrantToken");
      const s = await setup({ token: await token.getAddress() });
      await token.mint(s.admin.address, 1000n);
      await token.approve(s.pool.target, 1000n);
      const tx = await prove({ tree: s.view.tree, inputs: [], outputs: [{ amount: 1000n, recipient: s.alice }], extData: extData(s, { extAmount: 1000n }) });
      const { proof, extData: args } = toTransactArgs(tx);
      await token.arm(s.pool.target, s.pool.interface.encodeFunctionData("transact", [proof, args]));
      await expect(s.pool.transact(proof, args)).to.changeTokenBalances(ethers, token, [s.pool], [1000n]);
      expect(await token.lastReentrySucceeded()).to.equal(false);
      expect(await token.lastReentryError()).to.equal(s.pool.interface.getError("ReentrancyGuardReentrantCall")!.selector);
    });

    it("refuses a fee-on-transfer token that delivers less than the deposit", async function () {
      const token = await ethers.deployContract("FeeOnTransferToken");
      const s = await setup({ token: await token.getAddress() });
      await token.mint(s.admin.address, 1000n);
      await token.approve(s.pool.target, 1000n);
      const tx = await prove({ tree: s.view.tree, inputs: [], outputs: [{ amount: 1000n, recipient: s.alice }], extData: extData(s, { extAmount: 1000n }) });
      await expect(submit(s.pool, tx)).to.be.revertedWithCustomError(s.pool, "UnsupportedToken").withArgs(990n, 1000n);
    });
  });
});
