import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { buildOpenApiDocument } from "../src/api/openapi.ts";

const committed = new URL("../openapi.json", import.meta.url);
const sdkGenerator = new URL("../../../sdk/scripts/openapi.js", import.meta.url).pathname;

test("the committed openapi.json is what the routes generate", async () => {
  assert.deepEqual(JSON.parse(readFileSync(committed, "utf8")), await buildOpenApiDocument());
});

test("the SDK's client types are generated from the committed openapi.json", () => {
  const output = execFileSync(process.execPath, [sdkGenerator, "--check"], { encoding: "utf8" });
  assert.match(output, /matches/);
});

test("every API route declares its 400 and 404 answers", async () => {
  const document = (await buildOpenApiDocument()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
  const missing = Object.entries(document.paths)
    .filter(([path]) => path.startsWith("/api/v1/pools/"))
    .flatMap(([path, methods]) => Object.entries(methods).filter(([, operation]) => !("400" in operation.responses && "404" in operation.responses)).map(([method]) => `${method} ${path}`));
  assert.deepEqual(missing, []);
});
