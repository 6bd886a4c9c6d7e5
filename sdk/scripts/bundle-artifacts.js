// Copies the ceremony's production artifacts into the package (artifacts/transaction_20) so the
// published SDK can prove offline; SHA256SUMS travels with them and is checked on every load.
import { cpSync, existsSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const PRODUCTION_DEPTH = 20;
const source = fileURLToPath(new URL(`../../circuits/artifacts/transaction_${PRODUCTION_DEPTH}/`, import.meta.url));
const target = fileURLToPath(new URL(`../artifacts/transaction_${PRODUCTION_DEPTH}/`, import.meta.url));

if (!existsSync(source)) {
  console.error(`bundle-artifacts: ${source} is missing; run the ceremony export first`);
  process.exit(1);
}
rmSync(target, { recursive: true, force: true });
cpSync(source, target, { recursive: true });
console.log(`bundle-artifacts: copied ${source} -> ${target}`);
