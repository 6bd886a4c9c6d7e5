// The SDK's Solana client over real JSON-RPC: a local node running both programs natively, deployed by
// the deploy library, driven by SolanaShieldPoolClient with real depth-20 proofs. SOL and SPL pools
// (deposit, private transfer found by trial decryption of Transacted events read back with
// getTransaction, relayed withdrawal with the fee paid exactly), a v0 transaction through a lookup table
// made on the node, an Anchor Program built from the IDL, and refusals surfacing as typed errors.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import anchor from "@coral-xyz/anchor";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { ComputeBudgetProgram, Keypair as SolanaKeypair, LAMPORTS_PER_SOL, PublicKey, TransactionMessage } from "@solana/web3.js";
import { CloakError, ErrorCode, Keypair, MerkleTree, getPoseidon, releaseProvingResources, trialDecrypt, type PoseidonHasher, type SnarkjsProver } from "@cloak/sdk";
import {
  NATIVE_MINT,
  SOLANA_ROOT_HISTORY_SIZE,
  SolanaPoolSync,
  SolanaShieldPoolClient,
  TRANSACT_COMPUTE_UNITS,
  buildV0Transaction,
  configPda,
  createLookupTable,
  currentRoot,
  eventAuthorityPda,
  fetchCommitmentTree,
  fetchTransactedEvents,
  poolPda,
  proveSolanaTransaction,
  registryPda,
  rootIndexOf,
  scrambleRegistryProgram,
  sendSolanaInstructions,
  sendSolanaTransaction,
  shieldPoolProgram,
  transactInstruction,
  transactLookupTableAddresses,
  treePda,
  type ProvenSolanaTransaction,
  lamportsMoved,
  tokensMoved,
} from "@cloak/sdk/solana";
import { PRODUCTION_DEPTH, proverFor } from "../support/fixtures.ts";
import { startLocalnet, type Localnet } from "../../localnet/launcher.ts";
import { assertProgramError, deployStack, landed, mintTestTokens, type SolanaStack } from "./support/stack.ts";

/** The packet limit a serialized transaction must fit. */
const PACKET_BYTES = 1232;
const SOL = BigInt(LAMPORTS_PER_SOL);
/** The test mint has 6 decimals. */
const TOKEN = 1_000_000n;

