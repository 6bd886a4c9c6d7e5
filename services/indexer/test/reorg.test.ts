import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Contract, JsonRpcProvider } from "ethers";
import { IndexerClient } from "@cloak/sdk";
import { commitmentsOf, deployEvm, loadEvmCorpus, startHardhatNode, submitEvmCorpus, type EvmDeployment, type HardhatNode } from "@cloak/service-testkit";
import { eventually, startIndexer, testDatabase, waitReady, type IndexerProcess, type TestDatabase } from "./support/indexer.ts";

const corpus = loadEvmCorpus();

describe("an EVM reorg under a running indexer", () => {
  let node: HardhatNode;
  let deployment: EvmDeployment;
  let dir: string;
  let database: TestDatabase;
  let indexer: IndexerProcess;
  let provider: JsonRpcProvider;
  let pool: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "cloak-indexer-reorg-"));
    node = await startHardhatNode();
    deployment = await deployEvm(node.url, dir);
    pool = deployment.pool.toLowerCase();
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
    database = await testDatabase("embedded");
    indexer = await startIndexer({ dir, database, evm: { url: node.url, deployment: deployment.path, chainId: Number(deployment.chainId) } });
  });

  after(async () => {
    await indexer?.stop();
    provider?.destroy();
    await node?.stop();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is rolled back to the common ancestor and the served state follows the new chain", async () => {
    await submitEvmCorpus(node.url, deployment, { to: 2 });
    const fork = (await provider.send("evm_snapshot", [])) as string;
    // The branch that will be dropped: three deposits, indexed.
    await submitEvmCorpus(node.url, deployment, { from: 2, to: 5 });
    const client = new IndexerClient(indexer.url);
    await eventually(async () => ((await client.pool(pool)).leaves === 10 ? true : undefined), "the first branch indexed");
    // The winning branch: other deposits, and more blocks than the dropped one.
    assert.equal(await provider.send("evm_revert", [fork]), true);
    await submitEvmCorpus(node.url, deployment, { from: 5, to: 9 });
    await provider.send("hardhat_mine", ["0x5"]);
    const chainRoot = (await new Contract(deployment.pool, ["function getLastRoot() view returns (bytes32)"], provider).getFunction("getLastRoot")()) as string;
    const served = await eventually(async () => {
      const state = await client.pool(pool);
      return state.root === chainRoot ? state : undefined;
    }, "the indexer to follow the new chain");
    assert.equal(served.leaves, 12);
    const leaves = [];
    for await (const leaf of client.allCommitments(pool)) leaves.push(BigInt(leaf.commitment));
    assert.deepEqual(leaves, commitmentsOf([...corpus.deposits.slice(0, 2), ...corpus.deposits.slice(5, 9)]));
    const metrics = await (await fetch(`${indexer.url}/metrics`)).text();
    assert.match(metrics, /^indexer_reorgs_total\{chain="evm"\} 1$/m);
    // Ready again once the writer has read the new chain to its head (a rollback makes it catch up first).
    assert.equal(await waitReady(indexer), true);
  });
});
