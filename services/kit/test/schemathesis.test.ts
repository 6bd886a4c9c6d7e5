/**
 * The contract test (scripts/schemathesis.sh) against the example service on the embedded database:
 * what a real service inherits from the kit passes it, and a route breaking its own schema fails it.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runSchemathesis } from "@cloak/service-testkit";
import { Child, EXAMPLE_SERVICE, freePort, reachableTempDir, runTs } from "./support/processes.ts";

/** /api/v1/slow waits as long as it is asked (up to 20 s a request): a fixture for the workers gate, not an API. */
const schemathesis = (base: string, args: string[]) => runSchemathesis(base, ["--exclude-path", "/api/v1/slow", ...args]);

/** The example service on its embedded database, rate limit out of the way so every case reaches a handler. */
async function startExample(env: NodeJS.ProcessEnv): Promise<{ base: string; service: Child }> {
  const dir = await reachableTempDir("kit-schemathesis");
  const port = await freePort();
  const configFile = join(dir, "example.toml");
  await writeFile(configFile, `[server]\nport = ${port}\nrate_limit_per_ip = 1000000\n`);
  const service = runTs(EXAMPLE_SERVICE, ["start", "--config", configFile], { cwd: dir, env });
  await service.waitForMessage("example: started");
  return { base: `http://127.0.0.1:${port}`, service };
}

async function stop(service: Child | undefined): Promise<void> {
  if (!service || service.process.exitCode !== null || service.process.signalCode !== null) return;
  service.process.kill("SIGTERM");
  await service.exited;
}

describe("schemathesis against the example service's /openapi.json", () => {
  let base: string;
  let service: Child | undefined;
  before(async () => ({ base, service } = await startExample({})));
  after(() => stop(service));

  it("finds no server error and no status, content type or body outside the document, and exits 0", async () => {
    const { code, output } = await schemathesis(base, []);
    assert.equal(code, 0, output);
    assert.match(output, /No issues found/);
  });

  it("documents the kit's own answers: a 400 where a route validates its input, a 413 where it takes a body, a 429 where the rate limit applies", async () => {
    const document = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    const statuses = (path: string, method: string) => Object.keys(document.paths[path]?.[method]?.responses ?? {});
    assert.deepEqual(statuses("/api/v1/leaves/{leafIndex}", "get"), ["200", "400", "429"]);
    assert.deepEqual(statuses("/api/v1/entries", "post"), ["201", "400", "413", "429"]);
    assert.deepEqual(statuses("/ready", "get"), ["200", "503"], "ops endpoints are never rate limited");
  });

  it("refuses a body over the route's limit with a 413 naming the limit", async () => {
    const response = await fetch(`${base}/api/v1/entries`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ body: "x".repeat(1_048_576) }) });
    assert.equal(response.status, 413);
    assert.deepEqual(await response.json(), { error: "BODY_TOO_LARGE", field: "body", message: "body: larger than this route's limit of 1048576 bytes" });
  });

  it("refuses text PostgreSQL cannot hold (a NUL character) with a 400, not a 500", async () => {
    const response = await fetch(`${base}/api/v1/entries`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ body: "a\u0000b" }) });
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), { error: "BAD_REQUEST", message: "text cannot contain the NUL character (U+0000)" });
  });
});

describe("schemathesis against a service whose route breaks its declared response schema", () => {
  let base: string;
  let service: Child | undefined;
  before(async () => ({ base, service } = await startExample({ EXAMPLE_BREAK_CONTRACT: "1" })));
  after(() => stop(service));

  it("exits 1 naming the route, the check and the violation", async () => {
    const { code, output } = await schemathesis(base, []);
    assert.equal(code, 1, output);
    assert.match(output, /_ GET \/api\/v1\/broken _/);
    assert.match(output, /- ST108 Response violates schema\n\n {4}-1 is less than the minimum of 0\n/);
    assert.match(output, /Failures:\n {2}❌ ST108 Response violates schema: 1\n\n/, "the only failure");
  });
});
