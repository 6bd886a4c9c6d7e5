// The PoW gate over JSON-RPC: with the config requiring proof of work, a relayed withdrawal must consume a
// scramble-registry claim. A miner registers, mines against the node's live SlotHashes sysvar (the SDK's
// nonce search at the registry's difficulty), reveals, and the relayer's withdrawal consumes the claim and
// pays the miner its share; a claim whose window has passed (slots advanced on the node) is refused.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { LAMPORTS_PER_SOL, Keypair as SolanaKeypair } from "@solana/web3.js";
import { Keypair, getPoseidon, releaseProvingResources, type PoseidonHasher, type SnarkjsProver } from "@cloak/sdk";
import {
  NATIVE_MINT,
  SolanaShieldPoolClient,
  fetchClaim,
  fetchRegistry,
  fetchTransactedEvents,
  mineAndRevealClaim,
  minerPda,
  fetchMiner,
  registerMinerInstruction,
  sendSolanaInstructions,
  lamportsMoved,
  tokensMoved,
} from "@cloak/sdk/solana";
import { PRODUCTION_DEPTH, proverFor } from "../support/fixtures.ts";
import { startLocalnet, type Localnet } from "../../localnet/launcher.ts";
import { assertProgramError, deployStack, landed, mintTestTokens, type SolanaStack } from "./support/stack.ts";

const SOL = BigInt(LAMPORTS_PER_SOL);
/** The test mint has 6 decimals. */
const TOKEN = 1_000_000n;

