import { z } from "zod";
import { parseDuration } from "./duration.ts";
import type { EnvOverride } from "./load.ts";

/** The join-split circuit proves membership in a depth-20 tree (circuits/artifacts/transaction_20). */
export const CIRCUIT_TREE_DEPTH = 20;

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** A duration written as the runbooks do ("30s", "1m", "500ms"), parsed to milliseconds. */
export const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, context) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        context.addIssue({ code: "custom", message: 'not a duration: write a number and a unit, e.g. "30s", "500ms", "1m"' });
        return z.NEVER;
      }
      return ms;
    });

/** A whole number in [min, max], refused with the reason in the runbooks' words; services use it for their own keys. */
export const integer = (min: number, max: number) =>
  z
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

const url = (protocols: readonly string[]) =>
  z.string().refine(
    (text) => {
      try {
        return protocols.includes(new URL(text).protocol);
      } catch {
        return false;
      }
    },
    { error: `must be a URL with scheme ${protocols.map((p) => p.replace(":", "")).join(" or ")}` },
  );

const base58Address = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, { error: "must be a base58 Solana address" });

export const serverSection = (defaultPort: number) =>
  z
    .strictObject({
      port: integer(1, 65_535).default(defaultPort).describe("TCP port of the HTTP API and the ops endpoints"),
      host: z.string().min(1).default("127.0.0.1").describe('address to listen on ("0.0.0.0" for every interface)'),
      workers: integer(1, 10_000)
        .default(8)
        .describe("requests served at once in this one process (state is not copied into N processes); more wait"),
      rate_limit_per_ip: integer(1, 1_000_000).default(1000).describe("requests one client IP may make per window"),
      rate_limit_window: duration("1m").describe("the rate limit's window"),
      cors_origins: z.array(z.string()).default([]).describe('origins browsers may call from ("*" for any); empty: none'),
    })
    .prefault({});

export const databaseSection = z
  .strictObject({
    url: url(["postgres:", "postgresql:"])
      .optional()
      .describe("PostgreSQL server; unset: an embedded PostgreSQL the service starts in embedded_dir"),
    pool_size: integer(1, 1_000).default(20).describe("connections in the pool"),
    timeout: duration("30s").describe("connect and statement timeout"),
    max_lifetime: duration("3600s").describe("a pooled connection is replaced after this long"),
    embedded_dir: z.string().min(1).optional().describe("data directory of the embedded PostgreSQL (default .data/<service>/postgres)"),
  })
  .prefault({});

export const solanaSection = z
  .strictObject({
    rpc_url: url(["http:", "https:"]).default("http://127.0.0.1:8899").describe("Solana JSON-RPC endpoint"),
    rpc_urls: z
      .array(url(["http:", "https:"]))
      .min(1, { error: "needs at least one RPC URL" })
      .optional()
      .describe("JSON-RPC endpoints tried in order (failover) by services that send; default [rpc_url]"),
    timeout: duration("30s").describe("one RPC call's timeout"),
    retries: integer(0, 100).default(3).describe("retries of a failed RPC call, with backoff"),
    rate_limit: integer(1, 100_000).default(100).describe("RPC calls per second at most"),
    commitment: z.enum(["confirmed", "finalized"]).default("confirmed").describe("commitment level read"),
    deployment: z.string().min(1).optional().describe("deployment file (deployments/solana-<cluster>.json)"),
    shield_pool_program_id: base58Address.optional().describe("shield-pool program id (default: the deployment file's)"),
    scramble_registry_program_id: base58Address.optional().describe("scramble-registry program id (default: the deployment file's)"),
  })
  .prefault({});

export const evmSection = z
  .strictObject({
    rpc_urls: z
      .array(url(["http:", "https:", "ws:", "wss:"]))
      .min(1, { error: "needs at least one RPC URL" })
      .default(["http://127.0.0.1:8545"])
      .describe("JSON-RPC endpoints, tried in order (failover)"),
    timeout: duration("30s").describe("one RPC call's timeout"),
    retries: integer(0, 100).default(3).describe("retries of a failed RPC call, with backoff, moving down rpc_urls"),
    chain_id: integer(1, Number.MAX_SAFE_INTEGER).default(31337).describe("chain id the endpoints must report"),
    confirmations: integer(0, 1_000).default(2).describe("blocks on top before a block is read"),
    deployment: z.string().min(1).optional().describe("deployment file (deployments/<network>.json)"),
  })
  .prefault({});

export const merkleSection = z
  .strictObject({
    depth: z
      .number({ error: "must be a number" })
      .refine((depth) => depth === CIRCUIT_TREE_DEPTH, {
        error: `the circuit proves membership in a depth-${CIRCUIT_TREE_DEPTH} tree; a tree of another depth cannot be proven against`,
      })
      .default(CIRCUIT_TREE_DEPTH)
      .describe(`tree depth; must be the circuit's, ${CIRCUIT_TREE_DEPTH}`),
    batch_size: integer(1, 1_000_000).default(1000).describe("leaves committed per batch"),
    cache_size: integer(0, 100_000_000).default(10_000).describe("Merkle paths kept in memory"),
    update_interval: duration("1s").describe("how often new leaves are applied"),
  })
  .prefault({});

export const loggingSection = z
  .strictObject({
    level: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).default("info").describe("log level"),
    format: z.enum(["json", "pretty"], { error: 'must be "json" or "pretty"' }).default("json").describe('"json" (one object a line) or "pretty" (a terminal)'),
  })
  .prefault({});

export const BASE_SECTIONS = {
  server: serverSection,
  database: () => databaseSection,
  solana: () => solanaSection,
  evm: () => evmSection,
  merkle: () => merkleSection,
  logging: () => loggingSection,
} as const;

export type SectionName = keyof typeof BASE_SECTIONS;

/** Which sections a service reads, and any of its own (validated the same way). */
export interface ConfigSpec<Extra extends z.ZodRawShape = {}> {
  /** Service name, e.g. "indexer": names the embedded database directory and the CLI. */
  readonly service: string;
  /** Prefix of the service's own variables: INDEXER gives INDEXER_PORT, INDEXER_HOST, INDEXER_LOG_LEVEL. */
  readonly envPrefix: string;
  readonly defaultPort: number;
  readonly sections: readonly SectionName[];
  readonly extra?: Extra;
  /** The service's own variables (the runbook's, e.g. WORKER_COUNT → workers.count), beside the shared ones. */
  readonly env?: readonly EnvOverride[];
}

export function configSchema<Extra extends z.ZodRawShape>(spec: ConfigSpec<Extra>) {
  const shape: Record<string, z.ZodType> = {};
  for (const name of spec.sections) {
    shape[name] = name === "server" ? serverSection(spec.defaultPort) : BASE_SECTIONS[name]();
  }
  return z.strictObject({ ...shape, ...(spec.extra ?? {}) });
}

/** The parsed config: every section present with defaults filled in, durations in milliseconds. */
export interface BaseConfig {
  server: z.output<ReturnType<typeof serverSection>>;
  database: z.output<typeof databaseSection>;
  solana: z.output<typeof solanaSection>;
  evm: z.output<typeof evmSection>;
  merkle: z.output<typeof merkleSection>;
  logging: z.output<typeof loggingSection>;
}
