// A real `hardhat node` (Hardhat 3, EDR) for the services' tests: a separate process on a free
// loopback port, so a test can stop it, kill it (RPC down) and talk to it only over JSON-RPC, as the
// services do in production. Cloak is deployed on it by the operator's own `deploy` task.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { JsonRpcProvider } from "ethers";
import { hardhatCli, repoRoot } from "./paths.ts";
import { TestkitError, TestkitErrorCode } from "./errors.ts";

/** Hardhat's default accounts (mnemonic "test test … junk"), unlocked on every `hardhat node`. */
export const HARDHAT_ACCOUNTS = [
  "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
  "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
  "0x9965a18F5c0fA2b9dE8b7C1C2a0b4A5b0CFdBAe4",
] as const;

/** Deploys the stack and owns its 1-of-1 Safe; the corpus's addresses follow from its nonces. */
export const EVM_DEPLOYER = HARDHAT_ACCOUNTS[0];
/** Registered as a relayer by deployEvm; the corpus's withdrawals pay it their fee. */
export const EVM_RELAYER = HARDHAT_ACCOUNTS[3];
/** Receives the corpus's withdrawals. */
export const EVM_WITHDRAWAL_RECIPIENT = HARDHAT_ACCOUNTS[4];
/** Sends the corpus's deposits unless told otherwise (not the deployer, whose nonces fix the addresses). */
export const EVM_DEPOSITOR = HARDHAT_ACCOUNTS[1];

export interface HardhatNode {
  url: string;
  port: number;
  chainId: bigint;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for the exit: the RPC going down without warning. */
  kill(): Promise<void>;
}

export interface HardhatNodeOptions {
  /** Loopback port; a free one unless given (a restarted node can take its predecessor's). */
  port?: number;
  /** Milliseconds to wait until the node answers; 60 s unless given. */
  startTimeoutMs?: number;
}

/** A free TCP port on 127.0.0.1, as the kernel hands out for port 0. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new TestkitError(TestkitErrorCode.NODE_FAILED, "no free port on 127.0.0.1");
  return address.port;
}

async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/** Spawns `hardhat node` on 127.0.0.1 and resolves once it answers eth_chainId. */
export async function startHardhatNode(options: HardhatNodeOptions = {}): Promise<HardhatNode> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [hardhatCli, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  // The node logs every request; keep only the tail for a failure message, and keep draining the pipes.
  const record = (chunk: Buffer) => (output = (output + chunk.toString("utf8")).slice(-8_000));
  child.stdout!.on("data", record);
  child.stderr!.on("data", record);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  let chainId: bigint | undefined;
  while (chainId === undefined) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new TestkitError(TestkitErrorCode.NODE_FAILED, `hardhat node exited (${child.exitCode ?? child.signalCode}) before it answered on ${url}:\n${output}`);
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      await exited;
      throw new TestkitError(TestkitErrorCode.NODE_FAILED, `hardhat node did not answer on ${url} within ${options.startTimeoutMs ?? 60_000} ms:\n${output}`);
    }
    try {
      chainId = BigInt(await rpc<string>(url, "eth_chainId"));
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const end = (signal: NodeJS.Signals) => async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url, port, chainId, stop: end("SIGTERM"), kill: end("SIGKILL") };
}

/** What deployEvm returns: the record file the tasks wrote and the facts the services need from it. */
export interface EvmDeployment {
  /** `<dir>/localhost.json`, the operator's deployment record. */
  path: string;
  chainId: bigint;
  /** `ShieldPool.native`. */
  pool: string;
  orchestrator: string;
  /** The block holding the native pool's creation. */
  poolDeployBlock: number;
  /** The registered relayer (EVM_RELAYER). */
  relayer: string;
  /** Every contract of the record, by its record name. */
  contracts: Record<string, string>;
}

interface RecordFile {
  chainId: string;
  contracts: Record<string, { address: string }>;
}

/** Runs one Hardhat task against the node at `url`, as an operator would from a shell. */
export async function runHardhatTask(url: string, dir: string, args: string[]): Promise<string> {
  const child = spawn(process.execPath, [hardhatCli, ...args, "--network", "localhost"], {
    cwd: repoRoot,
    env: { ...process.env, LOCALHOST_RPC_URL: url, CLOAK_DEPLOYMENTS_DIR: dir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const code = await new Promise<number | null>((resolve) => child.once("exit", (exitCode) => resolve(exitCode)));
  if (code !== 0) throw new TestkitError(TestkitErrorCode.DEPLOY_FAILED, `hardhat ${args[0]} exited with ${code}:\n${output}`);
  return output;
}

/** The first block whose state holds code at `address` (binary search over eth_getCode). */
async function creationBlock(provider: JsonRpcProvider, address: string): Promise<number> {
  let low = 0;
  let high = await provider.getBlockNumber();
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if ((await provider.getCode(address, middle)) === "0x") low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Deploys Cloak on the node at `url` with the operator's tasks, recording into `<dir>/localhost.json`:
 * `deploy` (a 1-of-1 Safe of EVM_DEPLOYER, the local default council), then `relayer:add` for
 * EVM_RELAYER through that Safe (`--via-safe`, `safe:execute`). The tasks rather than the deploy
 * library so the record, the Safe route and the addresses are exactly an operator's; on a fresh node
 * the deployer's nonces make the addresses the same every time, which the corpus relies on.
 */
export async function deployEvm(url: string, dir: string): Promise<EvmDeployment> {
  mkdirSync(dir, { recursive: true });
  await runHardhatTask(url, dir, ["deploy", "--owners", EVM_DEPLOYER, "--threshold", "1"]);
  const proposal = join(dir, "register-relayer.json");
  await runHardhatTask(url, dir, ["relayer:add", "--relayer", EVM_RELAYER, "--via-safe", "--proposal", proposal, "--from", EVM_DEPLOYER]);
  await runHardhatTask(url, dir, ["safe:execute", "--file", proposal, "--from", EVM_DEPLOYER]);
  return readEvmDeployment(join(dir, "localhost.json"), url);
}

/** Reads a deployment record written by `deploy`; with `url`, also finds the pool's creation block. */
export async function readEvmDeployment(path: string, url: string): Promise<EvmDeployment> {
  const record = JSON.parse(readFileSync(path, "utf8")) as RecordFile;
  const contracts = Object.fromEntries(Object.entries(record.contracts).map(([name, entry]) => [name, entry.address]));
  const pool = contracts["ShieldPool.native"];
  const orchestrator = contracts.Orchestrator;
  if (!pool || !orchestrator) throw new TestkitError(TestkitErrorCode.DEPLOY_FAILED, `${path}: no ShieldPool.native or Orchestrator (is the deploy complete?)`);
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
  try {
    return { path, chainId: BigInt(record.chainId), pool, orchestrator, poolDeployBlock: await creationBlock(provider, pool), relayer: EVM_RELAYER, contracts };
  } finally {
    provider.destroy();
  }
}
