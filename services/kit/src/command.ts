// What every service's operator command (beyond config/start/migrate) starts from: the config as
// `start` reads it, the database migrated up, a logger on stderr, and a way to fail with a message and
// an exit code. Results go to stdout, one line each, so they can be piped.
import pino, { type Logger } from "pino";
import type { z } from "zod";
import type { BaseConfig } from "./config/schema.ts";
import { loadConfig } from "./config/load.ts";
import { openDatabase, type Database } from "./database/database.ts";
import { ConfigErrors } from "./errors.ts";
import { createLogger } from "./logger.ts";
import { EXIT, type ServiceDefinition } from "./service.ts";

/** A refusal or failure a command reports as `<command>: <message>` and exits with. */
export class CommandFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = "CommandFailure";
  }
}

export interface ServiceCommandContext<Config> {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: Database;
  /** One line of the command's result, on stdout. */
  print(line: string): void;
}

/**
 * Runs `body` with the service's context, then closes the database (and an embedded server) and exits:
 * 0, the failure's exit code with `<command>: <message>` on stderr, or 2 for an invalid config.
 */
export async function runServiceCommand<Extra extends z.ZodRawShape>(
  definition: ServiceDefinition<Extra>,
  command: string,
  configFile: string | undefined,
  body: (context: ServiceCommandContext<BaseConfig & z.output<z.ZodObject<Extra>>>) => Promise<void>,
): Promise<never> {
  let config: BaseConfig & z.output<z.ZodObject<Extra>>;
  try {
    config = loadConfig(definition, configFile ? { file: configFile } : {}).config;
  } catch (error) {
    if (!(error instanceof ConfigErrors)) throw error;
    for (const refusal of error.errors) process.stderr.write(`invalid config: ${refusal.message}\n`);
    process.exit(EXIT.invalidConfig);
  }
  const logger = createLogger({ service: definition.service, version: definition.version, logging: config.logging, destination: pino.destination({ dest: 2, sync: true }) });
  let database: Database | undefined;
  let code: number = EXIT.ok;
  try {
    if (!definition.migrationsDir) throw new CommandFailure(`${definition.service} has no database`);
    database = await openDatabase({ service: definition.service, config: config.database, logger, migrationsDir: definition.migrationsDir });
    await database.migrate("up");
    await body({ config, logger, database, print: (line) => process.stdout.write(`${line}\n`) });
  } catch (error) {
    code = error instanceof CommandFailure ? error.exitCode : EXIT.failure;
    process.stderr.write(`${command}: ${error instanceof Error ? error.message : String(error)}\n`);
  } finally {
    await database?.close().catch(() => undefined);
  }
  process.exit(code);
}
