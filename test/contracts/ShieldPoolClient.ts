// The SDK's EVM client against real pools: a wallet's deposit, private transfer and relayed withdrawal,
// with note selection and change, and a clear refusal when the notes cannot cover an amount.
import { expect } from "chai";
import { network } from "hardhat";
import { CloakError, ErrorCode, Keypair, ShieldPoolClient, getPoseidon, releaseProvingResources, type PoseidonHasher, type SnarkjsProver } from "@cloak/sdk";
import { deployStack } from "../support/deploy.ts";
import { PRODUCTION_DEPTH, proverFor } from "../support/fixtures.ts";

const { ethers } = await network.create();

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
    const asUser = new ShieldPoolClient(user!, await stack.pool.getAddress(), prover, poseidon);
    const asRelayer = new ShieldPoolClient(relayer!, await stack.pool.getAddress(), prover, poseidon);

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
    const client = new ShieldPoolClient(user!, await stack.pool.getAddress(), prover, poseidon);
    await client.deposit(500n, alice);
    expect(await token.balanceOf(await stack.pool.getAddress())).to.equal(500n);
    expect(await client.balanceOf(alice)).to.equal(500n);
  });

  it("refuses a withdrawal its owner's notes cannot cover, without sending anything", async function () {
    const stack = await deployStack(ethers);
    const [, user] = await ethers.getSigners();
    const alice = Keypair.generate(poseidon);
    const client = new ShieldPoolClient(user!, await stack.pool.getAddress(), prover, poseidon);
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
});
