// Writes the indexer's OpenAPI document (services/indexer/openapi.json) from its route schemas, the
// same document a running indexer serves at /openapi.json; the SDK's client types are generated from
// the committed copy (`npm run openapi:sdk`). `--check` compares instead and exits 1 when it is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildOpenApiDocument } from "../src/api/openapi.ts";

const output = fileURLToPath(new URL("../openapi.json", import.meta.url));
const generated = `${JSON.stringify(await buildOpenApiDocument(), null, 2)}\n`;

if (process.argv.includes("--check")) {
  let committed = "";
  try {
    committed = readFileSync(output, "utf8");
  } catch {
    // Missing is stale.
  }
  if (committed !== generated) {
    console.error(`openapi: ${output} is not what the routes generate; run 'npm run openapi --workspace @cloak/indexer' then 'npm run openapi:sdk'`);
    process.exit(1);
  }
  console.log(`openapi: ${output} matches the routes`);
} else {
  writeFileSync(output, generated);
  console.log(`openapi: wrote ${output}`);
}
