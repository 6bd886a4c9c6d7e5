import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Contract, JsonRpcProvider } from "ethers";
import { IndexerClient, IndexerError, MerkleTree, PRODUCTION_TREE_DEPTH, PoolSync, getPoseidon, toHex32 } from "@cloak/sdk";
import { BACKENDS, commitmentsOf, deployEvm, loadEvmCorpus, startHardhatNode, submitEvmCorpus, type EvmDeployment, type HardhatNode } from "@cloak/service-testkit";
import { eventually, getJson, startIndexer, streamedCommitmentIndices, testDatabase, waitReady, type IndexerProcess, type TestDatabase } from "./support/indexer.ts";

const corpus = loadEvmCorpus();
const poseidon = await getPoseidon();
const POOL_VIEWS = ["function getLastRoot() view returns (bytes32)"];

for (const backend of BACKENDS) {
  describe(`the indexer's API over a Hardhat node (${backend} PostgreSQL)`, () => {
    let node: HardhatNode;
    let deployment: EvmDeployment;
    let dir: string;
    let database: TestDatabase;
    let indexer: IndexerProcess;
    let client: IndexerClient;
    let pool: string;
    const tree = new MerkleTree(PRODUCTION_TREE_DEPTH, poseidon);

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "cloak-indexer-api-"));
      node = await startHardhatNode();
      deployment = await deployEvm(node.url, dir);
      pool = deployment.pool.toLowerCase();
      await submitEvmCorpus(node.url, deployment, { to: 8 });
      tree.insertMany(commitmentsOf(corpus.deposits.slice(0, 8)));
      database = await testDatabase(backend);
      indexer = await startIndexer({ dir, database, evm: { url: node.url, deployment: deployment.path, chainId: Number(deployment.chainId) } });
      client = new IndexerClient(indexer.url);
      await waitReady(indexer);
    });

    after(async () => {
      await indexer?.stop();
      await node?.stop();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it("lists the deployment's pool with its leaves and the chain's current root", async () => {
      const [listed] = await client.pools();
      const chainRoot = (await new Contract(deployment.pool, POOL_VIEWS, new JsonRpcProvider(node.url)).getFunction("getLastRoot")()) as string;
      assert.deepEqual(
        { id: listed!.id, chain: listed!.chain, label: listed!.label, trees: listed!.trees, leaves: listed!.leaves, root: listed!.root },
        { id: pool, chain: "evm", label: "ShieldPool.native", trees: 1, leaves: 16, root: chainRoot },
      );
    });

    it("serves every commitment with its encrypted output, in leaf order", async () => {
      const page = await client.commitments(pool, { from: 0, limit: 10 });
      assert.equal(page.next, 10);
      const all = [];
      for await (const leaf of client.allCommitments(pool)) all.push(leaf);
      assert.deepEqual(all.map((leaf) => BigInt(leaf.commitment)), tree.leaves());
      assert.deepEqual(all.map((leaf) => leaf.index), [...Array(16).keys()]);
      assert.ok(all.every((leaf) => leaf.encryptedOutput.length > 2));
    });

    it("serves a leaf's path, which the SDK's tree agrees with", async () => {
      const served = await client.path(pool, 0, 5);
      const local = tree.path(5);
      assert.equal(served.root, toHex32(tree.root));
      assert.deepEqual(served.pathElements, local.pathElements.map(toHex32));
      assert.deepEqual(served.pathIndices, [1, 0, 1, 0, ...Array(16).fill(0)]); // 5 = 0b0101, from the leaf up
    });

    it("answers a leaf past the tree's end with 404 naming the tree's size", async () => {
      const refused = await client.path(pool, 0, 16).catch((error: unknown) => error);
      assert.ok(refused instanceof IndexerError);
      assert.equal(refused.code, "NOT_FOUND");
      assert.equal(refused.status, 404);
      assert.match(refused.message, /has 16 leaves; there is no leaf 16/);
    });

    it("refuses a limit out of range with 400 naming the field", async () => {
      const refused = await client.commitments(pool, { limit: 5001 }).catch((error: unknown) => error);
      assert.ok(refused instanceof IndexerError);
      assert.deepEqual([refused.code, refused.status, refused.field], ["BAD_REQUEST", 400, "querystring.limit"]);
    });

    it("answers an unknown pool with 404", async () => {
      const { status, body } = await getJson(`${indexer.url}/api/v1/pools/0x${"ab".repeat(20)}`);
      assert.deepEqual([status, (body as { error: string }).error], [404, "NOT_FOUND"]);
    });

    it("knows the deposits' nullifiers as spent, one by one and in a batch", async () => {
      const set = [];
      for await (const entry of client.allNullifiers(pool)) set.push(entry.nullifier);
      assert.equal(set.length, 16);
      const one = await client.nullifierStatus(pool, set[3]!);
      assert.equal(one.spent, true);
      const statuses = await client.nullifierStatuses(pool, [set[0]!, toHex32(12345n)]);
      assert.deepEqual(statuses.map((s) => s.spent), [true, false]);
    });

    it("serves the nodes of an upper level that hash to the root", async () => {
      const nodes = await client.nodes(pool, 0, 3);
      assert.equal(nodes.size, 16);
      assert.equal(nodes.nodes.length, 2);
      assert.equal(nodes.root, toHex32(tree.root));
    });

    it("lets PoolSync start from the indexer with the chain's root", async () => {
      const provider = new JsonRpcProvider(node.url);
      const sync = await PoolSync.fromIndexer(client, provider, deployment.pool, poseidon);
      assert.equal(sync.tree.root, tree.root);
      provider.destroy();
    });

    it("streams the commitments of new deposits, resuming from a leaf index", async () => {
      const streamed = streamedCommitmentIndices(client, pool, { tree: 0, fromIndex: 14 }, 6);
      await submitEvmCorpus(node.url, deployment, { from: 8, to: 10 });
      assert.deepEqual(await streamed, [14, 15, 16, 17, 18, 19]);
    });

    it("reports its pools, lag and writer role in /health", async () => {
      const health = await eventually(async () => {
        const { body } = await getJson(`${indexer.url}/api/v1/health`);
        const figures = body as { status: string; writer: boolean; pools: Record<string, { last_block: number; leaves: number }> };
        return figures.pools[pool]?.leaves === 20 ? figures : undefined;
      }, "20 leaves in /health");
      assert.equal(health.status, "healthy");
      assert.equal(health.writer, true);
    });
  });
}
