import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { Contract, JsonRpcProvider } from "ethers";
import { MerkleTree, PRODUCTION_TREE_DEPTH, getPoseidon, toHex32 } from "@cloak/sdk";
import { BACKENDS, commitmentsOf, deployEvm, loadEvmCorpus, startHardhatNode, submitEvmCorpus, type EvmDeployment, type HardhatNode } from "@cloak/service-testkit";
import { parse, stringify } from "smol-toml";
import { WRITER_LOCK_KEY } from "../src/ingest/writer-lease.ts";
import { eventually, getJson, startIndexer, testDatabase, waitReady, type IndexerProcess, type TestDatabase } from "./support/indexer.ts";
import { openConfiguredDatabase, runCli, tearDown } from "./support/recovery.ts";

const corpus = loadEvmCorpus();
const poseidon = await getPoseidon();
const POOL_VIEWS = ["function getLastRoot() view returns (bytes32)"];
const LABEL = "ShieldPool.native";
const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

for (const backend of BACKENDS) {
  describe(`the indexer's recovery commands (${backend} PostgreSQL)`, () => {
    let node: HardhatNode;
    let provider: JsonRpcProvider;
    let deployment: EvmDeployment;
    let dir: string;
    let snapshots: string;
    let database: TestDatabase;
    let indexer: IndexerProcess | undefined;
    let config: string;
    let pool: string;
    /** The last block of the first 16 leaves. */
    let block16: number;
    let root16: string;
    const file = (size: number) => join(snapshots, `${pool}-t0-${size}.tree`);
    const cli = (...args: string[]) => runCli([...args, "--config", config], dir);
    const chainRoot = async () => (await new Contract(deployment.pool, POOL_VIEWS, provider).getFunction("getLastRoot")()) as string;
    const start = () => startIndexer({ dir, database, evm: { url: node.url, deployment: deployment.path, chainId: Number(deployment.chainId) }, config: { snapshots: { every_leaves: 0 } } });
    const leaves = async (running: IndexerProcess) => ((await getJson(`${running.url}/api/v1/pools/${pool}`)).body as { leaves: number; root: string });
    const stopIndexer = async () => {
      await indexer?.stop();
      indexer = undefined;
    };

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "cloak-indexer-recovery-"));
      snapshots = join(dir, "snapshots");
      node = await startHardhatNode();
      provider = new JsonRpcProvider(node.url);
      deployment = await deployEvm(node.url, dir);
      pool = deployment.pool.toLowerCase();
      const receipts = await submitEvmCorpus(node.url, deployment, { to: 8 });
      block16 = Math.max(...receipts.map((receipt) => receipt.blockNumber));
      root16 = await chainRoot();
      database = await testDatabase(backend);
      indexer = await start();
      config = indexer.configFile;
      await waitReady(indexer);
      await eventually(async () => ((await leaves(indexer!)).leaves === 16 ? true : undefined), "16 leaves indexed");
      // The commands read the database with the indexer stopped (the embedded database has one owner at a time).
      await stopIndexer();
    });

    after(async () => {
      provider?.destroy();
      await tearDown({ indexer, node, database, dir });
    });

    it("snapshot create writes each tree's snapshot from the database's leaves", async () => {
      const result = await cli("snapshot", "create");
      assert.equal(result.code, 0);
      assert.deepEqual(result.stdout, [`created ${file(16)}: pool ${LABEL} (${pool}) tree 0, 16 leaves, root ${root16}, sha256 ${sha256(file(16))}`]);
    });

    it("snapshot create refuses a pool the database does not have", async () => {
      const result = await cli("snapshot", "create", "--pool", "0xnope");
      assert.equal(result.code, 1);
      assert.deepEqual(result.errors, [`snapshot create: no pool 0xnope in the database (pools: ${LABEL} ${pool})`]);
    });

    it("snapshot list shows each snapshot's pool, tree, size, root, age, file and validity", async () => {
      const result = await cli("snapshot", "list");
      assert.equal(result.code, 0);
      assert.equal(result.stdout[0], "pool\ttree\tsize\troot\tage\tfile\tvalid");
      assert.match(result.stdout[1]!, new RegExp(`^${pool}\\t0\\t16\\t${root16}\\t\\d+s\\t${file(16)}\\tyes$`));
      assert.equal(result.stdout.length, 2);
    });

    it("snapshot verify accepts a valid snapshot", async () => {
      const result = await cli("snapshot", "verify");
      assert.equal(result.code, 0);
      assert.deepEqual(result.stdout, [`ok ${file(16)}: 16 leaves, root ${root16}`]);
    });

    it("snapshot verify --file exits 1 naming a file that does not exist", async () => {
      const missing = join(dir, "none.tree");
      const result = await cli("snapshot", "verify", "--file", missing);
      assert.equal(result.code, 1);
      assert.deepEqual(result.stdout, [`INVALID ${missing}: no such file`]);
      assert.deepEqual(result.errors, [`snapshot verify: 1 of 1 snapshots invalid: ${missing}`]);
    });

    it("find-valid-snapshot --verify-all lists an invalid snapshot and names the newest valid one", async () => {
      // A file named for 18 leaves holding 16, with a checksum that matches it: only its contents give it away.
      copyFileSync(file(16), file(18));
      writeFileSync(`${file(18)}.sha256`, `${sha256(file(18))}  ${pool}-t0-18.tree\n`);
      const result = await cli("find-valid-snapshot", "--verify-all");
      rmSync(file(18));
      rmSync(`${file(18)}.sha256`);
      assert.equal(result.code, 0);
      assert.equal(result.stdout.length, 3);
      assert.equal(result.stdout[0], `invalid: ${file(18)}: holds 16 leaves, its name says 18`);
      assert.match(result.stdout[1]!, new RegExp(`^pool ${pool} tree 0: ${file(16)} \\(16 leaves, root ${root16}, taken \\d+s ago\\)$`));
      assert.equal(result.stdout[2], "2 snapshots checked, 1 invalid");
    });

    it("find-valid-snapshot exits 1 when there is no snapshot", async () => {
      const empty = join(dir, "no-snapshots");
      const other = join(dir, "other.toml");
      writeFileSync(other, stringify({ ...parse(readFileSync(config, "utf8")), snapshots: { dir: empty } }));
      const result = await runCli(["find-valid-snapshot", "--config", other], dir);
      assert.equal(result.code, 1);
      assert.deepEqual(result.errors, [`find-valid-snapshot: no snapshots in ${empty}`]);
    });

    it("verify-state --against-chain agrees with the chain", async () => {
      const result = await cli("verify-state", "--against-chain");
      assert.equal(result.code, 0);
      assert.equal(result.stdout.length, 1);
      assert.match(result.stdout[0]!, new RegExp(`^ok evm pool ${LABEL} \\(${pool}\\): tree 0, 16 leaves, computed root ${root16}; chain tree 0 root ${root16} at block \\d+$`));
    });

    it("verify-state --against-chain exits 1 when a stored commitment was tampered with", async () => {
      const db = await openConfiguredDatabase(config);
      const { rows } = await db.pool.query<{ commitment: string }>("SELECT commitment FROM commitments WHERE pool = $1 AND tree = 0 AND leaf_index = 3", [pool]);
      await db.pool.query("UPDATE commitments SET commitment = $2 WHERE pool = $1 AND tree = 0 AND leaf_index = 3", [pool, toHex32(12345n)]);
      await db.close();
      const result = await cli("verify-state", "--against-chain");
      const repair = await openConfiguredDatabase(config);
      await repair.pool.query("UPDATE commitments SET commitment = $2 WHERE pool = $1 AND tree = 0 AND leaf_index = 3", [pool, rows[0]!.commitment]);
      await repair.close();

      const tampered = new MerkleTree(PRODUCTION_TREE_DEPTH, poseidon);
      tampered.insertMany(commitmentsOf(corpus.deposits.slice(0, 8)).map((leaf, index) => (index === 3 ? 12345n : leaf)));
      const computed = toHex32(tampered.root);
      assert.equal(result.code, 1);
      assert.match(
        result.stdout[0]!,
        new RegExp(
          `^MISMATCH evm pool ${LABEL} \\(${pool}\\): tree 0, 16 leaves, computed root ${computed}; chain tree 0 root ${root16} at block \\d+: the stored leaves hash to ${computed}, but the database recorded ${root16} from the chain; the chain's current root differs$`,
        ),
      );
      assert.deepEqual(result.errors, [`verify-state: root mismatch in 1 of 1 pools: ${LABEL} (${pool})`]);
    });

    it("replay refuses while an indexer runs, saying to stop it first", async () => {
      indexer = await start();
      const result = await cli("replay", "--from", String(block16 + 1));
      assert.equal(result.code, 1);
      const expected =
        backend === "embedded"
          ? `replay: the embedded database ${resolve(String(database.section.embedded_dir))} belongs to running process ${indexer.child.process.pid}; stop it or set DATABASE_URL`
          : `replay: refused: a running indexer holds the writer lease on this database (advisory lock ${WRITER_LOCK_KEY}); stop the indexer (every replica) first, then run replay again`;
      assert.deepEqual(result.errors, [expected]);
      // Two more deposits while it runs: 20 leaves, then a snapshot of them.
      await submitEvmCorpus(node.url, deployment, { from: 8, to: 10 });
      const running = indexer;
      await eventually(async () => ((await leaves(running)).leaves === 20 ? true : undefined), "20 leaves indexed");
      await stopIndexer();
      assert.equal((await cli("snapshot", "create")).code, 0);
    });

    it("replay --from rolls the database back to the block before", async () => {
      const result = await cli("replay", "--from", String(block16 + 1));
      assert.equal(result.code, 0);
      assert.equal(result.stdout.length, 2);
      assert.match(result.stdout[0]!, new RegExp(`^evm pool ${LABEL} \\(${pool}\\): 20 -> 16 commitments, 20 -> 16 nullifiers, cursor block \\d+ -> ${block16}$`));
      assert.equal(result.stdout[1], `rolled back to block ${block16}: the next start re-ingests evm from block ${block16 + 1} (each root checked against the chain's)`);
    });

    it("restore refuses a snapshot holding more leaves than the database", async () => {
      const result = await cli("restore", "--file", file(20));
      assert.equal(result.code, 1);
      assert.deepEqual(result.errors, [
        `restore: refused: ${file(20)} holds 20 leaves of pool ${pool} tree 0, but the database has 16; the database is the source of truth for leaves, so a snapshot cannot stand for leaves it does not hold: start the indexer to ingest past 20 leaves, or restore an older snapshot`,
      ]);
    });

    it("restore installs a valid snapshot for the next start and sets newer ones aside", async () => {
      const result = await cli("restore", "--file", file(16));
      assert.equal(result.code, 0);
      assert.deepEqual(result.stdout, [
        `set aside ${file(20)} -> ${join(snapshots, "set-aside", `${pool}-t0-20.tree`)} (newer than the restored snapshot)`,
        `restored ${file(16)}: pool ${pool} tree 0, 16 leaves, root ${root16}; the next start loads it and appends the 0 stored leaves after it`,
      ]);
    });

    it("a start after replay and restore loads the restored snapshot and re-ingests to the chain's root", async () => {
      indexer = await start();
      const loaded = await indexer.child.waitFor((entry) => typeof entry.msg === "string" && entry.msg.startsWith("tree loaded from snapshot"));
      assert.equal(loaded.msg, `tree loaded from snapshot ${file(16)}; 0 stored leaves after it`);
      await waitReady(indexer);
      const running = indexer;
      const served = await eventually(async () => {
        const current = await leaves(running);
        return current.leaves === 20 ? current : undefined;
      }, "20 leaves re-ingested");
      assert.equal(served.root, await chainRoot());
    });
  });
}
