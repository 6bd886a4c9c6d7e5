import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BACKENDS, Child, EXAMPLE_SERVICE, freePort, freshServerDatabase, reachableTempDir, runTs, type LogLine } from "./support/processes.ts";

const DEPTH_REFUSAL = "merkle.depth = 32: the circuit proves membership in a depth-20 tree; a tree of another depth cannot be proven against";

const WALLET_ORIGIN = "https://wallet.example";

/** The example's config file: one request at a time, a short database timeout, one CORS origin. */
function configText(port: number, extra: { server?: string; tail?: string } = {}): string {
  return `[server]\nport = ${port}\nworkers = 1\ncors_origins = ["${WALLET_ORIGIN}"]\n${extra.server ?? ""}[database]\ntimeout = "2s"\n${extra.tail ?? ""}`;
}

/** The next line with this message written after now (earlier ones do not count). */
function nextMessage(child: Child, msg: string): Promise<LogLine> {
  const seen = child.lines.length;
  return child.waitFor((line) => line.msg === msg && child.lines.indexOf(line) >= seen);
}

for (const backend of BACKENDS) {
  describe(`the example service on ${backend === "embedded" ? "the embedded default" : "the PostgreSQL server in DATABASE_URL"}`, () => {
    let dir: string;
    let configFile: string;
    let port: number;
    let base: string;
    let service: Child;
    let dropServerDatabase: (() => Promise<void>) | undefined;
    const get = (path: string) => fetch(`${base}${path}`);
    const post = (path: string, body: unknown) => fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

    before(async () => {
      dir = await reachableTempDir("kit-example");
      port = await freePort();
      base = `http://127.0.0.1:${port}`;
      configFile = join(dir, "example.toml");
      await writeFile(configFile, configText(port));
      const env: NodeJS.ProcessEnv = {};
      if (backend === "server") {
        const fresh = await freshServerDatabase(process.env.DATABASE_URL!);
        env.DATABASE_URL = fresh.url;
        dropServerDatabase = fresh.drop;
      }
      // No embedded_dir and cwd = dir: the embedded default lands in dir/.data/example/postgres.
      service = runTs(EXAMPLE_SERVICE, ["start", "--config", configFile], { cwd: dir, env });
      await service.waitForMessage("example: started");
    });
    after(async () => {
      if (service.process.exitCode === null && service.process.signalCode === null) {
        service.process.kill("SIGTERM");
        await service.exited;
      }
      await dropServerDatabase?.();
    });

    it("answers /health and /api/v1/health with status, uptime, version, services, usage and its own figures", async () => {
      for (const path of ["/health", "/api/v1/health"]) {
        const response = await get(path);
        assert.equal(response.status, 200);
        const body = (await response.json()) as Record<string, unknown>;
        assert.deepEqual(Object.keys(body).sort(), ["cpu_usage", "in_flight", "memory_usage", "services", "status", "uptime", "version"]);
        assert.equal(body.status, "healthy");
        assert.equal(body.version, "0.1.0");
        assert.deepEqual(body.services, { database: "healthy", rpc: {}, metrics: "healthy" });
        assert.equal(typeof body.uptime, "number");
        assert.ok((body.memory_usage as number) > 0);
        assert.equal(body.in_flight, 0);
      }
    });

    it("answers /ready and /live with 200", async () => {
      const ready = await get("/ready");
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { ready: true, reasons: [] });
      const live = await get("/live");
      assert.equal(live.status, 200);
      assert.deepEqual(await live.json(), { alive: true });
    });

    it("stores and serves an entry, and refuses bad input with a 400 naming the field", async () => {
      const created = await post("/api/v1/entries", { body: "first" });
      assert.equal(created.status, 201);
      const entry = (await created.json()) as { id: string; body: string };
      assert.equal(entry.body, "first");
      const read = await get(`/api/v1/entries/${entry.id}`);
      assert.deepEqual(await read.json(), entry);

      const missing = await post("/api/v1/entries", { text: "first" });
      assert.equal(missing.status, 400);
      assert.deepEqual(await missing.json(), { error: "BAD_REQUEST", field: "body.body", message: "body must have required property 'body'" });
      const badId = await get("/api/v1/entries/abc");
      assert.equal(badId.status, 400);
      assert.deepEqual(await badId.json(), { error: "BAD_REQUEST", field: "params.id", message: 'params/id must match pattern "^[0-9]{1,18}$"' });
    });

    it("serves Prometheus text at /metrics and /metrics/prometheus, with pool connections and request timings", async () => {
      for (const path of ["/metrics", "/metrics/prometheus"]) {
        const response = await get(path);
        assert.equal(response.status, 200);
        assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
        const text = await response.text();
        assert.match(text, /^database_connections_active \d+$/m);
        assert.match(text, /^http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/entries",status_code="201"\} 1$/m);
        assert.match(text, /^process_resident_memory_bytes \d+$/m);
      }
    });

    it("serves an OpenAPI document generated from the route schemas", async () => {
      const document = (await (await get("/openapi.json")).json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { required: string[] } }> } }>> };
      assert.equal(document.openapi, "3.1.0");
      for (const path of ["/health", "/api/v1/health", "/ready", "/live", "/metrics", "/api/v1/entries", "/api/v1/entries/{id}"]) assert.ok(document.paths[path], `${path} is documented`);
      assert.deepEqual(document.paths["/api/v1/entries"]?.post?.requestBody?.content["application/json"]?.schema.required, ["body"]);
    });

    it("never writes the client address into a line that names a leaf index, nor into request lines", async () => {
      const logged = nextMessage(service, "leaf requested");
      assert.equal((await get("/api/v1/leaves/5")).status, 200);
      const line = await logged;
      assert.equal(line.leafIndex, 5);
      assert.equal(line.ip, undefined);
      const requestLines = service.lines.filter((each) => each.req !== undefined);
      assert.ok(requestLines.some((each) => JSON.stringify(each.req) === JSON.stringify({ method: "GET", route: "/api/v1/leaves/:leafIndex" })));
      for (const each of [...requestLines, ...service.lines.filter((l) => "leafIndex" in l)]) assert.ok(!JSON.stringify(each).includes("127.0.0.1"), JSON.stringify(each));
    });

    it("answers browsers from its configured origin with CORS headers, and no other", async () => {
      const allowed = await fetch(`${base}/api/v1/entries/1`, { headers: { origin: WALLET_ORIGIN } });
      assert.equal(allowed.headers.get("access-control-allow-origin"), WALLET_ORIGIN);
      const other = await fetch(`${base}/api/v1/entries/1`, { headers: { origin: "https://elsewhere.example" } });
      assert.equal(other.headers.get("access-control-allow-origin"), null);
    });

    it("serves [server] workers requests at a time, and answers probes while the rest wait", async () => {
      const firstStarted = nextMessage(service, "slow request started");
      const first = get("/api/v1/slow?ms=400");
      await firstStarted;
      const secondStarted = nextMessage(service, "slow request started");
      const second = get("/api/v1/slow?ms=10");
      assert.equal((await get("/health")).status, 200);
      await Promise.all([first, second]);
      assert.equal((await secondStarted).inFlight, 1, "the second request started only after the first finished");
    });

    if (backend === "embedded") {
      it("answers /ready 503 and /health critical while its database does not answer, and recovers", async () => {
        const server = (service.lines.findLast((line) => line.msg === "embedded database: started" || line.msg === "embedded database: restarted")?.pid) as number;
        // The server and its backends (one per pooled connection), frozen: connections open, nothing answers.
        const frozen = [server, ...execFileSync("pgrep", ["-P", String(server)], { encoding: "utf8" }).split("\n").filter(Boolean).map(Number)];
        for (const pid of frozen) process.kill(pid, "SIGSTOP");
        try {
          const ready = await get("/ready");
          assert.equal(ready.status, 503);
          assert.deepEqual(await ready.json(), { ready: false, reasons: ["database unavailable"] });
          const health = await get("/health");
          assert.equal(health.status, 503);
          const body = (await health.json()) as { status: string; services: { database: string } };
          assert.deepEqual([body.status, body.services.database], ["critical", "critical"]);
        } finally {
          for (const pid of frozen) process.kill(pid, "SIGCONT");
        }
        assert.equal((await get("/ready")).status, 200);
      });

      it("restarts its embedded server after a kill -9, with every committed entry kept", async () => {
        const created = (await (await post("/api/v1/entries", { body: "before the crash" })).json()) as { id: string };
        const server = (service.lines.findLast((line) => line.msg === "embedded database: started" || line.msg === "embedded database: restarted")?.pid) as number;
        const restarted = nextMessage(service, "embedded database: restarted");
        process.kill(server, "SIGKILL");
        assert.notEqual((await restarted).pid, server);
        assert.equal((await get("/ready")).status, 200);
        assert.deepEqual(await (await get(`/api/v1/entries/${created.id}`)).json(), { id: created.id, body: "before the crash" });
        assert.equal((await post("/api/v1/entries", { body: "after the crash" })).status, 201);
      });
    }

    it("on SIGHUP reloads the log level and the rate limit, logs what changed and what needs a restart", async () => {
      await writeFile(configFile, configText(1, { server: `rate_limit_per_ip = 2\nrate_limit_window = "10m"\n`, tail: `[logging]\nlevel = "debug"\n` }));
      const reloaded = nextMessage(service, "config reloaded");
      service.process.kill("SIGHUP");
      const line = await reloaded;
      assert.deepEqual(line.changed, {
        "server.port": { from: port, to: 1 },
        "server.rate_limit_per_ip": { from: 1000, to: 2 },
        "server.rate_limit_window": { from: 60_000, to: 600_000 },
        "logging.level": { from: "info", to: "debug" },
      });
      assert.deepEqual(line.needRestart, ["server.port"]);

      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await get("/api/v1/entries/1")).status);
      assert.equal(statuses.at(-1), 429, `statuses ${statuses.join(",")}`);
      assert.equal((await get("/health")).status, 200, "probes are never rate limited");
      assert.ok(service.lines.some((each) => each.level === 20 && each.msg === "rate limit exceeded"), "debug lines appear after the reload");
    });

    it("on SIGHUP with an invalid file keeps the running config and logs the refusal", async () => {
      await writeFile(configFile, configText(port, { tail: "[merkle]\ndepth = 32\n" }));
      const refused = nextMessage(service, "reload refused: config invalid, the running config stays");
      service.process.kill("SIGHUP");
      assert.deepEqual((await refused).refused, [DEPTH_REFUSAL]);
      await writeFile(configFile, configText(port));
      const restored = nextMessage(service, "config reloaded");
      service.process.kill("SIGHUP");
      assert.deepEqual(Object.keys((await restored).changed as object).sort(), ["logging.level", "server.rate_limit_per_ip", "server.rate_limit_window"]);
    });

    it("on SIGTERM finishes the request in flight, closes the database and exits 0", async () => {
      const started = nextMessage(service, "slow request started");
      const slow = get("/api/v1/slow?ms=1500");
      await started;
      service.process.kill("SIGTERM");
      const response = await slow;
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { waited: 1500 });
      assert.deepEqual(await service.exited, { code: 0, signal: null });
      const messages = service.lines.map((each) => each.msg);
      const order = ["example: stopping", "example: work finished", ...(backend === "embedded" ? ["embedded database: stopped"] : []), "example: stopped"];
      assert.deepEqual(messages.filter((msg) => order.includes(msg as string)), order);
    });
  });
}

