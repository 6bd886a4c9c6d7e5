import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "smol-toml";
import type { IndexerClient } from "@cloak/sdk";
import { Child, freePort, runTs, type TestDatabase } from "@cloak/service-testkit";

export { sharedDatabase, testDatabase, type Backend, type SharedDatabase, type TestDatabase } from "@cloak/service-testkit";

export const INDEXER_MAIN = new URL("../../src/main.ts", import.meta.url).pathname;

const START_TIMEOUT_MS = 90_000;

export interface IndexerProcess {
  readonly url: string;
  readonly port: number;
  readonly child: Child;
  readonly configFile: string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
}

export interface IndexerSetup {
  /** Working folder (the config file and snapshots go here). */
  readonly dir: string;
  readonly database: TestDatabase;
  readonly evm?: { url: string; deployment: string; chainId: number };
  readonly solana?: { url: string; deployment: string };
  /** More keys, by section, merged over the defaults below. */
  readonly config?: Record<string, Record<string, unknown>>;
  readonly env?: NodeJS.ProcessEnv;
  readonly port?: number;
}

/** Writes the config file and starts `cloak-indexer start` as an operator would, waiting for it to listen. */
export async function startIndexer(setup: IndexerSetup): Promise<IndexerProcess> {
  const port = setup.port ?? (await freePort());
  const config: Record<string, Record<string, unknown>> = {
    server: { port, host: "127.0.0.1" },
    database: setup.database.section,
    merkle: { update_interval: "200ms" },
    snapshots: { dir: join(setup.dir, "snapshots") },
    logging: { level: "info" },
    ...(setup.evm ? { evm: { rpc_urls: [setup.evm.url], chain_id: setup.evm.chainId, confirmations: 0, deployment: setup.evm.deployment, retries: 1, timeout: "5s" } } : {}),
    ...(setup.solana ? { solana: { rpc_url: setup.solana.url, deployment: setup.solana.deployment, retries: 1, timeout: "5s" } } : {}),
  };
  for (const [section, keys] of Object.entries(setup.config ?? {})) config[section] = { ...config[section], ...keys };
  const configFile = join(setup.dir, `indexer-${port}.toml`);
  writeFileSync(configFile, stringify(config));
  const child = runTs(INDEXER_MAIN, ["start", "--config", configFile], { cwd: setup.dir, env: { ...setup.env } });
  // The kit logs this at info: a test must not set logging.level above info.
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      child.waitForMessage("indexer: started"),
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          child.process.kill("SIGKILL");
          reject(new Error(`the indexer did not start within ${START_TIMEOUT_MS} ms; stderr: ${child.stderr.slice(-2000)}`));
        }, START_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    configFile,
    async stop() {
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill("SIGTERM");
      return child.exited;
    },
    async kill() {
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill("SIGKILL");
      await child.exited;
    },
  };
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
}

/** Waits until /ready answers 200. */
export function waitReady(indexer: IndexerProcess, timeoutMs = 60_000): Promise<true> {
  return eventually(async () => ((await getJson(`${indexer.url}/ready`)).status === 200 ? true : undefined), "/ready = 200", timeoutMs);
}

/**
 * Follows a pool's event stream from leaf `fromIndex` of `tree` until `count` commitments arrived and
 * answers their leaf indices. Start it before sending the transactions: the stream resumes from the index,
 * so nothing sent meanwhile is missed.
 */
export async function streamedCommitmentIndices(client: IndexerClient, pool: string, from: { tree: number; fromIndex: number }, count: number, timeoutMs = 60_000): Promise<number[]> {
  const controller = new AbortController();
  // A commitment the indexer never streams must fail the test, not hang it.
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const seen: number[] = [];
  try {
    for await (const event of client.events(pool, { ...from, signal: controller.signal })) {
      if (event.type === "commitment") seen.push(event.data.index);
      if (seen.length === count) controller.abort();
    }
  } finally {
    clearTimeout(timer);
  }
  return seen;
}
