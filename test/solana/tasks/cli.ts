// Runs `hardhat solana:<command> -u <node> [-k <keypair file>] ...` in a child process, as an operator types
// it, against a local node and a deployments folder of the test's own.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keypair, LAMPORTS_PER_SOL } from "@solana/web3.js";
import { repoRoot } from "../../support/fixtures.ts";
import type { Localnet } from "../../../localnet/launcher.ts";

/** The `hardhat` bin of the package (its exports map does not expose the file to resolve()). */
const hardhatCli = join(repoRoot, "node_modules", "hardhat", "dist", "src", "cli.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A workspace for one suite: a deployments folder and keypair files. */
export interface Operator {
  node: Localnet;
  dir: string;
  deployments: string;
  /** `hardhat <command> -u <node url> [args]`, the deployment file read from this operator's folder. */
  run(command: string, args?: string[]): Promise<CliResult>;
  /** Writes `keypair` as a solana CLI keypair file and returns its path. */
  keypairFile(name: string, keypair: Keypair): string;
  /** A new keypair holding `sol` SOL by airdrop, confirmed by polling over HTTP (no WebSocket is left open). */
  funded(sol?: number): Promise<Keypair>;
}

export function operator(node: Localnet): Operator {
  const dir = mkdtempSync(join(tmpdir(), "cloak-solana-tasks-"));
  const deployments = join(dir, "deployments");
  return {
    node,
    dir,
    deployments,
    run: (command, args = []) => runHardhat([command, "-u", node.rpcUrl, ...args], { CLOAK_DEPLOYMENTS_DIR: deployments }),
    keypairFile(name, keypair) {
      const path = join(dir, `${name}.json`);
      writeFileSync(path, JSON.stringify(Array.from(keypair.secretKey)));
      return path;
    },
    async funded(sol = 10) {
      const keypair = Keypair.generate();
      const signature = await node.connection.requestAirdrop(keypair.publicKey, sol * LAMPORTS_PER_SOL);
      for (;;) {
        const status = (await node.connection.getSignatureStatuses([signature])).value[0];
        if (status?.err) throw new Error(`airdrop ${signature} failed: ${JSON.stringify(status.err)}`);
        if (status?.confirmationStatus) return keypair;
        await new Promise((done) => setTimeout(done, 50));
      }
    },
  };
}

export function runHardhat(args: string[], env: Record<string, string>): Promise<CliResult> {
  const child = spawn(process.execPath, [hardhatCli, ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The command succeeded; its output is returned for further checks. */
export function succeeded(result: CliResult): string {
  assert.equal(result.code, 0, `exit code 0 expected:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/**
 * The command failed because `programId` refused the transaction with the error `name` and `code`: the
 * exact refusal, so it cannot pass on another failure.
 */
export function refusedWith(result: CliResult, name: string, code: number, program: "shield_pool" | "scramble_registry", programId: string): void {
  const output = `${result.stdout}\n${result.stderr}`;
  assert.notEqual(result.code, 0, `the command should fail:\n${output}`);
  assert.match(output, /TRANSACTION_REFUSED: /, output);
  assert.ok(output.includes(`refused: ${name} (${code}) from ${program} ${programId}:`), `expected ${name} (${code}) from ${program} ${programId}, got:\n${output}`);
}
