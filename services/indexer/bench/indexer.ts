// `npm run bench:indexer` (issue 11 §4 and §3's restart time): the indexer as a real process on a real
// Hardhat node and a PostgreSQL this benchmark owns (the embedded default; also DATABASE_URL's server
// when set). Four figures, each against its goal:
//   1. cold start with 1,000,000 leaves in the database and no snapshot (rebuild < 60 s), timed as
//      spawn → "trees loaded" (its `ms` is the load alone) → /ready = 200;
//   2. the same start from a snapshot taken with `cloak-indexer snapshot create` (< 5 s);
//   3. Merkle paths of random leaves of that tree at a fixed 200 requests/s for 30 s from a second process
//      (p99 < 5 ms): autocannon's overallRate and a paced open loop, beside the server's own histograms,
//      and both loads against a plain HTTP server for what the machine and the tool add (bench/path-figures.ts);
//   4. ingest of the whole EVM corpus (512 deposits + 50 withdrawals, already on chain) by a fresh
//      indexer (≥ 500 commitments/s), and the Solana corpus (64 deposits) when the local node is built.
// Prints each figure and writes bench/results/indexer.json. The machine is shared: the load average at
// the start and the end is recorded beside the figures.
//   npm run bench:indexer [-- --leaves N --backends embedded,server --rate R --seconds S --connections C
//                           --baseline-seconds S --ingest-runs N --skip-solana --out F]
// About 5 minutes on a quiet 2-core machine with the embedded database alone; DATABASE_URL adds its
// server's runs (another rebuild and snapshot create, ~2 minutes more).
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { FIELD_SIZE, toHex32 } from "@cloak/sdk";
import {
  BACKENDS,
  CORPUS_COUNTS,
  deployEvm,
  loadEvmCorpus,
  reachableTempDir,
  seededRandom,
  startHardhatNode,
  startSolanaCloak,
  submitEvmCorpus,
  submitEvmWithdrawals,
  submitSolanaCorpus,
} from "@cloak/service-testkit";
import { Contract, JsonRpcProvider } from "ethers";
import { benchmarkRun, machine, median, round } from "../../../bench/stats.ts";
import { LOCALNET_BINARY } from "../../../localnet/launcher.ts";
import { readSolanaDeployment } from "../src/deployments.ts";
import { buildTree } from "../src/rebuild.ts";
import { testDatabase, type Backend } from "../test/support/indexer.ts";
import { runCli } from "../test/support/recovery.ts";
import { pathFigures } from "./path-figures.ts";
import { fillDatabase, launchIndexer, loggedAt, timeStart, writeConfig, type StartTiming } from "./indexer-process.ts";

const { values } = parseArgs({
  options: {
    leaves: { type: "string", default: "1000000" },
    backends: { type: "string", default: BACKENDS.join(",") },
    rate: { type: "string", default: "200" },
    seconds: { type: "string", default: "30" },
    connections: { type: "string", default: "10" },
    "baseline-seconds": { type: "string", default: "15" },
    "ingest-runs": { type: "string", default: "3" },
    "skip-solana": { type: "boolean", default: false },
    out: { type: "string", default: fileURLToPath(new URL("../../../bench/results/indexer.json", import.meta.url)) },
  },
});
const leafCount = Number(values.leaves);
const backends = values.backends.split(",") as Backend[];
for (const backend of backends) {
  if (backend !== "embedded" && backend !== "server") throw new Error(`--backends: ${backend} is neither embedded nor server`);
  if (backend === "server" && !process.env.DATABASE_URL) throw new Error("--backends server needs DATABASE_URL");
}
const SEED = "cloak-indexer-bench";
const GOALS = { coldRebuildSeconds: 60, snapshotStartSeconds: 5, pathP99Ms: 5, ingestPerSecond: 500 } as const;
const { command, loadAtStart, startedAt, say, check } = benchmarkRun("bench:indexer");

const dir = await reachableTempDir("cloak-indexer-bench");

/** Nodes this run started and has not stopped yet: stopped however the run ends. */
const running = new Set<{ stop(): Promise<void> }>();
const own = <T extends { stop(): Promise<void> }>(thing: T): T => (running.add(thing), thing);
const release = (thing: { stop(): Promise<void> }) => (running.delete(thing), thing.stop());
const evmSection = (url: string, deployment: string, chainId: bigint) => ({ rpc_urls: [url], chain_id: Number(chainId), confirmations: 0, deployment });

