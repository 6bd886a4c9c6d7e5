import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: Hardhat tasks, the circuit artifacts and the localnet binary live there. */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
/** The committed corpus files. */
export const corpusDir = fileURLToPath(new URL("../corpus/", import.meta.url));

// Hardhat exports no path to its CLI; its package.json `bin` names it. Run with this Node (the pinned
// Node 22) rather than through npx.
const hardhatPackage = join(repoRoot, "node_modules", "hardhat");
const { bin } = JSON.parse(readFileSync(join(hardhatPackage, "package.json"), "utf8")) as { bin: { hardhat: string } };
/** Hardhat's CLI entry point. */
export const hardhatCli = join(hardhatPackage, bin.hardhat);