describe("SolanaShieldPoolClient over JSON-RPC", () => {
  let node: Localnet;
  let stack: SolanaStack;
  let prover: SnarkjsProver;
  let poseidon: PoseidonHasher;
  let nullifierRent: bigint;

  before(async () => {
    node = await startLocalnet();
    stack = await deployStack(node, { powRequired: false });
    prover = await proverFor(PRODUCTION_DEPTH);
    poseidon = await getPoseidon();
    // A nullifier record: the discriminator and the pool.
    nullifierRent = BigInt(await node.connection.getMinimumBalanceForRentExemption(8 + 32));
  });

  after(async () => {
    await releaseProvingResources();
    await node?.stop();
  });

  /** A deposit of `amount` lamports for a new note, proven against `tree` (the pool's own tree unless given). */
  async function provenDeposit(amount: bigint, tree = new MerkleTree(PRODUCTION_DEPTH, poseidon, { rootHistorySize: SOLANA_ROOT_HISTORY_SIZE })): Promise<ProvenSolanaTransaction> {
    return proveSolanaTransaction(
      {
        tree,
        inputs: [],
        outputs: [{ amount, recipient: Keypair.generate(poseidon) }],
        extData: { recipient: PublicKey.default, extAmount: amount, relayer: PublicKey.default, fee: 0n },
        pool: poolPda(NATIVE_MINT)[0],
      },
      prover,
      poseidon,
    );
  }

  it("SOL: deposits, pays a second key privately (found by trial-decrypting the Transacted events), and withdraws through a relayer paying its fee exactly", async () => {
    const user = await node.fundedKeypair(10);
    const alice = Keypair.generate(poseidon);
    const bob = Keypair.generate(poseidon);
    const asUser = new SolanaShieldPoolClient(node.connection, user, NATIVE_MINT, prover, poseidon);

    const deposit = await asUser.deposit(2n * SOL, alice);
    const vault = new PublicKey(stack.deployment.pools.sol!.vault);
    assert.equal(lamportsMoved(await landed(node, deposit.signature), vault), 2n * SOL);
    const transfer = await asUser.transfer(alice, SOL / 2n, bob);
    assert.equal(await asUser.balanceOf(alice), (3n * SOL) / 2n);

    // Bob knows nothing but his key: the transfer's outputs, read back from the node, hold his note.
    const [event] = await fetchTransactedEvents(node.connection, transfer.signature);
    assert.ok(event);
    const outputs = event.outputCommitments.map((commitment, i) => ({ commitment, leafIndex: event.firstLeafIndex + i, ciphertext: event.encryptedOutputs[i]! }));
    assert.deepEqual(
      trialDecrypt(outputs, bob, poseidon).map((note) => note.amount),
      [SOL / 2n],
    );

    // The relayer's client syncs the pool from scratch and withdraws Bob's note, paying itself the fee.
    const recipient = SolanaKeypair.generate().publicKey;
    const fee = SOL / 100n;
    const asRelayer = SolanaShieldPoolClient.fromDeployment(join(node.ledger, "deployment.json"), "sol", node.connection, stack.relayer, prover, poseidon);
    assert.ok(asRelayer.mint.equals(NATIVE_MINT));
    assert.equal(await asRelayer.balanceOf(bob), SOL / 2n);
    const withdrawal = await asRelayer.withdraw(bob, (3n * SOL) / 10n, recipient, { fee });
    const response = await landed(node, withdrawal.signature);
    assert.equal(lamportsMoved(response, recipient), (3n * SOL) / 10n);
    assert.equal(lamportsMoved(response, vault), -((3n * SOL) / 10n + fee));
    // The relayer signs and pays the transaction fee and both nullifier records, and earns the fee.
    assert.equal(lamportsMoved(response, stack.relayer.publicKey), fee - BigInt(response.meta!.fee) - 2n * nullifierRent);
    assert.equal(await asRelayer.balanceOf(bob), SOL / 2n - (3n * SOL) / 10n - fee);
    const fresh = new SolanaPoolSync(node.connection, NATIVE_MINT, poseidon);
    await fresh.sync();
    assert.equal(fresh.balanceOf(alice), (3n * SOL) / 2n);
    assert.equal(fresh.balanceOf(bob), SOL / 2n - (3n * SOL) / 10n - fee);
  });

  it("SPL: deposits the test mint from the user's associated token account, transfers privately, and withdraws to a new wallet's associated token account through a relayer", async () => {
    const mint = stack.testMint;
    const user = await node.fundedKeypair(2);
    await mintTestTokens(node, mint, user.publicKey, 1_000n * TOKEN);
    const alice = Keypair.generate(poseidon);
    const bob = Keypair.generate(poseidon);
    const asUser = new SolanaShieldPoolClient(node.connection, user, mint, prover, poseidon);
    const vaultOwner = poolPda(mint)[0];

    const deposit = await asUser.deposit(500n * TOKEN, alice);
    const deposited = await landed(node, deposit.signature);
    assert.equal(tokensMoved(deposited, mint, user.publicKey), -500n * TOKEN);
    assert.equal(tokensMoved(deposited, mint, vaultOwner), 500n * TOKEN);
    await asUser.transfer(alice, 200n * TOKEN, bob);

    const recipient = SolanaKeypair.generate().publicKey;
    const fee = TOKEN;
    const asRelayer = new SolanaShieldPoolClient(node.connection, stack.relayer, mint, prover, poseidon);
    const withdrawal = await asRelayer.withdraw(bob, 150n * TOKEN, recipient, { fee });
    const response = await landed(node, withdrawal.signature);
    assert.equal(tokensMoved(response, mint, recipient), 150n * TOKEN);
    assert.equal(tokensMoved(response, mint, stack.relayer.publicKey), fee);
    assert.equal(tokensMoved(response, mint, vaultOwner), -(150n * TOKEN + fee));
    const balance = await node.connection.getTokenAccountBalance(getAssociatedTokenAddressSync(mint, recipient));
    assert.equal(balance.value.amount, String(150n * TOKEN));
    assert.equal(await asRelayer.balanceOf(bob), 200n * TOKEN - 150n * TOKEN - fee);
    assert.equal(await asRelayer.balanceOf(alice), 300n * TOKEN);
  });

  it("refuses a withdrawal its owner's notes cannot cover, without sending anything", async () => {
    const user = await node.fundedKeypair(3);
    const alice = Keypair.generate(poseidon);
    const client = new SolanaShieldPoolClient(node.connection, user, NATIVE_MINT, prover, poseidon);
    await client.deposit(SOL / 10n, alice);
    const sent = await node.connection.getSignaturesForAddress(user.publicKey);
    const balance = await node.connection.getBalance(user.publicKey);
    await assert.rejects(client.withdraw(alice, SOL / 10n + 1n, user.publicKey), (error: unknown) => {
      assert.ok(error instanceof CloakError);
      assert.equal(error.code, ErrorCode.INSUFFICIENT_FUNDS);
      assert.match(error.message, /^amount: needs 100000001, but no tree holds 2 notes of the owner that cover it \(balance 100000000 in 1 notes over 1 trees/);
      return true;
    });
    assert.deepEqual(await node.connection.getSignaturesForAddress(user.publicKey), sent);
    assert.equal(await node.connection.getBalance(user.publicKey), balance);
  });

  it("sends a transact as a v0 transaction whose fixed accounts come from a lookup table created on the node", async () => {
    const user = await node.fundedKeypair(5);
    const table = await createLookupTable(node.connection, user, transactLookupTableAddresses({ mint: NATIVE_MINT }));
    const tree = await syncedTree();
    const proven = await provenDeposit(SOL, tree);
    const transact = await transactInstruction({ mint: NATIVE_MINT, payer: user.publicKey, transaction: proven, rootIndex: await rootIndexOfTree(tree) });
    const instructions = [ComputeBudgetProgram.setComputeUnitLimit({ units: TRANSACT_COMPUTE_UNITS }), transact];

    const latest = await node.connection.getLatestBlockhash();
    const legacy = new TransactionMessage({ payerKey: user.publicKey, recentBlockhash: latest.blockhash, instructions }).compileToLegacyMessage();
    const transaction = buildV0Transaction({ payer: user.publicKey, recentBlockhash: latest.blockhash, instructions, lookupTables: [table] });
    transaction.sign([user]);
    // Each account the table supplies costs one index byte instead of 32.
    const suppliedByTable = transaction.message.addressTableLookups.reduce((sum, lookup) => sum + lookup.writableIndexes.length + lookup.readonlyIndexes.length, 0);
    assert.ok(suppliedByTable >= 5, `the table supplies config, pool, tree, vault and event authority (${suppliedByTable})`);
    assert.ok(transaction.serialize().length < 1 + 64 + legacy.serialize().length - 30 * suppliedByTable + 32);
    assert.ok(transaction.serialize().length <= PACKET_BYTES);
    const signature = await sendSolanaTransaction(node.connection, transaction, latest.lastValidBlockHeight);

    const response = await landed(node, signature);
    assert.equal(response.version, 0);
    const loaded = response.meta!.loadedAddresses!;
    assert.equal(loaded.writable.length + loaded.readonly.length > 0, true);
    const [event] = await fetchTransactedEvents(node.connection, signature);
    assert.deepEqual(event?.outputCommitments, proven.publicInputs.outputCommitments);
  });

  it("drives the programs through an Anchor Program built from the IDL: an admin instruction by .rpc(), accounts by program.account", async () => {
    const provider = new anchor.AnchorProvider(node.connection, new anchor.Wallet(node.authority), { commitment: "confirmed" });
    const program = shieldPoolProgram(provider);
    const [pool] = poolPda(NATIVE_MINT);
    const [config] = configPda();
    await program.methods
      .setPoolLimits(new anchor.BN("20000000000"), new anchor.BN("200000000"))
      .accountsStrict({ config, pool, admin: node.authority.publicKey, eventAuthority: eventAuthorityPda()[0], program: program.programId })
      .rpc();
    const limits = await program.account.pool.fetch(pool);
    assert.deepEqual([limits.maxDeposit.toString(), limits.maxFee.toString(), limits.mint.toBase58()], ["20000000000", "200000000", NATIVE_MINT.toBase58()]);
    const configAccount = await program.account.config.fetch(config);
    assert.equal(configAccount.admin.toBase58(), node.authority.publicKey.toBase58());
    assert.equal(configAccount.relayers[0]!.toBase58(), stack.relayer.publicKey.toBase58());
    const registry = await scrambleRegistryProgram(provider).account.registry.fetch(registryPda()[0]);
    assert.equal(registry.consumerAuthority.toBase58(), config.toBase58());
  });

  it("rebuilds the pool's tree from its events paging getSignaturesForAddress two at a time, then reads only newer transactions", async () => {
    const user = await node.fundedKeypair(5);
    const owner = Keypair.generate(poseidon);
    const client = new SolanaShieldPoolClient(node.connection, user, NATIVE_MINT, prover, poseidon);
    await client.deposit(SOL, owner);
    const paged = new SolanaPoolSync(node.connection, NATIVE_MINT, poseidon, { pageSize: 2 });
    await paged.sync();
    const onChain = await fetchCommitmentTree(node.connection, treePda(poolPda(NATIVE_MINT)[0])[0]);
    assert.ok(onChain);
    assert.equal(paged.tree.root, currentRoot(onChain.tree));
    assert.equal(BigInt(paged.tree.size), onChain.tree.nextIndex);
    const listed = await node.connection.getSignaturesForAddress(poolPda(NATIVE_MINT)[0]);
    assert.ok(listed.length > 2, `the pool's ${listed.length} transactions (its opening, tree growth, transacts) span pages of 2`);
    assert.equal(paged.balanceOf(owner), SOL);

    await client.deposit(SOL / 2n, owner);
    const before = paged.tree.size;
    await paged.sync();
    assert.equal(paged.tree.size, before + 2);
    assert.equal(paged.balanceOf(owner), (3n * SOL) / 2n);
    assert.equal(paged.tree.root, client.sync.tree.root);
  });

  it("refuses a transact against a root the pool never had as UnknownRoot, by the shield pool", async () => {
    const user = await node.fundedKeypair(5);
    const table = await createLookupTable(node.connection, user, transactLookupTableAddresses({ mint: NATIVE_MINT }));
    // A tree with a leaf the pool never received has a root the pool never had.
    const foreign = new MerkleTree(PRODUCTION_DEPTH, poseidon, { leaves: [123n], rootHistorySize: SOLANA_ROOT_HISTORY_SIZE });
    const proven = await provenDeposit(SOL, foreign);
    // Ring slot 0 holds a root the pool did have (its first); the proof's root is compared with it.
    const transact = await transactInstruction({ mint: NATIVE_MINT, payer: user.publicKey, transaction: proven, rootIndex: 0 });
    const before = await node.connection.getBalance(user.publicKey);
    await assertProgramError(
      sendSolanaInstructions(node.connection, { payer: user, instructions: [transact], lookupTables: [table], computeUnitLimit: TRANSACT_COMPUTE_UNITS }),
      { program: "shield_pool", name: "UnknownRoot", code: 6010 },
    );
    assert.equal(await node.connection.getBalance(user.publicKey), before);
  });

  it("refuses a replayed transact as NullifierAlreadySpent, by the shield pool, in simulation and once landed", async () => {
    const user = await node.fundedKeypair(5);
    const client = new SolanaShieldPoolClient(node.connection, user, NATIVE_MINT, prover, poseidon);
    const first = await client.deposit(SOL, Keypair.generate(poseidon));
    await node.advanceSlots(1);
    const replay = await transactInstruction({ mint: NATIVE_MINT, payer: user.publicKey, transaction: first.proven, rootIndex: 0 });
    const table = await node.connection.getAddressLookupTable(client.lookupTable!);
    const send = (simulate: boolean) =>
      sendSolanaInstructions(node.connection, { payer: user, instructions: [replay], lookupTables: [table.value!], computeUnitLimit: TRANSACT_COMPUTE_UNITS }, { simulate });
    const simulated = await assertProgramError(send(true), { program: "shield_pool", name: "NullifierAlreadySpent", code: 6037 });
    assert.equal(simulated.stage, "simulate");
    // Sent without simulation, the node runs it and records the failure in meta.err. (A new slot gives a
    // new blockhash: the same message again would be the deposit itself, refused as already processed.)
    await node.advanceSlots(1);
    const confirmed = await assertProgramError(send(false), { program: "shield_pool", name: "NullifierAlreadySpent", code: 6037 });
    assert.equal(confirmed.stage, "confirm");
    assert.ok(confirmed.signature);
  });

  /** The pool's tree as a wallet syncs it from the node. */
  async function syncedTree(): Promise<MerkleTree> {
    const sync = new SolanaPoolSync(node.connection, NATIVE_MINT, poseidon);
    await sync.sync();
    return sync.tree;
  }

  /** Where the pool's tree account holds `tree`'s root. */
  async function rootIndexOfTree(tree: MerkleTree): Promise<number> {
    const account = await fetchCommitmentTree(node.connection, treePda(poolPda(NATIVE_MINT)[0])[0]);
    assert.ok(account);
    const index = rootIndexOf(account, tree.root);
    assert.notEqual(index, null, "the synced root is one the pool accepts");
    return index!;
  }
});
