import { duration, integer, type BaseConfig, type EnvOverride } from "@cloak/service-kit";
import { z } from "zod";

/**
 * A non-negative amount in the chain's smallest unit (wei, lamports), written as a string or a whole
 * number; kept as its decimal text (JSON, and so `config show`, has no bigint): BigInt(value) where used.
 */
const amount = (fallback: string) =>
  z
    .union([z.string(), z.number()])
    .default(fallback)
    .transform((value, context) => {
      const text = String(value).trim();
      if (!/^\d+$/.test(text)) {
        context.addIssue({ code: "custom", message: "must be a whole, non-negative amount in the chain's smallest unit (wei, lamports)" });
        return z.NEVER;
      }
      return text;
    });

/**
 * `[workers]`: the job senders. The Cloak runbook's section (count, timeout, retries, backoff_multiplier)
 * with the PER runbook's schedule as defaults: 5 attempts after the first, from 1 s, doubling.
 */
export const workersSection = z
  .strictObject({
    count: integer(1, 1000).default(10).describe("jobs processed at once by this process"),
    timeout: duration("300s").describe("one job attempt's limit (submission and confirmation)"),
    retries: integer(0, 100).default(5).describe("further attempts after a failed one; then the job is dead (dead-letter)"),
    initial_backoff: duration("1s").describe("wait before the first retry"),
    backoff_multiplier: z.number({ error: "must be a number" }).min(1, { error: "must be at least 1" }).max(10, { error: "must be at most 10" }).default(2).describe("each further retry waits this many times longer"),
  })
  .prefault({});

/** `[pow]`: finding and consuming a miner's revealed claim when a Solana pool requires proof of work. */
export const powSection = z
  .strictObject({
    enabled: z.boolean({ error: "must be true or false" }).default(true).describe("consume a PoW claim when the pool requires one"),
    claim_cache_ttl: duration("300s").describe("how long a listing of usable claims is reused"),
    search_timeout: duration("10s").describe("how long to look for a usable claim before the attempt fails"),
  })
  .prefault({});

/** `[transaction]`: how Solana transactions are sent. Jito bundles cannot be tested here and are refused. */
export const transactionSection = z
  .strictObject({
    priority_fee_microlamports: integer(0, 10_000_000).default(1000).describe("compute-unit price (micro-lamports per CU)"),
    // A relayed SOL withdrawal spends ≈ 131,500 CU measured and computed (docs/solana.md "Compute units":
    // Groth16 104,711 and the tree insert 17,229 measured on SBPF, the CPIs computed) plus ≥ 2,300 for
    // the PoW gate; Anchor's account checks are not measured. 200,000 leaves ≈ 50 % (≈ 66,000 CU) for
    // them, where the runbook's 1,000,000 and the SDK's 400,000 make the transaction harder to pack.
    compute_budget_cu: integer(1, 1_400_000).default(200_000).describe("compute-unit limit requested per transaction (default: ≈ 134,000 CU measured and computed for a PoW-gated withdrawal, plus ≈ 50 % for Anchor)"),
    jito_enabled: z
      .boolean({ error: "must be true or false" })
      .default(false)
      .refine((enabled) => !enabled, { error: "Jito bundles are not supported: they cannot be tested without Jito's block engine; set jito_enabled = false" })
      .describe("must be false: Jito bundles are not supported"),
    jito_tip_lamports: integer(0, 1_000_000_000).default(10_000).describe("kept for the runbook's config; unused while jito_enabled is false"),
  })
  .prefault({});

/** `[fees]`: what a withdrawal must pay the relay. */
export const feesSection = z
  .strictObject({
    margin_percent: z.number({ error: "must be a number" }).min(0, { error: "must be at least 0" }).max(1000, { error: "must be at most 1000" }).default(20).describe("added to the estimated cost of the transaction"),
    quote_ttl: duration("60s").describe("how long a quote is honoured"),
    evm_gas_price_wei: z
      .string()
      .regex(/^\d+$/, { error: "must be a whole number of wei, as a string" })
      .optional()
      .describe("quote with this gas price instead of the node's fee data (a local chain, or a chain whose node suggests badly)"),
    token_prices: z
      .record(z.string(), z.number({ error: "must be a number" }).positive({ error: "must be positive" }))
      .default({})
      .describe("native-currency price of one base unit of each token pool's asset, by asset address or mint (until an oracle is wired)"),
  })
  .prefault({});

