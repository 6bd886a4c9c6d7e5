// Figure 3 of `npm run bench:indexer`: Merkle path latency at a fixed rate, each load from its own
// process (bench/path-load.ts): autocannon's overallRate and a paced open loop against the indexer, then
// both against a plain HTTP server (bench/baseline-server.ts) to show what the machine and the tool add.
import { fileURLToPath } from "node:url";
import { freePort, runTs, type LogLine } from "@cloak/service-testkit";

export interface PathLoadOptions {
  readonly pool: string;
  readonly leaves: number;
  readonly rate: number;
  readonly seconds: number;
  readonly baselineSeconds: number;
  readonly connections: number;
  /** Where the children run. */
  readonly dir: string;
}

export interface PathLoadResult extends LogLine {
  latencyMs: { p99: number; responses: number };
  fromScheduleMs?: { p99: number };
  achievedRate: number;
  non2xx: number;
}

const script = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));

async function load(url: string, mode: "autocannon" | "paced", seconds: number, options: PathLoadOptions, baseline: boolean): Promise<PathLoadResult> {
  const args = [
    "--url",
    url,
    "--pool",
    options.pool,
    "--leaves",
    String(options.leaves),
    "--mode",
    mode,
    "--rate",
    String(options.rate),
    "--seconds",
    String(seconds),
    "--connections",
    String(options.connections),
  ];
  const child = runTs(script("path-load.ts"), baseline ? [...args, "--baseline"] : args, { cwd: options.dir });
  const { code } = await child.exited;
  if (code !== 0 || child.lines.length !== 1) throw new Error(`path-load.ts --mode ${mode} exited ${code} without its result: ${child.stderr.slice(-1000)}`);
  return child.lines[0] as PathLoadResult;
}

/** The four loads, one after another (the machine has 2 cores: nothing else of the benchmark runs meanwhile). */
export async function pathFigures(indexerUrl: string, options: PathLoadOptions, say: (line: string) => void) {
  say(`Merkle paths at ${options.rate} requests/s, ${options.seconds} s each: autocannon, then paced (each load in its own process)`);
  const autocannon = await load(indexerUrl, "autocannon", options.seconds, options, false);
  const paced = await load(indexerUrl, "paced", options.seconds, options, false);
  say(`baseline: the same loads against a plain node:http server, ${options.baselineSeconds} s each`);
  const port = await freePort();
  const server = runTs(script("baseline-server.ts"), ["--port", String(port)], { cwd: options.dir });
  try {
    await server.waitForMessage("listening");
    const baseline = {
      autocannon: await load(`http://127.0.0.1:${port}`, "autocannon", options.baselineSeconds, options, true),
      paced: await load(`http://127.0.0.1:${port}`, "paced", options.baselineSeconds, options, true),
    };
    return { autocannon, paced, baseline };
  } finally {
    server.process.kill("SIGTERM");
    await server.exited;
  }
}
