// What `npm run bench:indexer` does to an indexer: start `cloak-indexer start` as a child process from
// a config file and time its start (spawn → "trees loaded" → /ready = 200), fill a database with a
// large tree the chain never saw, and read the Merkle-path histogram from /metrics.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { toHex32 } from "@cloak/sdk";
import { freePort, runTs, type Child, type LogLine } from "@cloak/service-testkit";
import { JsonRpcProvider } from "ethers";
import { stringify } from "smol-toml";
import { readEvmDeployment } from "../src/deployments.ts";
import { store } from "../src/store.ts";
import { INDEXER_MAIN } from "../test/support/indexer.ts";
import { openConfiguredDatabase } from "../test/support/recovery.ts";

/** A start that rebuilds a million leaves sequentially can take minutes on a busy 2-core machine. */
const START_LIMIT_MS = 15 * 60_000;

export interface BenchIndexer {
  readonly url: string;
  readonly child: Child;
  readonly configFile: string;
  /** Date.now() just before the spawn. */
  readonly spawnedAt: number;
  stop(): Promise<void>;
}

export interface IndexerConfigFile {
  readonly configFile: string;
  readonly url: string;
}

/** Writes `config` to `<dir>/<name>.toml` with a free port of its own. */
export async function writeConfig(dir: string, name: string, config: Record<string, Record<string, unknown>>): Promise<IndexerConfigFile> {
  const port = await freePort();
  const configFile = join(dir, `${name}.toml`);
  writeFileSync(configFile, stringify({ ...config, server: { ...config.server, port, host: "127.0.0.1" } }));
  return { configFile, url: `http://127.0.0.1:${port}` };
}

/** Starts `cloak-indexer start --config F` in `dir`, as an operator would. */
export function launchIndexer(dir: string, { configFile, url }: IndexerConfigFile): BenchIndexer {
  const spawnedAt = Date.now();
  const child = runTs(INDEXER_MAIN, ["start", "--config", configFile], { cwd: dir });
  return {
    url,
    child,
    configFile,
    spawnedAt,
    async stop() {
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill("SIGTERM");
      await child.exited;
    },
  };
}

/** Resolves with `promise`, or fails naming `what` after `limitMs`. */
async function within<T>(promise: Promise<T>, limitMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not happen within ${limitMs} ms`)), limitMs)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `url` every `everyMs` until it answers 200; the Date.now() of that answer. */
export async function firstOk(url: string, everyMs: number, limitMs: number): Promise<number> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const status = await fetch(url).then(
      (response) => (response.body?.cancel(), response.status),
      () => 0
    );
    if (status === 200) return Date.now();
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export interface StartTiming {
  /** spawn → the "trees loaded" log line (process start, tsx compile, database, chain check, load). */
  spawnToTreesLoadedSeconds: number;
  /** That line's own `ms`: IndexerState.load alone. */
  treesLoadedMs: number;
  /** spawn → the first 200 from /ready (polled every 20 ms). */
  spawnToReadySeconds: number;
  /** The snapshot the tree came from, if any ("tree loaded from snapshot" line's `ms`, the snapshot check and load). */
  fromSnapshot: { file: string; ms: number } | null;
  /** The child's log lines until /ready answered (requests left out): seconds after the spawn, message. */
  timeline: [number, string][];
}

/** When the child logged `line` (the kit logs ISO times, to the millisecond), as Date.now() would have said. */
export const loggedAt = (line: LogLine): number => Date.parse(String(line.time));

const seconds = (ms: number) => Number((ms / 1000).toFixed(2));

/** Times a start from the child's log lines (pino's `time`, same clock) and /ready. */
export async function timeStart(indexer: BenchIndexer): Promise<StartTiming> {
  const loaded = await within(indexer.child.waitForMessage("trees loaded"), START_LIMIT_MS, "the trees loaded log line");
  const ready = await firstOk(`${indexer.url}/ready`, 20, 120_000);
  const snapshot = indexer.child.lines.find((line: LogLine) => typeof line.msg === "string" && line.msg.startsWith("tree loaded from snapshot"));
  return {
    spawnToTreesLoadedSeconds: seconds(loggedAt(loaded) - indexer.spawnedAt),
    treesLoadedMs: Number(loaded.ms),
    spawnToReadySeconds: seconds(ready - indexer.spawnedAt),
    fromSnapshot: snapshot ? { file: String(snapshot.file), ms: Number(snapshot.ms) } : null,
    timeline: indexer.child.lines.filter((line) => line.req === undefined && line.res === undefined).map((line) => [seconds(loggedAt(line) - indexer.spawnedAt), String(line.msg)]),
  };
}

/** Rows per INSERT while filling the commitments table. */
const FILL_BATCH = 50_000;

/**
 * Makes the database of `configFile` look like an indexer's that ingested `leaves` into tree 0 of the
 * deployment's native pool up to the chain's current head: the pools registered, the commitments (each
 * with a 113-byte filler encrypted output, the corpus's size), the root at that size, and every pool's
 * cursor at the head with its hash, so a start has nothing to ingest. Then VACUUM ANALYZE, as
 * autovacuum would have done on a live database. Answers the seconds the fill took.
 */
export async function fillDatabase(configFile: string, deploymentFile: string, rpcUrl: string, leaves: readonly bigint[], root: bigint): Promise<number> {
  const started = performance.now();
  const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true });
  const head = await provider.getBlock("latest");
  provider.destroy();
  if (!head?.hash) throw new Error(`no head block from ${rpcUrl}`);
  const { pools } = readEvmDeployment(deploymentFile);
  const pool = pools.find((entry) => entry.label === "ShieldPool.native");
  if (!pool) throw new Error(`${deploymentFile} has no ShieldPool.native`);
  const database = await openConfiguredDatabase(configFile);
  try {
    await database.migrate("up");
    const db = database.pool;
    await store.registerPools(db, pools);
    for (let from = 0; from < leaves.length; from += FILL_BATCH) {
      const chunk = leaves.slice(from, from + FILL_BATCH).map(toHex32);
      await db.query(
        `INSERT INTO commitments (pool, tree, leaf_index, commitment, encrypted_output, tx, block)
         SELECT $1, 0, $2 + n - 1, c, substring(decode(repeat(md5(($2 + n)::text), 8), 'hex') FROM 1 FOR 113), '0x' || repeat(md5((($2 + n - 1) / 2)::text), 2), $3
         FROM unnest($4::text[]) WITH ORDINALITY AS t(c, n)`,
        [pool.id, from, head.number, chunk]
      );
    }
    await db.query("INSERT INTO roots (pool, tree, size, root, tx, block) VALUES ($1, 0, $2, $3, $4, $5)", [pool.id, leaves.length, toHex32(root), `0x${"ab".repeat(32)}`, head.number]);
    await db.query(`INSERT INTO cursors (pool, block, block_hash, signature) SELECT unnest($1::text[]), $2, $3, NULL`, [pools.map((entry) => entry.id), head.number, head.hash]);
    await db.query("INSERT INTO evm_blocks (number, hash) VALUES ($1, $2)", [head.number, head.hash]);
    await db.query("VACUUM ANALYZE commitments");
  } finally {
    await database.close();
  }
  return seconds(performance.now() - started);
}
