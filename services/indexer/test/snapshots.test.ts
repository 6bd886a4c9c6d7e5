import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Contract, JsonRpcProvider } from "ethers";
import { BACKENDS, deployEvm, startHardhatNode, submitEvmCorpus, type EvmDeployment, type HardhatNode } from "@cloak/service-testkit";
import { eventually, getJson, startIndexer, testDatabase, waitReady, type IndexerProcess, type TestDatabase } from "./support/indexer.ts";
import { flipByte, runCli, tearDown } from "./support/recovery.ts";

const POOL_VIEWS = ["function getLastRoot() view returns (bytes32)"];

interface PoolFigures {
  leaves: number;
  snapshot_lag: number;
  snapshot_age: number | null;
}

for (const backend of BACKENDS) {
  describe(`the indexer's tree snapshots (${backend} PostgreSQL)`, () => {
    let node: HardhatNode;
    let deployment: EvmDeployment;
    let dir: string;
    let snapshots: string;
    let database: TestDatabase;
    let indexer: IndexerProcess;
    let pool: string;
    const file = (size: number) => join(snapshots, `${pool}-t0-${size}.tree`);
    const start = () =>
      startIndexer({ dir, database, evm: { url: node.url, deployment: deployment.path, chainId: Number(deployment.chainId) }, config: { snapshots: { every_leaves: 4, keep: 3 } } });
    const chainRoot = async () => (await new Contract(deployment.pool, POOL_VIEWS, new JsonRpcProvider(node.url)).getFunction("getLastRoot")()) as string;
    const served = async () => ((await getJson(`${indexer.url}/api/v1/pools/${pool}`)).body as { root: string; leaves: number });
    const figures = async () => ((await getJson(`${indexer.url}/health`)).body as { pools: Record<string, PoolFigures> }).pools[pool]!;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "cloak-indexer-snapshots-"));
      snapshots = join(dir, "snapshots");
      node = await startHardhatNode();
      deployment = await deployEvm(node.url, dir);
      pool = deployment.pool.toLowerCase();
      await submitEvmCorpus(node.url, deployment, { to: 8 });
      database = await testDatabase(backend);
      indexer = await start();
      await waitReady(indexer);
    });

    after(() => tearDown({ indexer, node, database, dir }));

    it("snapshots a tree once it grew by snapshots.every_leaves, with a checksum sha256sum accepts", async () => {
      await eventually(async () => (existsSync(`${file(16)}.sha256`) ? true : undefined), "the 16-leaf snapshot");
      await submitEvmCorpus(node.url, deployment, { from: 8, to: 10 });
      await eventually(async () => (existsSync(`${file(20)}.sha256`) ? true : undefined), "the 20-leaf snapshot");
      assert.deepEqual(readdirSync(snapshots).sort(), [`${pool}-t0-16.tree`, `${pool}-t0-16.tree.sha256`, `${pool}-t0-20.tree`, `${pool}-t0-20.tree.sha256`]);
      const checked = execFileSync("sha256sum", ["-c", `${pool}-t0-20.tree.sha256`], { cwd: snapshots, encoding: "utf8" });
      assert.equal(checked, `${pool}-t0-20.tree: OK\n`);
    });

    it("reports no snapshot lag in /health once the newest snapshot covers every leaf", async () => {
      const pools = await eventually(async () => {
        const current = await figures();
        return current.leaves === 20 && current.snapshot_lag === 0 ? current : undefined;
      }, "snapshot_lag 0 at 20 leaves");
      assert.equal(typeof pools.snapshot_age, "number");
    });

    it("starts from the newest snapshot and serves the chain's root", async () => {
      await indexer.stop();
      indexer = await start();
      const line = await indexer.child.waitFor((entry) => typeof entry.msg === "string" && entry.msg.startsWith("tree loaded from snapshot"));
      assert.equal(line.msg, `tree loaded from snapshot ${file(20)}; 0 stored leaves after it`);
      await waitReady(indexer);
      const pools = await served();
      assert.deepEqual([pools.root, pools.leaves], [await chainRoot(), 20]);
    });

    it("refuses a snapshot with a flipped byte in verify, naming the file, and a start falls back to the older one", async () => {
      await indexer.stop();
      const data = readFileSync(file(20));
      flipByte(file(20), 100);
      const actual = createHash("sha256").update(readFileSync(file(20))).digest("hex");
      const expected = createHash("sha256").update(data).digest("hex");
      const verify = await runCli(["snapshot", "verify", "--config", indexer.configFile], dir);
      assert.equal(verify.code, 1);
      assert.deepEqual(verify.stdout.filter((line) => line.startsWith("INVALID")), [`INVALID ${file(20)}: checksum mismatch: the file's sha256 is ${actual}, ${pool}-t0-20.tree.sha256 says ${expected}`]);
      assert.deepEqual(verify.errors, [`snapshot verify: 1 of 2 snapshots invalid: ${file(20)}`]);

      indexer = await start();
      const skipped = await indexer.child.waitFor((entry) => typeof entry.msg === "string" && entry.msg.startsWith(`snapshot ${file(20)} invalid`));
      assert.equal(skipped.reason, `checksum mismatch: the file's sha256 is ${actual}, ${pool}-t0-20.tree.sha256 says ${expected}`);
      const loaded = await indexer.child.waitFor((entry) => typeof entry.msg === "string" && entry.msg.startsWith("tree loaded from snapshot"));
      assert.equal(loaded.msg, `tree loaded from snapshot ${file(16)}; 4 stored leaves after it`);
      await waitReady(indexer);
      assert.equal((await served()).root, await chainRoot());
    });

    it("rebuilds from the database when no snapshot is valid", async () => {
      await indexer.stop();
      flipByte(file(16), 100);
      indexer = await start();
      const rebuilt = await indexer.child.waitFor((entry) => typeof entry.msg === "string" && entry.msg.startsWith("no valid snapshot"));
      assert.equal(rebuilt.msg, `no valid snapshot of pool ${pool} tree 0: rebuilding it from the database`);
      await waitReady(indexer);
      assert.equal((await served()).root, await chainRoot());
    });
  });
}
