import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse as parseToml } from "smol-toml";
import { z } from "zod";
import { ConfigError, ConfigErrors, configChanges, generateConfig, loadConfig, redactConfig, type ConfigSpec } from "../src/index.ts";
import { reachableTempDir } from "./support/processes.ts";

const spec: ConfigSpec = {
  service: "example",
  envPrefix: "INDEXER",
  defaultPort: 3001,
  sections: ["server", "database", "solana", "evm", "merkle", "logging"],
};

function refusals(run: () => unknown): Array<Pick<ConfigError, "key" | "value" | "reason">> {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigErrors, `expected ConfigErrors, got ${String(error)}`);
    return error.errors.map(({ key, value, reason }) => ({ key, value, reason }));
  }
  assert.fail("the config was accepted");
}

async function tomlFile(text: string): Promise<string> {
  const file = join(await reachableTempDir("kit-config"), "service.toml");
  await writeFile(file, text);
  return file;
}

describe("config", () => {
  it("reads a service's own variables into its own sections, booleans and numbers included", () => {
    const own = {
      ...spec,
      extra: { workers: z.strictObject({ count: z.number().int().default(10) }).prefault({}), pow: z.strictObject({ enabled: z.boolean().default(false) }).prefault({}) },
      env: [
        { name: "WORKER_COUNT", key: ["workers", "count"], coerce: "number" },
        { name: "POW_ENABLED", key: ["pow", "enabled"], coerce: "boolean" },
      ],
    } satisfies ConfigSpec<{ workers: z.ZodType; pow: z.ZodType }>;
    const { config, fromEnv } = loadConfig(own, { env: { WORKER_COUNT: "4", POW_ENABLED: "TRUE" } });
    assert.deepEqual([config.workers, config.pow], [{ count: 4 }, { enabled: true }]);
    assert.deepEqual([...fromEnv], [["workers.count", "WORKER_COUNT"], ["pow.enabled", "POW_ENABLED"]]);
    assert.deepEqual(refusals(() => loadConfig(own, { env: { POW_ENABLED: "yes" } })), [{ key: "pow.enabled (POW_ENABLED)", value: "yes", reason: "Invalid input: expected boolean, received string" }]);
  });

  it("fills every key with its default when there is neither a file nor an environment", () => {
    const { config } = loadConfig(spec, { env: {} });
    assert.deepEqual(config.server, { port: 3001, host: "127.0.0.1", workers: 8, rate_limit_per_ip: 1000, rate_limit_window: 60_000, cors_origins: [] });
    assert.deepEqual(config.database, { pool_size: 20, timeout: 30_000, max_lifetime: 3_600_000 });
    assert.deepEqual(config.merkle, { depth: 20, batch_size: 1000, cache_size: 10_000, update_interval: 1000 });
    assert.deepEqual(config.logging, { level: "info", format: "json" });
  });

  it("reads the runbook's keys from TOML and lets the runbook's variables override them", async () => {
    const file = await tomlFile(`
[server]
port = 4000
workers = 2
[database]
url = "postgresql://user:pass@db.internal:5432/indexer"
timeout = "5s"
[solana]
rpc_url = "http://127.0.0.1:8899"
retries = 5
`);
    const { config, fromEnv } = loadConfig(spec, {
      file,
      env: { INDEXER_PORT: "4100", INDEXER_LOG_LEVEL: "debug", DATABASE_POOL_SIZE: "7", RPC_TIMEOUT: "2s", EVM_RPC_URLS: "http://a:8545, http://b:8545" },
    });
    assert.equal(config.server.port, 4100);
    assert.equal(config.server.workers, 2);
    assert.equal(config.logging.level, "debug");
    assert.equal(config.database.url, "postgresql://user:pass@db.internal:5432/indexer");
    assert.equal(config.database.pool_size, 7);
    assert.equal(config.database.timeout, 5000);
    assert.equal(config.solana.timeout, 2000);
    assert.equal(config.solana.retries, 5);
    assert.deepEqual(config.evm.rpc_urls, ["http://a:8545", "http://b:8545"]);
    assert.equal(fromEnv.get("server.port"), "INDEXER_PORT");
  });

  it("refuses merkle.depth = 32 (the runbook's) because the circuit is depth 20", async () => {
    const file = await tomlFile("[merkle]\ndepth = 32\n");
    assert.deepEqual(refusals(() => loadConfig(spec, { file, env: {} })), [
      { key: "merkle.depth", value: 32, reason: "the circuit proves membership in a depth-20 tree; a tree of another depth cannot be proven against" },
    ]);
  });

  it("names the variable when the refused value came from the environment", () => {
    assert.deepEqual(refusals(() => loadConfig(spec, { env: { INDEXER_PORT: "eighty", DATABASE_TIMEOUT: "soon" } })), [
      { key: "server.port (INDEXER_PORT)", value: "eighty", reason: "must be a number" },
      { key: "database.timeout (DATABASE_TIMEOUT)", value: "soon", reason: 'not a duration: write a number and a unit, e.g. "30s", "500ms", "1m"' },
    ]);
  });

  it("reports every bad key at once: unknown keys, out-of-range numbers, bad URLs and enums", async () => {
    const file = await tomlFile(`
[server]
port = 70000
prot = 1
[database]
url = "mysql://db/x"
[logging]
format = "xml"
`);
    assert.deepEqual(refusals(() => loadConfig(spec, { file, env: {} })), [
      { key: "server.port", value: 70000, reason: "must be at most 65535" },
      { key: "server.prot", value: 1, reason: "unknown key" },
      { key: "database.url", value: "mysql://db/x", reason: "must be a URL with scheme postgres or postgresql" },
      { key: "logging.format", value: "xml", reason: 'must be "json" or "pretty"' },
    ]);
  });

  it("refuses a file that is not TOML, naming the file and the line", async () => {
    const file = await tomlFile("[server]\nport = = 1\n");
    assert.deepEqual(refusals(() => loadConfig(spec, { file, env: {} })), [{ key: "--config", value: file, reason: "not TOML (line 2, column 8)" }]);
  });

  it("generates a commented file whose keys validate to the defaults", async () => {
    const text = generateConfig(spec);
    assert.match(text, /# tree depth; must be the circuit's, 20\ndepth = 20\n/);
    assert.match(text, /\[database\]\n# PostgreSQL server; unset: an embedded PostgreSQL the service starts in embedded_dir\n# url =\n/);
    parseToml(text);
    assert.deepEqual(loadConfig(spec, { file: await tomlFile(text), env: {} }).config, loadConfig(spec, { env: {} }).config);
  });

  it("redacts URL passwords and query strings when the config is shown or diffed", () => {
    const shown = redactConfig({ database: { url: "postgresql://user:hunter2@db:5432/x" }, solana: { rpc_url: "https://rpc.example/?api-key=abc" }, logging: { level: "info" } });
    assert.deepEqual(shown, {
      database: { url: "postgresql://user:%3Credacted%3E@db:5432/x" },
      solana: { rpc_url: "https://rpc.example/?api-key=%3Credacted%3E" },
      logging: { level: "info" },
    });
    assert.deepEqual(configChanges({ database: { url: "postgresql://u:a@db/x" }, logging: { level: "info" } }, { database: { url: "postgresql://u:b@db2/x" }, logging: { level: "debug" } }), {
      "database.url": { from: "postgresql://u:%3Credacted%3E@db/x", to: "postgresql://u:%3Credacted%3E@db2/x" },
      "logging.level": { from: "info", to: "debug" },
    });
  });
});
