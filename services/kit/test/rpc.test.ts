import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, describe, it } from "node:test";
import pino from "pino";
import { BrokenCircuitError, freeLoopbackPort, RpcEndpoints } from "../src/index.ts";

const quiet = pino({ level: "silent" });
const servers: Server[] = [];
after(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

/** A loopback endpoint answering each request with the next status of `statuses` (then 200); -1 never answers. */
async function endpoint(statuses: number[]): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((_request, response) => {
    const status = statuses[requests++] ?? 200;
    if (status === -1) return;
    response.writeHead(status).end(String(status));
  });
  servers.push(server);
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}/`, requests: () => requests };
}

const fetchOk = async (url: string, signal: AbortSignal) => {
  const response = await fetch(url, { signal });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
};

describe("RPC endpoints", () => {
  it("retries a failing call with backoff until it succeeds, within the configured retries", async () => {
    const flaky = await endpoint([500, 503]);
    const rpc = new RpcEndpoints({ name: "evm", urls: [flaky.url], timeoutMs: 5_000, retries: 2, logger: quiet });
    assert.equal(await rpc.call(fetchOk), "200");
    assert.equal(flaky.requests(), 3);
    assert.equal(rpc.health(), "healthy");
  });

  it("gives up after the configured retries with the last error", async () => {
    const failing = await endpoint([500, 500, 500]);
    const rpc = new RpcEndpoints({ name: "evm", urls: [failing.url], timeoutMs: 5_000, retries: 1, logger: quiet });
    await assert.rejects(rpc.call(fetchOk), { message: "HTTP 500" });
    assert.equal(failing.requests(), 2);
  });

  it("moves to the next URL once the first one's circuit opens, and reports degraded", async () => {
    const refused = `http://127.0.0.1:${await freeLoopbackPort()}/`;
    const fallback = await endpoint([]);
    const rpc = new RpcEndpoints({ name: "evm", urls: [refused, fallback.url], timeoutMs: 5_000, retries: 2, breakAfter: 1, logger: quiet });
    assert.equal(await rpc.call(fetchOk), "200");
    assert.equal(fallback.requests(), 1);
    assert.equal(rpc.health(), "degraded");
  });

  it("cuts a hung call at the timeout and reports critical when no endpoint serves", async () => {
    const hung = await endpoint([-1]);
    const rpc = new RpcEndpoints({ name: "solana", urls: [hung.url], timeoutMs: 200, retries: 1, breakAfter: 1, halfOpenAfterMs: 60_000, logger: quiet });
    await assert.rejects(rpc.call(fetchOk), BrokenCircuitError);
    assert.equal(hung.requests(), 1, "the open circuit kept the retry off the hung endpoint");
    assert.equal(rpc.health(), "critical");
  });

  it("spaces attempts to at most maxCallsPerSecond, however many calls are made at once", async () => {
    const arrivals: number[] = [];
    const server = createServer((_request, response) => {
      arrivals.push(Date.now());
      response.writeHead(200).end("200");
    });
    servers.push(server);
    await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const rpc = new RpcEndpoints({ name: "solana", urls: [url], timeoutMs: 5_000, retries: 0, maxCallsPerSecond: 20, logger: quiet });
    await Promise.all(Array.from({ length: 5 }, () => rpc.call(fetchOk)));
    // Five calls at 20 a second: the fifth starts at least 4 × 50 ms after the first.
    assert.equal(arrivals.length, 5);
    assert.ok(arrivals[4]! - arrivals[0]! >= 190, `spread over ${arrivals[4]! - arrivals[0]!} ms`);
  });
});
