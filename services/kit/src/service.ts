import { writeFileSync, existsSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { z } from "zod";
import { generateConfig } from "./config/generate.ts";
import { loadConfig } from "./config/load.ts";
import { redactConfig } from "./config/redact.ts";
import type { BaseConfig, ConfigSpec } from "./config/schema.ts";
import { openDatabase, type Database } from "./database/database.ts";
import { ConfigErrors } from "./errors.ts";
import { createLogger } from "./logger.ts";
import { createMetrics, type ServiceMetrics } from "./metrics.ts";
import { createServer, type ServiceProbes } from "./server.ts";

/** A graceful stop that takes longer than this is cut short with a non-zero exit. */
export const STOP_DEADLINE_MS = 30_000;

/** Exit codes every service shares. */
export const EXIT = { ok: 0, failure: 1, invalidConfig: 2 } as const;

export interface ServiceContext<Config> {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** Register the service's routes here (with schemas: they become the OpenAPI document). */
  readonly app: FastifyInstance;
  /** Present when the service has migrations: the pool, migrated up. */
  readonly database: Database | undefined;
}

export interface RunningService<Config> {
  readonly probes?: Omit<ServiceProbes, "database">;
  /** Finish in-flight work and flush; called after the HTTP server stopped accepting requests. */
  stop?(): Promise<void>;
  /** SIGHUP: the new, validated config; the kit applies log level and rate limits itself. */
  reload?(config: Config): void;
}

export interface ServiceDefinition<Extra extends z.ZodRawShape = {}> extends ConfigSpec<Extra> {
  readonly version: string;
  readonly description: string;
  /** node-pg-migrate folder; a service without one opens no database. */
  readonly migrationsDir?: string;
  readonly healthAliases?: readonly string[];
  start(context: ServiceContext<BaseConfig & z.output<z.ZodObject<Extra>>>): Promise<RunningService<BaseConfig & z.output<z.ZodObject<Extra>>>>;
  /** `start --dry-run`: check the service's own dependencies (e.g. RPC) and say what it would do. */
  dryRun?(context: Omit<ServiceContext<BaseConfig & z.output<z.ZodObject<Extra>>>, "app">): Promise<string[]>;
}

function flatten(value: unknown, prefix = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) for (const [k, v] of flatten(inner, prefix ? `${prefix}.${key}` : key)) out.set(k, v);
  } else out.set(prefix, value);
  return out;
}

/** Keys whose value differs, with redacted before/after values (URLs can carry passwords). */
export function configChanges(before: unknown, after: unknown): Record<string, { from: unknown; to: unknown }> {
  const a = flatten(redactConfig(before));
  const b = flatten(redactConfig(after));
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    if (JSON.stringify(a.get(key)) !== JSON.stringify(b.get(key))) changes[key] = { from: a.get(key), to: b.get(key) };
  }
  return changes;
}

const LIVE_KEYS = new Set(["logging.level", "server.rate_limit_per_ip", "server.rate_limit_window"]);

function loadOrExit<Extra extends z.ZodRawShape>(definition: ServiceDefinition<Extra>, file: string | undefined) {
  try {
    return loadConfig(definition, file ? { file } : {}).config;
  } catch (error) {
    if (!(error instanceof ConfigErrors)) throw error;
    for (const refusal of error.errors) process.stderr.write(`invalid config: ${refusal.message}\n`);
    process.exit(EXIT.invalidConfig);
  }
}

