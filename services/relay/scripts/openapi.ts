// Writes the relay's OpenAPI document (services/relay/openapi.json) from its route schemas, the same
// document a running relay serves at /openapi.json; the SDK's RelayerClient types are generated from the
// committed copy (`npm run openapi:sdk`). `--check` compares instead and exits 1 when it is stale.
import { fileURLToPath } from "node:url";
import { writeOpenApiDocument } from "@cloak/service-kit";
import { buildOpenApiDocument } from "../src/api/openapi.ts";

const output = fileURLToPath(new URL("../openapi.json", import.meta.url));
const check = process.argv.includes("--check");
if (!writeOpenApiDocument(await buildOpenApiDocument(), output, check)) {
  console.error(`openapi: ${output} is not what the routes generate; run 'npm run openapi --workspace @cloak/relay' then 'npm run openapi:sdk'`);
  process.exit(1);
}
console.log(check ? `openapi: ${output} matches the routes` : `openapi: wrote ${output}`);
