import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import ejs from "ejs";

const require = createRequire(import.meta.url);
const SNARKJS_CONTRACT_NAME = "Groth16Verifier";

export function verifierContractName(depth: number): string {
  return `Transaction${depth}Verifier`;
}

function groth16Template(): string {
  // snarkjs' exports map hides package.json; its entry point sits in build/ under the package root.
  const snarkjsRoot = dirname(dirname(require.resolve("snarkjs")));
  return readFileSync(join(snarkjsRoot, "templates", "verifier_groth16.sol.ejs"), "utf8");
}

/**
 * Renders the Solidity verifier for a verification key exactly as `snarkjs zkey export solidityverifier`
 * does, then names the contract after the circuit depth so several verifiers can live in one build.
 * Rendering from the key (not the zkey) lets tests prove that a committed verifier matches its key.
 */
export function renderVerifier(verificationKey: object, depth: number): string {
  const rendered = ejs.render(groth16Template(), verificationKey);
  const declaration = `contract ${SNARKJS_CONTRACT_NAME} {`;
  if (!rendered.includes(declaration)) {
    throw new Error(`the snarkjs verifier template no longer declares '${declaration}'`);
  }
  return rendered.replace(declaration, `contract ${verifierContractName(depth)} {`);
}
