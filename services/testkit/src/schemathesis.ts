import { spawn } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "./paths.ts";

const SCRIPT = join(repoRoot, "scripts", "schemathesis.sh");

/**
 * The contract test (scripts/schemathesis.sh: schemathesis against `<base>/openapi.json`): its exit code
 * and everything it printed (schemathesis reports on stdout, the installer on stderr). `configFile`:
 * a schemathesis.toml (e.g. `[parameters]` fixing a path parameter to something that exists).
 */
export function runSchemathesis(base: string, args: readonly string[] = [], options: { configFile?: string } = {}): Promise<{ code: number | null; output: string }> {
  const env = { ...process.env, ...(options.configFile ? { SCHEMATHESIS_CONFIG: options.configFile } : {}) };
  const child = spawn("bash", [SCRIPT, base, ...args], { stdio: ["ignore", "pipe", "pipe"], env });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, output })));
}
