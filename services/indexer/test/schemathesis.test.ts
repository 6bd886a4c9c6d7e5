import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { deployEvm, runSchemathesis, startHardhatNode, submitEvmCorpus, type EvmDeployment, type HardhatNode } from "@cloak/service-testkit";
import { startIndexer, testDatabase, waitReady, type IndexerProcess, type TestDatabase } from "./support/indexer.ts";

describe("schemathesis against the indexer's /openapi.json", () => {
  let node: HardhatNode;
  let deployment: EvmDeployment;
  let dir: string;
  let database: TestDatabase;
  let indexer: IndexerProcess;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "cloak-indexer-schemathesis-"));
    node = await startHardhatNode();
    deployment = await deployEvm(node.url, dir);
    await submitEvmCorpus(node.url, deployment, { to: 4 });
    database = await testDatabase("embedded");
    // The rate limit out of the way, so every generated case reaches a handler.
    indexer = await startIndexer({ dir, database, evm: { url: node.url, deployment: deployment.path, chainId: Number(deployment.chainId) }, config: { server: { rate_limit_per_ip: 1_000_000 } } });
    await waitReady(indexer);
  });

  after(async () => {
    await indexer?.stop();
    await node?.stop();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("finds no server error and nothing outside the document, with cases on the deployed pool", async () => {
    // Generated pool ids would only ever meet 404s: fix the pool, let everything else vary.
    const configFile = join(dir, "schemathesis.toml");
    writeFileSync(configFile, `[parameters]\n"path.pool" = "${deployment.pool.toLowerCase()}"\n`);
    // The event stream never ends by itself: its contract is tested in evm-api.test.ts.
    const { code, output } = await runSchemathesis(indexer.url, ["--exclude-path", "/api/v1/pools/{pool}/events"], { configFile });
    assert.equal(code, 0, output);
    assert.match(output, /No issues found/);
    // The fixed pool was used: paths of its real leaves were served.
    const metrics = await (await fetch(`${indexer.url}/metrics`)).text();
    assert.match(metrics, /^proof_requests_total\{status="ok"\} [1-9]/m);
  });
});