describe("the example service's command line", () => {
  let dir: string;
  before(async () => {
    dir = await reachableTempDir("kit-cli");
  });
  const cli = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const child = runTs(EXAMPLE_SERVICE, args, { cwd: dir, env });
    const { code } = await child.exited;
    return { code, stdout: child.stdoutText.join("\n"), stderr: child.stderr, lines: child.lines };
  };

  it("config validate refuses merkle.depth = 32 naming key, value and reason, and exits 2", async () => {
    const file = join(dir, "depth.toml");
    await writeFile(file, "[merkle]\ndepth = 32\n");
    const result = await cli(["config", "validate", "--config", file]);
    assert.deepEqual({ code: result.code, stderr: result.stderr }, { code: 2, stderr: `invalid config: ${DEPTH_REFUSAL}\n` });
  });

  it("config generate writes a file that config validate accepts, and will not overwrite it", async () => {
    const file = join(dir, "generated.toml");
    assert.equal((await cli(["config", "generate", "--output", file])).code, 0);
    assert.match(await readFile(file, "utf8"), /^\[merkle\]$/m);
    assert.deepEqual(await cli(["config", "validate", "--config", file]), { code: 0, stdout: `config valid: ${file}`, stderr: "", lines: [] });
    const again = await cli(["config", "generate", "--output", file]);
    assert.deepEqual({ code: again.code, stderr: again.stderr }, { code: 1, stderr: `${file} exists; pass --force to overwrite\n` });
  });

  it("config show prints the effective config with the database password redacted", async () => {
    const result = await cli(["config", "show"], { DATABASE_URL: "postgresql://cloak:s3cret@db.internal:5432/example", EXAMPLE_PORT: "4321" });
    assert.equal(result.code, 0);
    const shown = JSON.parse(result.stdout) as { server: { port: number }; database: { url: string } };
    assert.equal(shown.server.port, 4321);
    assert.equal(shown.database.url, "postgresql://cloak:%3Credacted%3E@db.internal:5432/example");
    assert.ok(!result.stdout.includes("s3cret"));
  });

  it("start --dry-run validates, starts and reaches the embedded database, prints the plan and exits 0", async () => {
    const result = await cli(["start", "--dry-run"], { EXAMPLE_PORT: "4322" });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.split("\n").filter((text) => !text.startsWith("{")), [
      "config valid (defaults and environment)",
      "database reachable: true",
      "would apply pending migrations",
      "would listen on 127.0.0.1:4322",
    ]);
  });

  it("logs a failed start (its port is taken) and exits 1", async () => {
    const taken = createServer();
    await new Promise<void>((listening) => taken.listen(0, "127.0.0.1", listening));
    try {
      const result = await cli(["start"], { EXAMPLE_PORT: String((taken.address() as { port: number }).port) });
      assert.equal(result.code, 1);
      const fatal = result.lines.find((line) => line.level === 60);
      assert.equal(fatal?.msg, "example: start failed");
      assert.equal((fatal?.err as { code: string }).code, "EADDRINUSE");
    } finally {
      taken.close();
    }
  });

  it("logs an uncaught error and exits 1", async () => {
    const result = await cli(["start"], { EXAMPLE_PORT: String(await freePort()), EXAMPLE_FAIL_AFTER_START: "1" });
    assert.equal(result.code, 1);
    const fatal = result.lines.find((line) => line.level === 60);
    assert.equal(fatal?.msg, "uncaught error");
    assert.equal((fatal?.err as { message: string }).message, "example failure after start");
  });
});
