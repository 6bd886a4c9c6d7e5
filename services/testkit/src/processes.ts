// Child processes and databases for the services' tests: a service started as its operators start it
// (a real process whose JSON log lines can be awaited), and a PostgreSQL database of its own per test.
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { chmod, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import pg from "pg";

/** tsx by absolute URL, so a child can run TypeScript from any working directory. */
const TSX = import.meta.resolve("tsx");

/**
 * A folder the `postgres` system user can reach: as root the embedded server runs as that user,
 * and mkdtemp makes folders only their owner can enter.
 */
export async function reachableTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
  await chmod(dir, 0o755);
  temporaryDirs.push(dir);
  return dir;
}

// A PostgreSQL cluster is ~45 MB: leave none behind (each test file is its own process).
const temporaryDirs: string[] = [];
process.on("exit", () => {
  for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
});

export type LogLine = Record<string, unknown> & { msg?: string };

/** A child process whose stdout JSON lines are collected and can be awaited. */
export class Child {
  readonly lines: LogLine[] = [];
  readonly stdoutText: string[] = [];
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: Array<{ match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> = [];

  constructor(readonly process: ChildProcess) {
    createInterface({ input: process.stdout! }).on("line", (text) => {
      this.stdoutText.push(text);
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        return;
      }
      this.lines.push(line);
      this.waiters = this.waiters.filter((waiter) => (waiter.match(line) ? (waiter.resolve(line), false) : true));
    });
    process.stderr!.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => process.once("exit", (code, signal) => resolve({ code, signal })));
  }

  /** The first line (already seen or coming) that matches; fails if the process exits first. */
  waitFor(match: (line: LogLine) => boolean): Promise<LogLine> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return Promise.race([
      new Promise<LogLine>((resolve) => this.waiters.push({ match, resolve })),
      this.exited.then(({ code, signal }) => {
        throw new Error(`process exited (${code ?? signal}) before the expected log line; stderr: ${this.stderr.slice(-2000)}`);
      }),
    ]);
  }

  waitForMessage(msg: string): Promise<LogLine> {
    return this.waitFor((line) => line.msg === msg);
  }
}

export function runTs(script: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Child {
  const child = spawn(process.execPath, ["--import", TSX, script, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Child(child);
}

/** A database of its own on the server named by DATABASE_URL, dropped afterwards. */
export async function freshServerDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cloak_test_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** The backends every database test runs on: always the embedded default, and the server when DATABASE_URL names one. */
export const BACKENDS: ReadonlyArray<"embedded" | "server"> = process.env.DATABASE_URL ? ["embedded", "server"] : ["embedded"];
