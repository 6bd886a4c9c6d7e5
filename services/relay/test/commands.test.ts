import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { stringify } from "smol-toml";
import { runTs, sharedDatabase, type SharedDatabase } from "@cloak/service-testkit";
import { JobQueue } from "../src/queue/index.ts";

const RELAY_MAIN = new URL("../src/main.ts", import.meta.url).pathname;
const POLICY = { retries: 0, initialBackoffMs: 1000, backoffMultiplier: 2 };

describe("the relay's operator commands", () => {
  let database: SharedDatabase;
  let dir: string;
  let configFile: string;
  let pool: pg.Pool;
  let queue: JobQueue;

  async function cli(args: string[]): Promise<{ code: number | null; stdout: string[]; stderr: string }> {
    const child = runTs(RELAY_MAIN, [...args, "--config", configFile], { cwd: dir });
    const { code } = await child.exited;
    return { code, stdout: child.stdoutText, stderr: child.stderr };
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "cloak-relay-commands-"));
    database = await sharedDatabase();
    configFile = join(dir, "relay.toml");
    writeFileSync(configFile, stringify({ database: database.section, workers: { retries: 0 } }));
    // The first command migrates the database; the test then writes jobs through the queue itself.
    assert.equal((await cli(["jobs", "list"])).code, 0);
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    // An idle connection the server closes (it stops after the tests) must not end the test process.
    pool.on("error", () => undefined);
    queue = new JobQueue(pool, POLICY);
  });

  after(async () => {
    await pool?.end();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const enqueue = (nullifier: string) => queue.enqueue({ chain: "evm", pool: "0x00000000000000000000000000000000000000aa", nullifiers: [nullifier], fee: 1n, request: { nullifier } });

  it("lists jobs by state, newest first", async () => {
    const { job } = await enqueue("0x01");
    const { code, stdout } = await cli(["jobs", "list", "--state", "queued"]);
    assert.equal(code, 0);
    assert.equal(stdout.length, 1);
    assert.match(stdout[0]!, new RegExp(`^${job.id}  queued  evm  0x0{38}aa  attempts 0  -  \\S+$`));
  });

  it("refuses an unknown state naming the ones there are", async () => {
    const { code, stderr } = await cli(["jobs", "list", "--state", "stuck"]);
    assert.equal(code, 1);
    assert.match(stderr, /option '--state <state>' argument 'stuck' is invalid\. must be one of queued, processing, sent, confirmed, failed, dead, cancelled/);
  });

  it("shows a job with its history", async () => {
    const { job } = await enqueue("0x02");
    const { code, stdout } = await cli(["jobs", "show", job.id]);
    assert.equal(code, 0);
    assert.match(stdout[1]!, /^ {2}\S+ {2}- -> queued {2}submitted$/);
  });

  it("requeues a dead job with the operator's reason in its history", async () => {
    const { job } = await enqueue("0x03");
    const [claimed] = await queue.claim("test", 10, 60_000).then((jobs) => jobs.filter((candidate) => candidate.id === job.id));
    await queue.fail({ id: claimed!.id, leaseOwner: claimed!.leaseOwner, attempts: claimed!.attempts }, "RPC down", true);
    assert.equal((await queue.get(job.id))!.state, "dead");
    const { code, stdout } = await cli(["jobs", "requeue", job.id, "--reason", "RPC_FAILURE"]);
    assert.equal(code, 0);
    assert.match(stdout[0]!, new RegExp(`^${job.id}  queued  `));
    assert.equal((await queue.history(job.id)).at(-1)!.detail, "requeued by an operator: RPC_FAILURE");
  });

  it("refuses to requeue a job that is still queued, with the queue's code", async () => {
    const { job } = await enqueue("0x04");
    const { code, stderr } = await cli(["jobs", "requeue", job.id, "--reason", "again"]);
    assert.equal(code, 1);
    // Logs go to stderr too (JSON lines); the refusal is the last line.
    assert.equal(stderr.trim().split("\n").at(-1), `jobs requeue: JOB_NOT_REQUEUEABLE: job ${job.id} is queued; only failed or dead jobs can be requeued`);
  });

  it("cancels a queued job", async () => {
    const { job } = await enqueue("0x05");
    const { code, stdout } = await cli(["jobs", "cancel", job.id]);
    assert.equal(code, 0);
    assert.match(stdout[0]!, new RegExp(`^${job.id}  cancelled  `));
  });

  it("drains every process on the database and resumes with --off", async () => {
    const on = await cli(["drain"]);
    assert.equal(on.code, 0);
    assert.match(on.stdout[0]!, /^draining: no new jobs are taken; in flight: \d+ processing, \d+ sent \(wait for 0 before removing the key\)$/);
    assert.equal(await queue.draining(), true);
    assert.deepEqual(await queue.claim("test", 10, 60_000), []);
    const off = await cli(["drain", "--off"]);
    assert.deepEqual([off.code, off.stdout], [0, ["draining off: jobs are taken again"]]);
    assert.equal(await queue.draining(), false);
  });
});