async function servedPool(url: string, pool: string): Promise<{ leaves: number; root: string }> {
  const body = (await (await fetch(`${url}/api/v1/pools`)).json()) as { pools: { id: string; leaves: number; root: string }[] };
  const found = body.pools.find((entry) => entry.id === pool);
  if (!found) throw new Error(`${url} does not list pool ${pool}`);
  return found;
}

// ---- 1-3: a million leaves in the database -------------------------------------------------------

interface TreeRun {
  fillSeconds: number;
  cold: StartTiming;
  snapshotCreateSeconds: number;
  snapshotCreateOutput: string[];
  fromSnapshot: StartTiming;
}

/** Figures 1-3 on every backend (the path load on the first). */
async function treeFigures() {
  say(`generating ${leafCount} seeded leaves and their root (buildTree)`);
  const bytes = seededRandom(SEED, "leaves")(32 * leafCount);
  const leaves = Array.from({ length: leafCount }, (_, i) => BigInt(`0x${Buffer.from(bytes.subarray(32 * i, 32 * i + 32)).toString("hex")}`) % FIELD_SIZE);
  const rootStarted = performance.now();
  const root = (await buildTree(leaves)).root;
  const rootSeconds = round((performance.now() - rootStarted) / 1000, 2);
  say(`root ${toHex32(root)} in ${rootSeconds} s`);

  const treeNode = own(await startHardhatNode());
  const treeDeployment = await deployEvm(treeNode.url, join(dir, "tree-deployment"));
  const treePool = treeDeployment.pool.toLowerCase();
  say(`Hardhat node ${treeNode.url}, Cloak deployed (native pool ${treePool})`);

  const treeRuns: Partial<Record<Backend, TreeRun>> = {};
  let paths: ({ backend: Backend } & Awaited<ReturnType<typeof pathFigures>> & Record<string, unknown>) | undefined;

  for (const backend of backends) {
    const runDir = join(dir, `tree-${backend}`);
    mkdirSync(runDir, { recursive: true });
    const database = await testDatabase(backend);
    const files = await writeConfig(runDir, "indexer", {
      server: { rate_limit_per_ip: 1_000_000 },
      database: database.section,
      // No automatic snapshots: the cold start must rebuild, and only `snapshot create` writes one.
      snapshots: { dir: join(runDir, "snapshots"), every_leaves: 0 },
      logging: { level: "info" },
      evm: evmSection(treeNode.url, treeDeployment.path, treeDeployment.chainId),
    });
    const fillSeconds = await fillDatabase(files.configFile, treeDeployment.path, treeNode.url, leaves, root);
    say(`${backend}: ${leafCount} commitments, their root and the cursors written in ${fillSeconds} s`);

    const cold = launchIndexer(runDir, files);
    let coldTiming: StartTiming;
    try {
      coldTiming = await timeStart(cold);
      check(coldTiming.fromSnapshot === null, "the cold start rebuilt the tree (no snapshot)");
      const served = await servedPool(cold.url, treePool);
      check(served.leaves === leafCount && served.root === toHex32(root), `the cold start serves ${leafCount} leaves and the computed root`);
      say(`${backend}: cold start: trees loaded after ${coldTiming.spawnToTreesLoadedSeconds} s (load ${coldTiming.treesLoadedMs} ms), /ready after ${coldTiming.spawnToReadySeconds} s`);
      if (paths === undefined) {
        const figures = await pathFigures(
          cold.url,
          {
            pool: treePool,
            leaves: leafCount,
            rate: Number(values.rate),
            seconds: Number(values.seconds),
            baselineSeconds: Number(values["baseline-seconds"]),
            connections: Number(values.connections),
            dir: runDir,
          },
          (line) => say(`${backend}: ${line}`)
        );
        paths = {
          backend,
          how: "bench/path-load.ts in its own process, an untimed 3 s warm-up before each load; latency of every 2xx response from send to last byte (fractional ms); paced also from each request's scheduled time",
          autocannonNote:
            "autocannon 9's overallRate is enforced per connection per second: each connection sends its share back to back when its second starts, then idles, so the indexer sees 200-request bursts 10 at a time once a second, not a steady 200/s",
          ...figures,
        };
      }
    } finally {
      await cold.stop();
    }

    const createStarted = performance.now();
    const created = await runCli(["snapshot", "create", "--config", files.configFile], runDir);
    const snapshotCreateSeconds = round((performance.now() - createStarted) / 1000, 2);
    check(created.code === 0, `snapshot create exited 0 (${created.errors.join(" | ")})`);
    say(`${backend}: snapshot create (a CLI process: rebuilds from the database, writes the file) took ${snapshotCreateSeconds} s`);

    const warm = launchIndexer(runDir, files);
    let warmTiming: StartTiming;
    try {
      warmTiming = await timeStart(warm);
      check(warmTiming.fromSnapshot !== null, "the second start loaded the snapshot");
      check((await servedPool(warm.url, treePool)).root === toHex32(root), "the start from the snapshot serves the computed root");
    } finally {
      await warm.stop();
    }
    say(`${backend}: start from the snapshot: trees loaded after ${warmTiming.spawnToTreesLoadedSeconds} s (load ${warmTiming.treesLoadedMs} ms), /ready after ${warmTiming.spawnToReadySeconds} s`);
    treeRuns[backend] = { fillSeconds, cold: coldTiming, snapshotCreateSeconds, snapshotCreateOutput: created.stdout, fromSnapshot: warmTiming };
    await database.drop();
  }
  await release(treeNode);
  return { leaves: leafCount, root, rootSeconds, treeRuns, paths };
}

