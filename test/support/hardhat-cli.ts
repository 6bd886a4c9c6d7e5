// Runs `hardhat <args>` in a child process the way an operator does at a terminal, answering its
// prompts (the keystore's password and secret) on stdin as they appear.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "./fixtures.ts";

/** The `hardhat` bin of the package (its exports map does not expose the file to resolve()). */
const hardhatCli = join(repoRoot, "node_modules", "hardhat", "dist", "src", "cli.js");

/** The keystore plugin's prompts (rl.question ends each with ": " and waits for a line). */
const PROMPT = /(Enter the password|Please confirm your password|Enter secret to store in the \w+ keystore): /g;

/**
 * Environment variables under which the keystore plugin refuses to open the keystore on purpose: CI
 * detection (hardhat-utils' isCi) and hardhat-mocha's HH_TEST. The child is an operator's shell, not CI.
 */
const NON_OPERATOR_ENV = ["HH_TEST", "CI", "GITHUB_ACTIONS", "NOW", "DEPLOYMENT_ID", "CODEBUILD_BUILD_NUMBER", "CONTINUOUS_INTEGRATION", "BUILD_NUMBER", "RUN_ID"];

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** How many prompts were answered. */
  prompts: number;
}

/**
 * `env` is merged over this process's environment; a value of `undefined` removes the variable.
 * Each prompt gets the next answer; stdin closes after the last one, so a further prompt reads end of input.
 */
export function runHardhat(args: string[], options: { env: Record<string, string | undefined>; answers: string[] }): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of NON_OPERATOR_ENV) delete env[name];
  for (const [name, value] of Object.entries(options.env)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const child = spawn(process.execPath, [hardhatCli, ...args], { cwd: repoRoot, env, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let prompts = 0;
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    const seen = [...stdout.matchAll(PROMPT)].length;
    while (prompts < seen && prompts < options.answers.length) {
      child.stdin.write(`${options.answers[prompts]}\n`);
      prompts += 1;
      // An open stdin keeps the child alive after its last prompt: close it once every answer is given.
      if (prompts === options.answers.length) child.stdin.end();
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, prompts }));
  });
}
