import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigErrors, loadConfig } from "@cloak/service-kit";
import { RELAY_SPEC } from "../src/config.ts";

const refusals = (env: NodeJS.ProcessEnv) => {
  try {
    loadConfig(RELAY_SPEC, { env });
  } catch (error) {
    assert.ok(error instanceof ConfigErrors);
    return error.errors.map(({ key, value, reason }) => ({ key, value, reason }));
  }
  assert.fail("the config was accepted");
};

describe("the relay's config", () => {
  it("defaults to the runbook's port and the PER runbook's retry schedule", () => {
    const { config } = loadConfig(RELAY_SPEC, { env: {} });
    assert.equal(config.server.port, 3002);
    assert.deepEqual(config.workers, { count: 10, timeout: 300_000, retries: 5, initial_backoff: 1000, backoff_multiplier: 2 });
    assert.equal(config.balance.evm_critical_wei, "100000000000000000");
  });

  it("reads the runbook's relay variables", () => {
    const { config } = loadConfig(RELAY_SPEC, { env: { WORKER_COUNT: "3", POW_ENABLED: "false", COMPUTE_BUDGET_CU: "300000", RELAY_PORT: "4002" } });
    assert.deepEqual([config.workers.count, config.pow.enabled, config.transaction.compute_budget_cu, config.server.port], [3, false, 300_000, 4002]);
  });

  it("refuses jito_enabled = true, saying bundles are not supported", () => {
    assert.deepEqual(refusals({ JITO_ENABLED: "true" }), [
      { key: "transaction.jito_enabled (JITO_ENABLED)", value: true, reason: "Jito bundles are not supported: they cannot be tested without Jito's block engine; set jito_enabled = false" },
    ]);
  });
});
