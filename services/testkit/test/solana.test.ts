import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PublicKey } from "@solana/web3.js";
import { MerkleTree, PRODUCTION_TREE_DEPTH, getPoseidon } from "@cloak/sdk";
import { NATIVE_MINT, currentRoot, fetchCommitmentTree, poolPda, treePda } from "@cloak/sdk/solana";
import { commitmentsOf, loadSolanaCorpus, startSolanaCloak, submitSolanaCorpus, type SolanaCloak } from "../src/index.ts";

const corpus = loadSolanaCorpus();
const poseidon = await getPoseidon();
let cloak: SolanaCloak;

before(async () => {
  cloak = await startSolanaCloak({ tokenMint: null });
});

after(async () => {
  await cloak?.node.stop();
});

describe("the Solana corpus on the local node", () => {
  it("lands the first 8 deposits in order, and the pool's root is the SDK tree's over their commitments", async () => {
    const signatures = await submitSolanaCorpus(cloak, { to: 8 });
    assert.equal(signatures.length, 8);
    const program = new PublicKey(cloak.deployment.programs.shieldPool);
    const [pool] = poolPda(NATIVE_MINT, program);
    assert.equal(pool.toBase58(), corpus.header.pool);
    const account = await fetchCommitmentTree(cloak.node.connection, treePda(pool, program)[0], { programId: program, commitment: "confirmed" });
    const tree = new MerkleTree(PRODUCTION_TREE_DEPTH, poseidon);
    tree.insertMany(commitmentsOf(corpus.deposits.slice(0, 8)));
    assert.equal(currentRoot(account!.tree), tree.root);
  });
});
