import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Contract, JsonRpcProvider } from "ethers";
import { IndexerClient } from "@cloak/sdk";
import { BACKENDS, deployEvm, seededRandom, startHardhatNode, submitEvmCorpus, type EvmDeployment, type HardhatNode } from "@cloak/service-testkit";
import { getJson, startIndexer, testDatabase, waitReady, type IndexerSetup, type TestDatabase } from "./support/indexer.ts";

const DEPOSITS = 160;
const KILLS = 20;

/** Everything the API serves about a pool, to compare two indexers' state. */
async function servedState(url: string, pool: string) {
  const client = new IndexerClient(url);
  const commitments = [];
  for await (const leaf of client.allCommitments(pool)) commitments.push(leaf);
  const nullifiers = [];
  for await (const entry of client.allNullifiers(pool)) nullifiers.push(entry);
  const { pool: _id, ...summary } = { pool: "", ...(await client.pool(pool)) };
  const { head: _head, lag: _lag, ...cut } = summary;
  return { cut, commitments, nullifiers, roots: await client.roots(pool, { limit: 1000 }) };
}

for (const backend of BACKENDS) {
  describe(`an indexer killed with SIGKILL during ingest (${backend} PostgreSQL)`, () => {
    let node: HardhatNode;
    let deployment: EvmDeployment;
    let dir: string;
    const databases: TestDatabase[] = [];
    let setup: (database: TestDatabase) => IndexerSetup;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "cloak-indexer-crash-"));
      node = await startHardhatNode();
      deployment = await deployEvm(node.url, dir);
      await submitEvmCorpus(node.url, deployment, { to: DEPOSITS, concurrency: 4 });
      // Small batches: ingest takes many commits, so the kills land between and inside them.
      setup = (database) => ({ dir, database, evm: { url: node.url, deployment: deployment.path, chainId: Number(deployment.chainId) }, config: { merkle: { batch_size: 4 } } });
    });

    after(async () => {
      await node?.stop();
      for (const database of databases) await database.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it(`ends, after ${KILLS} kills at random points, with the state of a clean run and the chain's root`, async () => {
      const pool = deployment.pool.toLowerCase();
      const crashed = await testDatabase(backend);
      databases.push(crashed);
      const bytes = seededRandom("indexer crash test", "kill points");
      const random = { next: () => bytes(4).reduce((value, byte) => value * 256 + byte, 0) / 2 ** 32 };
      const killedAtLeaves: number[] = [];
      for (let kill = 0; kill < KILLS; kill++) {
        const indexer = await startIndexer(setup(crashed));
        // Half the kills at a leaf count, half at a moment after start (start-up, tree loading, a commit).
        if (kill % 2 === 0) {
          const target = Math.floor(((kill + 1) / KILLS) * 2 * DEPOSITS * (0.5 + random.next() / 2));
          for (;;) {
            const { body } = await getJson(`${indexer.url}/health`).catch(() => ({ body: null }));
            const leaves = (body as { pools?: Record<string, { leaves: number }> } | null)?.pools?.[pool]?.leaves ?? 0;
            if (leaves >= target) break;
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
        } else {
          await new Promise((resolve) => setTimeout(resolve, Math.floor(random.next() * 800)));
        }
        const { body } = await getJson(`${indexer.url}/health`).catch(() => ({ body: null }));
        killedAtLeaves.push((body as { pools?: Record<string, { leaves: number }> } | null)?.pools?.[pool]?.leaves ?? -1);
        await indexer.kill();
      }
      const survivor = await startIndexer(setup(crashed));
      await waitReady(survivor);
      const clean = await testDatabase(backend);
      databases.push(clean);
      const reference = await startIndexer({ ...setup(clean), config: {} });
      await waitReady(reference);
      try {
        const [after, expected] = [await servedState(survivor.url, pool), await servedState(reference.url, pool)];
        assert.ok(killedAtLeaves.filter((leaves) => leaves < 2 * DEPOSITS).length >= KILLS / 2, `kills landed during ingest: ${killedAtLeaves.join(", ")}`);
        assert.deepEqual(after, expected);
        assert.equal(after.commitments.length, 2 * DEPOSITS);
        const chainRoot = (await new Contract(deployment.pool, ["function getLastRoot() view returns (bytes32)"], new JsonRpcProvider(node.url)).getFunction("getLastRoot")()) as string;
        assert.equal(after.cut.root, chainRoot);
      } finally {
        await survivor.stop();
        await reference.stop();
      }
    });
  });
}