async function runService<Extra extends z.ZodRawShape>(definition: ServiceDefinition<Extra>, file: string | undefined, dryRun: boolean) {
  type Config = BaseConfig & z.output<z.ZodObject<Extra>>;
  let config: Config = loadOrExit(definition, file);
  const logger = createLogger({ service: definition.service, version: definition.version, logging: config.logging });
  let database: Database | undefined;
  const die = (error: unknown, message: string) => {
    logger.fatal({ err: error }, message);
    // The embedded server would outlive us; the next start would stop it anyway, but do not leave it running.
    if (database?.embedded) process.kill(database.embedded.pid, "SIGINT");
    process.exit(EXIT.failure);
  };
  process.on("uncaughtException", (error) => die(error, "uncaught error"));
  process.on("unhandledRejection", (error) => die(error, "unhandled rejection"));

  // A failure while starting (database, migrations, the service's own start) is fatal like any other.
  await (async () => {
    const metrics = createMetrics(() => (database ? database.pool.totalCount - database.pool.idleCount : 0));
    if (definition.migrationsDir) {
      database = await openDatabase({ service: definition.service, config: config.database, logger, migrationsDir: definition.migrationsDir });
    }
    if (dryRun) {
      const plan = [
        `config valid (${file ?? "defaults and environment"})`,
        ...(database ? [`database reachable: ${(await database.check()) === "healthy"}`, "would apply pending migrations"] : []),
        ...((await definition.dryRun?.({ config, logger, metrics, database })) ?? []),
        `would listen on ${config.server.host}:${config.server.port}`,
      ];
      for (const line of plan) process.stdout.write(`${line}\n`);
      await database?.close();
      process.exit(EXIT.ok);
    }
    await database?.migrate("up");

    const probes: { -readonly [K in keyof ServiceProbes]: ServiceProbes[K] } = database ? { database: () => database!.check() } : {};
    const server = await createServer({ service: definition.service, version: definition.version, server: config.server, logger, metrics, probes, ...(definition.healthAliases ? { healthAliases: definition.healthAliases } : {}) });
    const running = await definition.start({ config, logger, metrics, app: server.app, database });
    Object.assign(probes, running.probes ?? {});
    await server.app.listen({ port: config.server.port, host: config.server.host });
    logger.info({ host: config.server.host, port: config.server.port }, `${definition.service}: started`);

    process.on("SIGHUP", () => {
      let next: Config;
      try {
        next = loadConfig(definition, file ? { file } : {}).config;
      } catch (error) {
        logger.error({ refused: error instanceof ConfigErrors ? error.errors.map((e) => e.message) : String(error) }, "reload refused: config invalid, the running config stays");
        return;
      }
      const changed = configChanges(config, next);
      logger.level = next.logging.level;
      server.limits.ratePerIp = next.server.rate_limit_per_ip;
      server.limits.rateWindowMs = next.server.rate_limit_window;
      running.reload?.(next);
      const needRestart = Object.keys(changed).filter((key) => !LIVE_KEYS.has(key));
      logger.info({ changed, needRestart }, "config reloaded");
      // Keys that need a restart keep their running value, so the next reload reports them again.
      const effective = structuredClone(next) as Record<string, Record<string, unknown>>;
      for (const key of needRestart) {
        const [section, name] = key.split(".") as [string, string];
        effective[section]![name] = (config as Record<string, Record<string, unknown>>)[section]?.[name];
      }
      config = effective as Config;
    });

    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, `${definition.service}: stopping`);
      setTimeout(() => die(new Error(`stop exceeded ${STOP_DEADLINE_MS} ms`), "stop took too long"), STOP_DEADLINE_MS).unref();
      server.markStopping();
      await server.app.close();
      await running.stop?.();
      await database?.close();
      logger.info(`${definition.service}: stopped`);
      process.exit(EXIT.ok);
    };
    process.on("SIGTERM", () => void stop("SIGTERM").catch((error) => die(error, "stop failed")));
    process.on("SIGINT", () => void stop("SIGINT").catch((error) => die(error, "stop failed")));
  })().catch((error: unknown) => die(error, `${definition.service}: start failed`));
}

const count = (text: string) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError("must be a whole number of at least 1");
  return value;
};

/** The command line every service shares: config validate|show|generate, start [--dry-run], migrate up|down. */
export function serviceCli<Extra extends z.ZodRawShape>(definition: ServiceDefinition<Extra>): Command {
  const program = new Command(`cloak-${definition.service}`).description(definition.description).version(definition.version);
  const config = program.command("config").description("validate, show or generate the configuration");
  config
    .command("validate")
    .description("check every key; print each refusal with key, value and reason")
    .option("--config <file>", "TOML file")
    .action((options: { config?: string }) => {
      loadOrExit(definition, options.config);
      process.stdout.write(`config valid: ${options.config ?? "defaults and environment"}\n`);
    });
  config
    .command("show")
    .description("print the effective config (file + environment + defaults) as JSON, URLs redacted; durations in ms")
    .option("--config <file>", "TOML file")
    .action((options: { config?: string }) => {
      process.stdout.write(`${JSON.stringify(redactConfig(loadOrExit(definition, options.config)), null, 2)}\n`);
    });
  config
    .command("generate")
    .description("write every key with its default and meaning")
    .option("--output <file>", "write here instead of stdout (refuses to overwrite without --force)")
    .option("--force", "overwrite --output")
    .action((options: { output?: string; force?: boolean }) => {
      const text = generateConfig(definition);
      if (!options.output) return void process.stdout.write(text);
      if (existsSync(options.output) && !options.force) {
        process.stderr.write(`${options.output} exists; pass --force to overwrite\n`);
        process.exit(EXIT.failure);
      }
      writeFileSync(options.output, text);
    });
  program
    .command("start")
    .description("run the service")
    .option("--config <file>", "TOML file")
    .option("--dry-run", "validate, connect to the database and dependencies, print what it would do, exit")
    .action((options: { config?: string; dryRun?: boolean }) => runService(definition, options.config, Boolean(options.dryRun)));
  if (definition.migrationsDir) {
    program
      .command("migrate")
      .description("apply (up) or revert (down) database migrations")
      .argument("<direction>", "up or down")
      .option("--config <file>", "TOML file")
      .option("--count <n>", "how many (default: all up, one down)", count)
      .action(async (direction: string, options: { config?: string; count?: number }) => {
        if (direction !== "up" && direction !== "down") return program.error(`direction must be up or down, not ${JSON.stringify(direction)}`);
        const loaded = loadOrExit(definition, options.config);
        const logger = createLogger({ service: definition.service, version: definition.version, logging: loaded.logging });
        const database = await openDatabase({ service: definition.service, config: loaded.database, logger, migrationsDir: definition.migrationsDir! });
        try {
          const names = await database.migrate(direction, options.count);
          process.stdout.write(`${direction}: ${names.length === 0 ? "nothing to do" : names.join(", ")}\n`);
        } finally {
          await database.close();
        }
      });
  }
  return program;
}
