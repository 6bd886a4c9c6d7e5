import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Contract, JsonRpcProvider } from "ethers";
import { IndexerClient } from "@cloak/sdk";
import { deployEvm, startHardhatNode, submitEvmCorpus, type EvmDeployment, type HardhatNode } from "@cloak/service-testkit";
import { eventually, getJson, sharedDatabase, startIndexer, waitReady, type IndexerProcess, type SharedDatabase } from "./support/indexer.ts";

interface Health {
  writer: boolean;
  pools: Record<string, { leaves: number }>;
}

describe("two indexer replicas on one database", () => {
  let node: HardhatNode;
  let deployment: EvmDeployment;
  let dir: string;
  let database: SharedDatabase;
  let first: IndexerProcess;
  let second: IndexerProcess;
  let pool: string;
  const health = async (indexer: IndexerProcess) => (await getJson(`${indexer.url}/health`)).body as Health;
  const chainRoot = async () => (await new Contract(deployment.pool, ["function getLastRoot() view returns (bytes32)"], new JsonRpcProvider(node.url)).getFunction("getLastRoot")()) as string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "cloak-indexer-replicas-"));
    node = await startHardhatNode();
    deployment = await deployEvm(node.url, dir);
    pool = deployment.pool.toLowerCase();
    await submitEvmCorpus(node.url, deployment, { to: 4 });
    database = await sharedDatabase();
    const evm = { url: node.url, deployment: deployment.path, chainId: Number(deployment.chainId) };
    first = await startIndexer({ dir, database, evm });
    await waitReady(first);
    second = await startIndexer({ dir, database, evm });
    await waitReady(second);
  });

  after(async () => {
    await first?.kill();
    await second?.stop();
    await node?.stop();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lets exactly one of them ingest", async () => {
    const roles = [(await health(first)).writer, (await health(second)).writer];
    assert.deepEqual(roles, [true, false]);
  });

  it("has the follower serve and stream what the writer ingests", async () => {
    const controller = new AbortController();
    const streamed: number[] = [];
    const stream = (async () => {
      for await (const event of new IndexerClient(second.url).events(pool, { signal: controller.signal })) {
        if (event.type === "commitment") streamed.push(event.data.index);
        if (streamed.length === 4) controller.abort();
      }
    })();
    await submitEvmCorpus(node.url, deployment, { from: 4, to: 6 });
    await stream;
    assert.deepEqual(streamed, [8, 9, 10, 11]);
    const served = await new IndexerClient(second.url).pool(pool);
    assert.deepEqual([served.leaves, served.root], [12, await chainRoot()]);
  });

  it("hands ingest to the follower within seconds when the writer is killed", async () => {
    await first.kill();
    await submitEvmCorpus(node.url, deployment, { from: 6, to: 8 });
    const took = await eventually(async () => {
      const figures = await health(second);
      return figures.writer && figures.pools[pool]?.leaves === 16 ? figures : undefined;
    }, "the follower to take over and index 16 leaves", 15_000);
    assert.equal(took.writer, true);
    assert.equal((await new IndexerClient(second.url).pool(pool)).root, await chainRoot());
  });
});
