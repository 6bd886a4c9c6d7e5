// `cloak-relay jobs list|show|requeue|cancel` and `cloak-relay drain`: the queue as an operator sees and
// steers it (the runbooks' requeue procedure; drain for a relayer-key rotation, EP-002).
import { CommandFailure, runServiceCommand } from "@cloak/service-kit";
import { InvalidArgumentError, type Command } from "commander";
import { RelayError } from "../errors.ts";
import { JOB_STATES, JobQueue, retryPolicy, type Job, type JobState } from "../queue/index.ts";
import { relayService } from "../service.ts";

function line(job: Job): string {
  return [job.id, job.state, job.chain, job.pool, `attempts ${job.attempts}`, job.txHash ?? "-", job.createdAt.toISOString(), job.reason ?? ""].join("  ").trimEnd();
}

const state = (text: string): JobState => {
  if (!(JOB_STATES as readonly string[]).includes(text)) throw new InvalidArgumentError(`must be one of ${JOB_STATES.join(", ")}`);
  return text as JobState;
};

const limit = (text: string) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 10_000) throw new InvalidArgumentError("must be a whole number from 1 to 10000");
  return value;
};

/** Runs one queue operation; a RelayError (not found, not requeueable…) is the command's refusal. */
function withQueue(command: string, configFile: string | undefined, body: (queue: JobQueue, print: (line: string) => void) => Promise<void>): Promise<never> {
  return runServiceCommand(relayService, command, configFile, async ({ config, database, print }) => {
    try {
      await body(new JobQueue(database.pool, retryPolicy(config.workers)), print);
    } catch (error) {
      if (error instanceof RelayError) throw new CommandFailure(`${error.code}: ${error.message}`);
      throw error;
    }
  });
}

export function registerJobCommands(program: Command): void {
  const jobs = program.command("jobs").description("the relay's job queue: list, show, requeue, cancel");
  jobs
    .command("list")
    .description("jobs newest first: id, state, chain, pool, attempts, transaction, created, reason")
    .option("--config <file>", "TOML file")
    .option("--state <state>", `only jobs in this state (${JOB_STATES.join(", ")})`, state)
    .option("--limit <n>", "at most this many (default 100)", limit)
    .action((options: { config?: string; state?: JobState; limit?: number }) =>
      withQueue("jobs list", options.config, async (queue, print) => {
        for (const job of await queue.list({ ...(options.state ? { state: options.state } : {}), limit: options.limit ?? 100 })) print(line(job));
      }),
    );
  jobs
    .command("show")
    .description("one job and its history")
    .argument("<id>", "job id")
    .option("--config <file>", "TOML file")
    .action((id: string, options: { config?: string }) =>
      withQueue("jobs show", options.config, async (queue, print) => {
        const job = await queue.get(id);
        if (!job) throw new CommandFailure(`no job ${id}`);
        print(line(job));
        for (const event of await queue.history(id)) print(`  ${event.at.toISOString()}  ${event.fromState ?? "-"} -> ${event.toState}  ${event.detail ?? ""}`.trimEnd());
      }),
    );
  jobs
    .command("requeue")
    .description("put a failed or dead job back in the queue, with the reason recorded in its history")
    .argument("<id>", "job id")
    .requiredOption("--reason <text>", "why (kept in the job's history), e.g. RPC_FAILURE")
    .option("--config <file>", "TOML file")
    .action((id: string, options: { config?: string; reason: string }) =>
      withQueue("jobs requeue", options.config, async (queue, print) => {
        print(line(await queue.requeue(id, options.reason)));
      }),
    );
  jobs
    .command("cancel")
    .description("cancel a job that is still queued (one already being sent cannot be recalled)")
    .argument("<id>", "job id")
    .option("--config <file>", "TOML file")
    .action((id: string, options: { config?: string }) =>
      withQueue("jobs cancel", options.config, async (queue, print) => {
        print(line(await queue.cancel(id)));
      }),
    );
  program
    .command("drain")
    .description("stop every relay process on this database from taking jobs; in-flight ones finish; prints what is still held (--off resumes)")
    .option("--config <file>", "TOML file")
    .option("--off", "take jobs again")
    .action((options: { config?: string; off?: boolean }) =>
      withQueue("drain", options.config, async (queue, print) => {
        await queue.setDraining(!options.off);
        const { byState } = await queue.counts();
        print(options.off ? "draining off: jobs are taken again" : `draining: no new jobs are taken; in flight: ${byState.processing} processing, ${byState.sent} sent (wait for 0 before removing the key)`);
      }),
    );
}