/** `[keys]`: the signing keys. Secrets never come from this file: only where they are. */
export const keysSection = z
  .strictObject({
    evm_keystore: z.string().min(1).optional().describe("encrypted JSON keystore of the EVM relayer key (owner-only permissions)"),
    evm_password_file: z.string().min(1).optional().describe("file holding the keystore password (owner-only permissions); else the RELAY_EVM_KEYSTORE_PASSWORD variable"),
    solana_keypair: z.string().min(1).optional().describe("Solana relayer keypair file, the solana CLI's format (owner-only permissions)"),
  })
  .prefault({});

/** `[balance]`: the relayer accounts' balance thresholds (the PIL runbook's 1 ETH / 0.1 ETH). */
export const balanceSection = z
  .strictObject({
    evm_warning_wei: amount("1000000000000000000").describe("below this the balance gauge is a warning"),
    evm_critical_wei: amount("100000000000000000").describe("below this /ready answers 503"),
    solana_warning_lamports: amount("10000000000").describe("below this the balance gauge is a warning"),
    solana_critical_lamports: amount("1000000000").describe("below this /ready answers 503"),
  })
  .prefault({});

/** `[limiter]`: the intake's limits beside the kit's per-IP rate limit (`[server] rate_limit_per_ip`). */
export const limiterSection = z
  .strictObject({
    max_connections: integer(1, 1_000_000).default(1000).describe("open connections at once; more are refused"),
    max_body_bytes: integer(1024, 10_485_760).default(65_536).describe("largest request body"),
  })
  .prefault({});

export const RELAY_SPEC = {
  service: "relay",
  envPrefix: "RELAY",
  defaultPort: 3002,
  sections: ["server", "database", "evm", "solana", "logging"],
  extra: {
    workers: workersSection,
    pow: powSection,
    transaction: transactionSection,
    fees: feesSection,
    keys: keysSection,
    balance: balanceSection,
    limiter: limiterSection,
  },
  /** The Cloak runbook's relay variables (000_* Relay Configuration). */
  env: [
    { name: "WORKER_COUNT", key: ["workers", "count"], coerce: "number" },
    { name: "WORKER_TIMEOUT", key: ["workers", "timeout"], coerce: "string" },
    { name: "WORKER_RETRIES", key: ["workers", "retries"], coerce: "number" },
    { name: "POW_ENABLED", key: ["pow", "enabled"], coerce: "boolean" },
    { name: "POW_CLAIM_CACHE_TTL", key: ["pow", "claim_cache_ttl"], coerce: "string" },
    { name: "POW_CLAIM_SEARCH_TIMEOUT", key: ["pow", "search_timeout"], coerce: "string" },
    { name: "PRIORITY_FEE_MICROLAMPORTS", key: ["transaction", "priority_fee_microlamports"], coerce: "number" },
    { name: "COMPUTE_BUDGET_CU", key: ["transaction", "compute_budget_cu"], coerce: "number" },
    { name: "JITO_ENABLED", key: ["transaction", "jito_enabled"], coerce: "boolean" },
    { name: "JITO_TIP_LAMPORTS", key: ["transaction", "jito_tip_lamports"], coerce: "number" },
  ] satisfies EnvOverride[],
} as const;

export type RelayConfig = BaseConfig & {
  workers: z.output<typeof workersSection>;
  pow: z.output<typeof powSection>;
  transaction: z.output<typeof transactionSection>;
  fees: z.output<typeof feesSection>;
  keys: z.output<typeof keysSection>;
  balance: z.output<typeof balanceSection>;
  limiter: z.output<typeof limiterSection>;
};