// ---- 4: ingest of the corpus from a real chain ---------------------------------------------------

interface IngestRun {
  commitments: number;
  /** spawn → the "trees loaded" line, after which ingest starts. */
  spawnToIngestStartSeconds: number;
  ingestStartToAllSeconds: number;
  commitmentsPerSecond: number;
  /** The first /health poll showing leaves, and the rate over the rest. */
  firstSeen: { afterIngestStartSeconds: number; leaves: number };
  firstToAllCommitmentsPerSecond: number | null;
  /** Each change of /health's leaf count: seconds after ingest start, leaves. */
  progress: [number, number][];
  served: { leaves: number; root: string };
}

/** A fresh indexer on a fresh database catching up `expected` commitments, /health polled every 20 ms. */
async function ingest(name: string, backend: Backend, chain: Record<string, Record<string, unknown>>, pool: string, expected: number): Promise<IngestRun> {
  const runDir = join(dir, name);
  mkdirSync(runDir, { recursive: true });
  const database = await testDatabase(backend);
  const files = await writeConfig(runDir, "indexer", { database: database.section, snapshots: { dir: join(runDir, "snapshots") }, logging: { level: "info" }, ...chain });
  const indexer = launchIndexer(runDir, files);
  try {
    const seen: [number, number][] = [];
    const deadline = Date.now() + 10 * 60_000;
    for (;;) {
      const leaves = await fetch(`${indexer.url}/health`)
        .then((response) => response.json() as Promise<{ pools?: Record<string, { leaves: number }> }>)
        .then(
          (body) => body.pools?.[pool]?.leaves ?? 0,
          () => 0
        );
      const now = Date.now();
      if (leaves > 0 && leaves !== seen.at(-1)?.[1]) seen.push([now, leaves]);
      if (leaves >= expected) break;
      if (now > deadline || indexer.child.process.exitCode !== null) throw new Error(`${name}: ${leaves} of ${expected} commitments indexed; stderr: ${indexer.child.stderr.slice(-1000)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const loaded = await indexer.child.waitForMessage("trees loaded");
    const ingestStart = loggedAt(loaded);
    const [firstAt, firstLeaves] = seen[0]!;
    const allAt = seen.at(-1)![0];
    const served = await servedPool(indexer.url, pool);
    check(served.leaves === expected, `${name}: ${expected} leaves served`);
    return {
      commitments: expected,
      spawnToIngestStartSeconds: round((ingestStart - indexer.spawnedAt) / 1000, 2),
      ingestStartToAllSeconds: round((allAt - ingestStart) / 1000, 3),
      commitmentsPerSecond: Math.round(expected / ((allAt - ingestStart) / 1000)),
      firstSeen: { afterIngestStartSeconds: round((firstAt - ingestStart) / 1000, 3), leaves: firstLeaves },
      firstToAllCommitmentsPerSecond: allAt > firstAt ? Math.round((expected - firstLeaves) / ((allAt - firstAt) / 1000)) : null,
      progress: seen.map(([at, leaves]) => [round((at - ingestStart) / 1000, 3), leaves]),
      served,
    };
  } finally {
    await indexer.stop();
    await database.drop();
  }
}

/** Figure 4 on EVM: the corpus on a fresh node, then a fresh indexer per backend. */
async function evmIngestFigures() {
  const evmCorpus = loadEvmCorpus();
  const ingestNode = own(await startHardhatNode());
  const ingestDeployment = await deployEvm(ingestNode.url, join(dir, "ingest-deployment"));
  const ingestPool = ingestDeployment.pool.toLowerCase();
  const submitStarted = performance.now();
  // One at a time: an automining Hardhat node refuses a nonce that arrives before the one below it.
  await submitEvmCorpus(ingestNode.url, ingestDeployment);
  await submitEvmWithdrawals(ingestNode.url, ingestDeployment);
  const submitSeconds = round((performance.now() - submitStarted) / 1000, 1);
  const evmTransactions = evmCorpus.deposits.length + evmCorpus.withdrawals.length;
  const evmCommitments = 2 * evmTransactions;
  say(`EVM corpus on chain: ${evmTransactions} transactions (${evmCommitments} commitments) sent in ${submitSeconds} s`);
  const chainRoot = (await new Contract(ingestDeployment.pool, ["function getLastRoot() view returns (bytes32)"], new JsonRpcProvider(ingestNode.url)).getFunction("getLastRoot")()) as string;
  const evmIngest: Partial<Record<Backend, { medianCommitmentsPerSecond: number; runs: IngestRun[] }>> = {};
  const chainSection = { evm: evmSection(ingestNode.url, ingestDeployment.path, ingestDeployment.chainId) };
  for (const backend of backends) {
    // Each catch-up lasts about two seconds: a few of them, each by a fresh indexer on a fresh database.
    const runs: IngestRun[] = [];
    for (let i = 0; i < Number(values["ingest-runs"]); i++) {
      const run = await ingest(`ingest-evm-${backend}-${i}`, backend, chainSection, ingestPool, evmCommitments);
      check(run.served.root === chainRoot, `EVM ingest (${backend}) ends at the chain's root`);
      runs.push(run);
      say(`${backend}: EVM ingest of ${evmCommitments} commitments: ${run.ingestStartToAllSeconds} s after ingest start → ${run.commitmentsPerSecond} commitments/s`);
    }
    evmIngest[backend] = { medianCommitmentsPerSecond: median(runs.map((run) => run.commitmentsPerSecond)), runs };
  }
  await release(ingestNode);
  return { evmCorpus, submitSeconds, evmTransactions, evmCommitments, chainRoot, evmIngest };
}

/** Figure 4 on Solana, when the local node is built: the corpus's 64 deposits, embedded PostgreSQL. */
async function solanaIngestFigures(): Promise<Record<string, unknown>> {
  if (values["skip-solana"]) return { skipped: "--skip-solana" };
  if (!existsSync(LOCALNET_BINARY)) {
    return { skipped: `${LOCALNET_BINARY} is not built (bash scripts/localnet.sh --build-only, which npm run test:solana runs); not built here because a first cargo build takes 10-20 min` };
  }
  const cloak = await startSolanaCloak({ tokenMint: null });
  const node = own(cloak.node);
  try {
    const sent = performance.now();
    const signatures = await submitSolanaCorpus(cloak);
    const solanaSubmitSeconds = round((performance.now() - sent) / 1000, 1);
    const solanaPool = readSolanaDeployment(cloak.deploymentFile).pools[0]!.id;
    say(`Solana corpus on the local node: ${signatures.length} deposits sent in ${solanaSubmitSeconds} s`);
    const run = await ingest("ingest-solana", "embedded", { solana: { rpc_url: cloak.node.rpcUrl, deployment: cloak.deploymentFile } }, solanaPool, 2 * CORPUS_COUNTS.solanaDeposits);
    say(`embedded: Solana ingest of ${run.commitments} commitments: ${run.ingestStartToAllSeconds} s after ingest start → ${run.commitmentsPerSecond} commitments/s`);
    return {
      note: "the Solana corpus is small (64 deposits): the figure is dominated by the fixed cost of a catch-up (signature listing, one getTransaction per transaction) rather than a sustained rate",
      transactions: signatures.length,
      submitSeconds: solanaSubmitSeconds,
      embedded: run,
    };
  } finally {
    await release(node);
  }
}

// ---- results ------------------------------------------------------------------------------------

let figures: [Awaited<ReturnType<typeof treeFigures>>, Awaited<ReturnType<typeof evmIngestFigures>>, Record<string, unknown>];
try {
  figures = [await treeFigures(), await evmIngestFigures(), await solanaIngestFigures()];
} finally {
  for (const thing of running) await thing.stop().catch(() => undefined);
}
const [{ root, rootSeconds, treeRuns, paths }, { evmCorpus, submitSeconds, evmTransactions, evmCommitments, chainRoot, evmIngest }, solanaIngest] = figures;

const first = treeRuns[backends[0]!]!;
const pacedP99 = paths?.paced.latencyMs.p99 ?? NaN;
const autocannonP99 = paths?.autocannon.latencyMs.p99 ?? NaN;
const evmRate = evmIngest[backends[0]!]!.medianCommitmentsPerSecond;
const rebuildSeconds = round(first.cold.treesLoadedMs / 1000, 2);
const result = {
  benchmark: "indexer",
  command,
  date: new Date().toISOString(),
  machine: machine(),
  machineShared: "the 2-core machine was shared with other jobs while this ran: a load average near or above the core count makes every figure pessimistic",
  loadAverage: { start: loadAtStart, end: loadavg().map((x) => round(x, 2)), fields: "1, 5, 15 min" },
  durationSeconds: Math.round((Date.now() - startedAt) / 1000),
  goals: {
    coldRebuild: {
      goal: `< ${GOALS.coldRebuildSeconds} s`,
      measured: `${rebuildSeconds} s (IndexerState.load of ${leafCount} stored leaves; process start to /ready ${first.cold.spawnToReadySeconds} s), ${backends[0]} PostgreSQL`,
      met: rebuildSeconds < GOALS.coldRebuildSeconds,
    },
    startFromSnapshot: {
      goal: `< ${GOALS.snapshotStartSeconds} s`,
      measured: `${first.fromSnapshot.spawnToReadySeconds} s process start to /ready (load ${first.fromSnapshot.treesLoadedMs} ms), ${backends[0]} PostgreSQL`,
      met: first.fromSnapshot.spawnToReadySeconds < GOALS.snapshotStartSeconds,
    },
    pathP99: {
      goal: `< ${GOALS.pathP99Ms} ms at ${values.rate} requests/s`,
      measured: `${pacedP99} ms at ${paths?.paced.achievedRate} requests/s, paced (one request every ${1000 / Number(values.rate)} ms); a plain HTTP server under the same load: ${
        paths?.baseline.paced.latencyMs.p99
      } ms`,
      met: pacedP99 < GOALS.pathP99Ms,
    },
    pathP99Autocannon: {
      goal: `< ${GOALS.pathP99Ms} ms at ${values.rate} requests/s`,
      measured: `${autocannonP99} ms at ${paths?.autocannon.achievedRate} requests/s, autocannon overallRate (per-second bursts); a plain HTTP server under the same load: ${paths?.baseline.autocannon.latencyMs.p99} ms`,
      met: autocannonP99 < GOALS.pathP99Ms,
    },
    evmIngest: {
      goal: `>= ${GOALS.ingestPerSecond} commitments/s`,
      measured: `${evmRate} commitments/s, median of ${values["ingest-runs"]} catch-ups of ${evmCommitments} commitments (ingest start to all indexed), ${backends[0]} PostgreSQL`,
      met: evmRate >= GOALS.ingestPerSecond,
    },
  },
  tree: {
    leaves: leafCount,
    seed: `seededRandom("${SEED}", "leaves"): 32 bytes per leaf, mod r`,
    root: toHex32(root),
    rootBuildTreeSeconds: rootSeconds,
    database: "commitments rows as ingest writes them (113-byte filler encrypted outputs), one roots row at the full size, every pool's cursor at the chain head; then VACUUM ANALYZE",
    how: "cold: no snapshot in snapshots.dir (every_leaves = 0), the start rebuilds from the stored leaves; fromSnapshot: after `cloak-indexer snapshot create --config F`. Times: spawn of `cloak-indexer start` (node --import tsx src/main.ts) → the 'trees loaded' log line (its ms: IndexerState.load alone) → first 200 from /ready, polled every 20 ms",
    backends: treeRuns,
  },
  paths,
  ingest: {
    evm: {
      corpus: `${evmCorpus.deposits.length} deposits + ${evmCorpus.withdrawals.length} withdrawals = ${evmTransactions} transactions, ${evmCommitments} commitments, on a fresh Hardhat node (one block each)`,
      submitSeconds,
      how: "the corpus is on chain before the indexer starts: a fresh database, default merkle.batch_size, evm.confirmations = 0; commitmentsPerSecond = commitments / (the 'trees loaded' line, after which ingest starts → the first /health poll showing them all, every 20 ms)",
      chainRoot,
      backends: evmIngest,
    },
    solana: solanaIngest,
  },
};
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
console.log("\nGoals (issue 11 §4):");
for (const [name, goal] of Object.entries(result.goals)) console.log(`  ${goal.met ? "met   " : "MISSED"} ${name}: ${goal.measured} (goal ${goal.goal})`);
console.log(`load average ${loadAtStart.join(" ")} → ${result.loadAverage.end.join(" ")} on ${result.machine.cpus} cores (shared machine)`);
console.log(`Wrote ${values.out}`);
