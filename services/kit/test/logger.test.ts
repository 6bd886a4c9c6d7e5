import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { createLogger, REDACTED, requestSerializer } from "../src/index.ts";

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(text));
      done();
    },
  });
  const logger = createLogger({ service: "test", version: "0", logging: { level: "info", format: "json" }, destination });
  return { logger, lines };
}

describe("logger", () => {
  it("replaces keys, notes and blindings wherever they sit in a line", () => {
    const { logger, lines } = capture();
    logger.info({ wallet: { spending_key: "0xabc", note: { amount: 5n.toString(), blinding: "0x77" } }, privateKey: "k", pool: "eth" }, "spend");
    assert.deepEqual(lines[0]?.wallet, { spending_key: REDACTED, note: REDACTED });
    assert.equal(lines[0]?.privateKey, REDACTED);
    assert.equal(lines[0]?.pool, "eth");
  });

  it("drops the client address from a line that names a leaf index, nullifier or recipient", () => {
    const { logger, lines } = capture();
    logger.info({ leafIndex: 12, ip: "203.0.113.9" }, "path served");
    logger.info({ request: { remoteAddress: "203.0.113.9" }, nullifier: "0x01" }, "status served");
    logger.child({ clientIp: "203.0.113.9" }).info({ recipient: "0xdead" }, "withdrawal queued");
    assert.deepEqual(
      lines.map(({ msg, ip, request, clientIp }) => ({ msg, ip, request, clientIp })),
      [
        { msg: "path served", ip: undefined, request: undefined, clientIp: undefined },
        { msg: "status served", ip: undefined, request: {}, clientIp: undefined },
        { msg: "withdrawal queued", ip: undefined, request: undefined, clientIp: undefined },
      ],
    );
    assert.ok(lines.every((line) => !JSON.stringify(line).includes("203.0.113.9")));
  });

  it("logs a request by method and route pattern, never its values or the client address", () => {
    assert.deepEqual(requestSerializer({ method: "GET", routeOptions: { url: "/api/v1/pools/:pool/path/:leafIndex" } }), {
      method: "GET",
      route: "/api/v1/pools/:pool/path/:leafIndex",
    });
  });
});
