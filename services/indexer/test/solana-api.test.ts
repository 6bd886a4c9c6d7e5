import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { PublicKey } from "@solana/web3.js";
import { IndexerClient, MerkleTree, PRODUCTION_TREE_DEPTH, getPoseidon, toHex32 } from "@cloak/sdk";
import { NATIVE_MINT, SolanaPoolSync, currentRoot, fetchCommitmentTree, fetchTransactedEvents, poolPda, treePda } from "@cloak/sdk/solana";
import { BACKENDS, commitmentsOf, loadSolanaCorpus, publicInputsOfEntry, startSolanaCloak, submitSolanaCorpus, type SolanaCloak } from "@cloak/service-testkit";
import { READY_LAG } from "../src/ingest/ingestor.ts";
import { runCli } from "./support/recovery.ts";
import { eventually, getJson, startIndexer, streamedCommitmentIndices, testDatabase, waitReady, type IndexerProcess, type TestDatabase } from "./support/indexer.ts";

const corpus = loadSolanaCorpus();
const poseidon = await getPoseidon();

/** Hashes a served path from the leaf up, as the circuit does. */
function rootOfPath(leaf: bigint, elements: readonly string[], indices: readonly number[]): bigint {
  return elements.reduce((node, element, level) => (indices[level] === 0 ? poseidon.hash([node, BigInt(element)]) : poseidon.hash([BigInt(element), node])), leaf);
}

