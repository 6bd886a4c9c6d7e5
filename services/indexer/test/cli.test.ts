import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { stringify } from "smol-toml";
import { deployEvm, runTs, startHardhatNode, type EvmDeployment, type HardhatNode } from "@cloak/service-testkit";
import { INDEXER_MAIN, testDatabase, type TestDatabase } from "./support/indexer.ts";

/** Runs `cloak-indexer <args>` to its exit. */
async function cli(dir: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = runTs(INDEXER_MAIN, args, { cwd: dir });
  const { code } = await child.exited;
  return { code, stdout: child.stdoutText.join("\n"), stderr: child.stderr };
}

describe("the cloak-indexer command line", () => {
  let node: HardhatNode;
  let deployment: EvmDeployment;
  let dir: string;
  let database: TestDatabase;
  const configFile = (name: string, config: Record<string, Record<string, unknown>>) => {
    const file = join(dir, name);
    writeFileSync(file, stringify({ database: database.section, ...config }));
    return file;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "cloak-indexer-cli-"));
    node = await startHardhatNode();
    deployment = await deployEvm(node.url, dir);
    database = await testDatabase("embedded");
  });

  after(async () => {
    await node?.stop();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses merkle.depth = 32 naming the key, the value and the circuit's depth", async () => {
    const { code, stderr } = await cli(dir, ["config", "validate", "--config", configFile("depth.toml", { merkle: { depth: 32 } })]);
    assert.equal(code, 2);
    assert.match(stderr, /^invalid config: merkle\.depth = 32: the circuit proves membership in a depth-20 tree; a tree of another depth cannot be proven against$/m);
  });

  it("generates a config with the indexer's sections, its snapshots included", async () => {
    const { code, stdout } = await cli(dir, ["config", "generate"]);
    assert.equal(code, 0);
    for (const section of ["[server]", "[database]", "[evm]", "[solana]", "[merkle]", "[logging]", "[snapshots]"]) assert.ok(stdout.includes(section), section);
    assert.match(stdout, /^port = 3001$/m);
    assert.match(stdout, /^every_leaves = 10000$/m);
  });

  it("says in a dry run which pools it would index from which block, and exits 0", async () => {
    const file = configFile("dry.toml", { evm: { rpc_urls: [node.url], deployment: deployment.path, confirmations: 0 } });
    const { code, stdout } = await cli(dir, ["start", "--dry-run", "--config", file]);
    assert.equal(code, 0);
    assert.match(stdout, new RegExp(`^would index evm pool ShieldPool\\.native \\(${deployment.pool.toLowerCase()}\\) from block ${deployment.poolDeployBlock}$`, "m"));
    assert.match(stdout, /^evm: RPC reachable, head \d+$/m);
  });

  it("refuses to start on a deployment record of another chain than evm.chain_id", async () => {
    const file = configFile("chain.toml", { evm: { rpc_urls: [node.url], deployment: deployment.path, chain_id: 1 } });
    const { code, stdout } = await cli(dir, ["start", "--config", file]);
    assert.equal(code, 1);
    assert.ok(stdout.includes(`evm.deployment = \\"${deployment.path}\\" is for chain 31337, but evm.chain_id = 1`), stdout.slice(-1500));
  });

  it("refuses to start with nothing to index and says how to deploy", async () => {
    const { code, stdout } = await cli(dir, ["start", "--config", configFile("empty.toml", {})]);
    assert.equal(code, 1);
    assert.ok(stdout.includes("no deployment to index: set evm.deployment and/or solana.deployment"), stdout.slice(-1500));
  });
});