describe("the PoW gate over JSON-RPC", () => {
  let node: Localnet;
  let stack: SolanaStack;
  let prover: SnarkjsProver;
  let poseidon: PoseidonHasher;
  let miner: SolanaKeypair;
  let nullifierRent: bigint;

  before(async () => {
    node = await startLocalnet();
    stack = await deployStack(node, { powRequired: true });
    prover = await proverFor(PRODUCTION_DEPTH);
    poseidon = await getPoseidon();
    nullifierRent = BigInt(await node.connection.getMinimumBalanceForRentExemption(8 + 32));
    miner = await node.fundedKeypair(2);
    await sendSolanaInstructions(node.connection, { payer: miner, instructions: [await registerMinerInstruction({ authority: miner.publicKey })] });
  });

  after(async () => {
    await releaseProvingResources();
    await node?.stop();
  });

  /** A user's deposit of `amount` lamports into a new note of a new owner; no fee, so no claim. */
  async function depositedNote(amount: bigint): Promise<Keypair> {
    const owner = Keypair.generate(poseidon);
    const user = await node.fundedKeypair(3);
    await new SolanaShieldPoolClient(node.connection, user, NATIVE_MINT, prover, poseidon).deposit(amount, owner);
    return owner;
  }

  it("a relayed withdrawal consumes a claim mined against the live SlotHashes and pays the miner its share of the fee", async () => {
    const owner = await depositedNote(SOL);
    const minerRecord = await fetchMiner(node.connection, minerPda(miner.publicKey)[0]);
    assert.equal(minerRecord?.authority.toBase58(), miner.publicKey.toBase58());

    const mined = await mineAndRevealClaim(node.connection, miner);
    const claimBefore = await fetchClaim(node.connection, mined.claim);
    assert.equal(claimBefore?.consumedCount, 0);
    assert.notEqual(claimBefore?.revealedAtSlot, 0n);

    const registry = (await fetchRegistry(node.connection))!;
    const fee = SOL / 100n;
    const minerFee = (fee * BigInt(registry.minerFeeShareBps)) / 10_000n;
    assert.ok(minerFee > 0n);
    const recipient = SolanaKeypair.generate().publicKey;
    const asRelayer = new SolanaShieldPoolClient(node.connection, stack.relayer, NATIVE_MINT, prover, poseidon);
    const withdrawal = await asRelayer.withdraw(owner, SOL / 2n, recipient, { fee, pow: { claim: mined.claim, minerAuthority: miner.publicKey } });

    const response = await landed(node, withdrawal.signature);
    assert.equal(lamportsMoved(response, recipient), SOL / 2n);
    assert.equal(lamportsMoved(response, miner.publicKey), minerFee);
    assert.equal(lamportsMoved(response, stack.relayer.publicKey), fee - minerFee - BigInt(response.meta!.fee) - 2n * nullifierRent);
    const [event] = await fetchTransactedEvents(node.connection, withdrawal.signature);
    assert.equal(event?.powClaim?.toBase58(), mined.claim.toBase58());
    assert.equal(event?.minerFee, minerFee);
    assert.equal((await fetchClaim(node.connection, mined.claim))?.consumedCount, 1);
  });

  it("SPL: a relayed withdrawal with a claim pays the miner's share into its associated token account, created as a wallet would", async () => {
    const mint = stack.testMint;
    const user = await node.fundedKeypair(2);
    await mintTestTokens(node, mint, user.publicKey, 100n * TOKEN);
    const owner = Keypair.generate(poseidon);
    await new SolanaShieldPoolClient(node.connection, user, mint, prover, poseidon).deposit(100n * TOKEN, owner);
    const minerTokens = getAssociatedTokenAddressSync(mint, miner.publicKey);
    assert.equal(await node.connection.getAccountInfo(minerTokens), null);

    const mined = await mineAndRevealClaim(node.connection, miner);
    const fee = TOKEN;
    const minerFee = (fee * BigInt((await fetchRegistry(node.connection))!.minerFeeShareBps)) / 10_000n;
    const recipient = SolanaKeypair.generate().publicKey;
    const asRelayer = new SolanaShieldPoolClient(node.connection, stack.relayer, mint, prover, poseidon);
    const withdrawal = await asRelayer.withdraw(owner, 40n * TOKEN, recipient, { fee, pow: { claim: mined.claim, minerAuthority: miner.publicKey } });

    const response = await landed(node, withdrawal.signature);
    assert.equal(tokensMoved(response, mint, recipient), 40n * TOKEN);
    assert.equal(tokensMoved(response, mint, miner.publicKey), minerFee);
    assert.equal(tokensMoved(response, mint, stack.relayer.publicKey), fee - minerFee);
    assert.equal((await node.connection.getTokenAccountBalance(minerTokens)).value.amount, String(minerFee));
  });

  it("refuses a relayed withdrawal with a claim whose window has passed as ClaimExpired, by the registry", async () => {
    const owner = await depositedNote(SOL);
    const mined = await mineAndRevealClaim(node.connection, miner);
    const claim = (await fetchClaim(node.connection, mined.claim))!;
    const { slot } = await node.advanceSlots(Number(claim.expiresAtSlot - BigInt(await node.connection.getSlot())) + 1);
    assert.ok(BigInt(slot) > claim.expiresAtSlot);

    const asRelayer = new SolanaShieldPoolClient(node.connection, stack.relayer, NATIVE_MINT, prover, poseidon);
    const recipient = SolanaKeypair.generate().publicKey;
    await assertProgramError(asRelayer.withdraw(owner, SOL / 2n, recipient, { fee: SOL / 100n, pow: { claim: mined.claim, minerAuthority: miner.publicKey } }), {
      program: "scramble_registry",
      name: "ClaimExpired",
      code: 7019,
    });
    assert.equal(await node.connection.getBalance(recipient), 0);
    assert.equal(await asRelayer.balanceOf(owner), SOL);
  });

  it("refuses a relayed withdrawal without a claim as MissingPowClaim, by the shield pool", async () => {
    const owner = await depositedNote(SOL);
    const asRelayer = new SolanaShieldPoolClient(node.connection, stack.relayer, NATIVE_MINT, prover, poseidon);
    await assertProgramError(asRelayer.withdraw(owner, SOL / 2n, SolanaKeypair.generate().publicKey, { fee: SOL / 100n }), {
      program: "shield_pool",
      name: "MissingPowClaim",
      code: 6020,
    });
  });
});