for (const backend of BACKENDS) {
  describe(`the indexer's API over the local Solana node (${backend} PostgreSQL)`, () => {
    let cloak: SolanaCloak;
    let dir: string;
    let database: TestDatabase;
    let indexer: IndexerProcess;
    let client: IndexerClient;
    let program: PublicKey;
    let pool: string;
    let signatures: string[];
    const tree = new MerkleTree(PRODUCTION_TREE_DEPTH, poseidon);

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "cloak-indexer-solana-"));
      // Slow slots: deposits sent while the indexer idles land in the slot it last saw as the head.
      cloak = await startSolanaCloak({ tokenMint: null, slotTimeMs: 1000 });
      program = new PublicKey(cloak.deployment.programs.shieldPool);
      pool = poolPda(NATIVE_MINT, program)[0].toBase58();
      signatures = await submitSolanaCorpus(cloak, { to: 8 });
      tree.insertMany(commitmentsOf(corpus.deposits.slice(0, 8)));
      database = await testDatabase(backend);
      // Batches of 4 leaves: the 16 are caught up in several batches, each ending at a slot boundary.
      indexer = await startIndexer({ dir, database, solana: { url: cloak.node.rpcUrl, deployment: cloak.deploymentFile }, config: { merkle: { batch_size: 4 } } });
      client = new IndexerClient(indexer.url);
      await waitReady(indexer);
    });

    after(async () => {
      await indexer?.stop();
      await cloak?.node.stop();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it("lists the SOL pool with its leaves and the root of the chain's newest Transacted event", async () => {
      const events = await fetchTransactedEvents(cloak.node.connection, signatures.at(-1)!, { programId: program, commitment: "confirmed" });
      const newest = events.at(-1)!;
      const account = await fetchCommitmentTree(cloak.node.connection, treePda(new PublicKey(pool), program)[0], { programId: program, commitment: "confirmed" });
      assert.equal(newest.newRoot, currentRoot(account!.tree));
      const [listed] = await client.pools();
      assert.deepEqual(
        { id: listed!.id, chain: listed!.chain, label: listed!.label, trees: listed!.trees, leaves: listed!.leaves, root: listed!.root },
        { id: pool, chain: "solana", label: "sol", trees: 1, leaves: newest.firstLeafIndex + 2, root: toHex32(newest.newRoot) },
      );
      assert.equal(listed!.leaves, 16);
    });

    it("serves the corpus's commitments with their encrypted outputs, in leaf order", async () => {
      const all = [];
      for await (const leaf of client.allCommitments(pool, { limit: 5 })) all.push(leaf);
      assert.deepEqual(all.map((leaf) => BigInt(leaf.commitment)), tree.leaves());
      assert.deepEqual(all.map((leaf) => leaf.index), [...Array(16).keys()]);
      assert.deepEqual(all.map((leaf) => leaf.tx).slice(0, 2), [signatures[0], signatures[0]]);
      assert.ok(all.every((leaf) => leaf.encryptedOutput.length > 2));
    });

    it("serves a path that hashes from its leaf to the pool's root", async () => {
      const served = await client.path(pool, 0, 11);
      assert.equal(served.root, toHex32(tree.root));
      assert.deepEqual(served.pathIndices, [1, 1, 0, 1, ...Array(16).fill(0)]); // 11 = 0b1011, from the leaf up
      assert.equal(rootOfPath(tree.leaves()[11]!, served.pathElements, served.pathIndices), tree.root);
    });

    it("knows every deposit's nullifiers as spent", async () => {
      const served = [];
      for await (const entry of client.allNullifiers(pool)) served.push(BigInt(entry.nullifier));
      const deposited = corpus.deposits.slice(0, 8).flatMap((entry) => publicInputsOfEntry(entry).inputNullifiers);
      assert.deepEqual([...served].sort(), [...deposited].sort());
      const statuses = await client.nullifierStatuses(pool, [deposited[5]!, 12345n]);
      assert.deepEqual(statuses.map((status) => status.spent), [true, false]);
    });

    it("lets SolanaPoolSync start from the indexer, agree with the chain, and find nothing newer to read", async () => {
      const sync = await SolanaPoolSync.fromIndexer(client, cloak.node.connection, NATIVE_MINT, poseidon, { programId: program });
      assert.equal(sync.pool.toBase58(), pool);
      assert.equal(sync.tree.root, tree.root);
      assert.equal(sync.spent.size, 16);
      await sync.sync();
      assert.equal(sync.tree.size, 16);
    });

    // A deposit the indexer skipped would leave the stream waiting: the timeout turns that into a failure.
    it("streams the commitments of deposits sent after it started, resuming from a leaf index", { timeout: 60_000 }, async () => {
      const streamed = streamedCommitmentIndices(client, pool, { tree: 0, fromIndex: 14 }, 6);
      await submitSolanaCorpus(cloak, { from: 8, to: 10 });
      assert.deepEqual(await streamed, [14, 15, 16, 17, 18, 19]);
    });

    it("moves a quiet pool's last slot up to the chain's head, staying ready", async () => {
      const { slot } = await cloak.node.advanceSlots(200);
      const figures = await eventually(async () => {
        const { body } = await getJson(`${indexer.url}/api/v1/health`);
        const entry = (body as { pools: Record<string, { chain: string; last_slot: number; lag: number; leaves: number }> }).pools[pool];
        return entry && entry.last_slot >= slot - 1 ? entry : undefined;
      }, `the pool's last slot at ${slot - 1}`);
      assert.equal(figures.chain, "solana");
      assert.equal(figures.leaves, 20);
      assert.ok(figures.lag <= READY_LAG.solana, `lag ${figures.lag}`);
      assert.equal((await getJson(`${indexer.url}/ready`)).status, 200);
    });

    it("verify-state --against-chain finds the stored leaves' root in the pool's tree account", async () => {
      // The command opens the database itself: the embedded one only once the indexer has let it go.
      assert.deepEqual(await indexer.stop(), { code: 0, signal: null });
      const account = await fetchCommitmentTree(cloak.node.connection, treePda(new PublicKey(pool), program)[0], { programId: program, commitment: "confirmed" });
      const root = toHex32(currentRoot(account!.tree));
      const verified = await runCli(["verify-state", "--against-chain", "--config", indexer.configFile], dir);
      assert.deepEqual([verified.code, verified.errors], [0, []]);
      assert.equal(verified.stdout.length, 1);
      assert.match(verified.stdout[0]!, new RegExp(`^ok solana pool sol \\(${pool}\\): tree 0, 20 leaves, computed root ${root}; chain tree 0 root ${root} at slot \\d+$`));
    });
  });
}
