import { readFileSync } from "node:fs";
import { parse as parseToml, TomlError } from "smol-toml";
import type { z } from "zod";
import { ConfigError, ConfigErrors } from "../errors.ts";
import { configSchema, type BaseConfig, type ConfigSpec, type SectionName } from "./schema.ts";

type Raw = Record<string, unknown>;
export type EnvCoerce = "number" | "string" | "list" | "boolean";

export interface EnvOverride {
  readonly name: string;
  /** Section and key; a service's own sections (ConfigSpec.extra) are named like the base ones. */
  readonly key: readonly [SectionName | (string & {}), string];
  readonly coerce: EnvCoerce;
}

/** The runbook's variable names (000_* Service Configuration); the service prefix gives INDEXER_PORT etc. */
export function envOverrides(envPrefix: string): readonly EnvOverride[] {
  return [
    { name: `${envPrefix}_PORT`, key: ["server", "port"], coerce: "number" },
    { name: `${envPrefix}_HOST`, key: ["server", "host"], coerce: "string" },
    { name: `${envPrefix}_WORKERS`, key: ["server", "workers"], coerce: "number" },
    { name: `${envPrefix}_LOG_LEVEL`, key: ["logging", "level"], coerce: "string" },
    { name: `${envPrefix}_LOG_FORMAT`, key: ["logging", "format"], coerce: "string" },
    { name: "DATABASE_URL", key: ["database", "url"], coerce: "string" },
    { name: "DATABASE_POOL_SIZE", key: ["database", "pool_size"], coerce: "number" },
    { name: "DATABASE_TIMEOUT", key: ["database", "timeout"], coerce: "string" },
    { name: "DATABASE_MAX_LIFETIME", key: ["database", "max_lifetime"], coerce: "string" },
    { name: "RPC_URL", key: ["solana", "rpc_url"], coerce: "string" },
    { name: "RPC_TIMEOUT", key: ["solana", "timeout"], coerce: "string" },
    { name: "RPC_RETRIES", key: ["solana", "retries"], coerce: "number" },
    { name: "RPC_RATE_LIMIT", key: ["solana", "rate_limit"], coerce: "number" },
    { name: "EVM_RPC_URLS", key: ["evm", "rpc_urls"], coerce: "list" },
    { name: "EVM_RPC_TIMEOUT", key: ["evm", "timeout"], coerce: "string" },
    { name: "EVM_RPC_RETRIES", key: ["evm", "retries"], coerce: "number" },
    { name: "EVM_CHAIN_ID", key: ["evm", "chain_id"], coerce: "number" },
    { name: "EVM_CONFIRMATIONS", key: ["evm", "confirmations"], coerce: "number" },
    { name: "MERKLE_TREE_DEPTH", key: ["merkle", "depth"], coerce: "number" },
    { name: "MERKLE_BATCH_SIZE", key: ["merkle", "batch_size"], coerce: "number" },
    { name: "MERKLE_CACHE_SIZE", key: ["merkle", "cache_size"], coerce: "number" },
  ];
}

function coerce(text: string, as: EnvCoerce): unknown {
  if (as === "boolean" && /^(true|false)$/i.test(text.trim())) return text.trim().toLowerCase() === "true";
  if (as === "list") return text.split(",").map((part) => part.trim()).filter(Boolean);
  // A number that does not parse stays text, so the schema refuses it naming the variable and its value.
  if (as === "number" && /^-?\d+(\.\d+)?$/.test(text.trim())) return Number(text);
  return text;
}

export interface LoadOptions {
  /** TOML file; without one, defaults and environment only. */
  readonly file?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export interface LoadedConfig<T> {
  readonly config: T;
  /** Which variable set each overridden key, e.g. "server.port" → "INDEXER_PORT". */
  readonly fromEnv: ReadonlyMap<string, string>;
}

/** Reads the TOML file, applies the environment, validates every key; throws ConfigErrors naming each bad one. */
export function loadConfig<Extra extends z.ZodRawShape>(spec: ConfigSpec<Extra>, options: LoadOptions = {}) {
  const raw: Raw = options.file ? readToml(options.file) : {};
  const fromEnv = new Map<string, string>();
  const env = options.env ?? process.env;
  for (const override of [...envOverrides(spec.envPrefix), ...(spec.env ?? [])]) {
    const text = env[override.name];
    const [section, key] = override.key;
    const known = (spec.sections as readonly string[]).includes(section) || Object.hasOwn(spec.extra ?? {}, section);
    if (text === undefined || text === "" || !known) continue;
    const target = (raw[section] ??= {}) as Raw;
    target[key] = coerce(text, override.coerce);
    fromEnv.set(`${section}.${key}`, override.name);
  }
  const schema = configSchema(spec);
  const result = schema.safeParse(raw);
  if (!result.success) throw new ConfigErrors(result.error.issues.flatMap((issue) => toConfigErrors(issue, raw, fromEnv)));
  // Typed as every base section; only those in spec.sections are present.
  return { config: result.data, fromEnv } as unknown as LoadedConfig<BaseConfig & z.output<z.ZodObject<Extra>>>;
}

function readToml(file: string): Raw {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigErrors([new ConfigError("--config", file, `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)]);
  }
  try {
    return parseToml(text) as Raw;
  } catch (error) {
    const reason = error instanceof TomlError ? `not TOML (line ${error.line}, column ${error.column})` : "not TOML";
    throw new ConfigErrors([new ConfigError("--config", file, reason)]);
  }
}

function valueAt(raw: Raw, path: readonly PropertyKey[]): unknown {
  let node: unknown = raw;
  for (const step of path) node = node === null || typeof node !== "object" ? undefined : (node as Raw)[step as string];
  return node;
}

function keyName(path: readonly PropertyKey[], fromEnv: ReadonlyMap<string, string>): string {
  const key = path.map(String).join(".");
  const variable = fromEnv.get(path.slice(0, 2).map(String).join("."));
  return variable ? `${key} (${variable})` : key;
}

function toConfigErrors(issue: z.core.$ZodIssue, raw: Raw, fromEnv: ReadonlyMap<string, string>): ConfigError[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((unknownKey) => {
      const path = [...issue.path, unknownKey];
      return new ConfigError(keyName(path, fromEnv), valueAt(raw, path), "unknown key");
    });
  }
  const value = valueAt(raw, issue.path);
  const reason = issue.code === "invalid_type" && value === undefined ? "is required" : issue.message;
  return [new ConfigError(keyName(issue.path, fromEnv), value, reason)];
}
