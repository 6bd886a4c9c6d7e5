import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { buildOpenApiDocument } from "../src/api/openapi.ts";

test("the committed openapi.json is what the relay's routes generate", async () => {
  assert.deepEqual(JSON.parse(readFileSync(new URL("../openapi.json", import.meta.url), "utf8")), await buildOpenApiDocument());
});
