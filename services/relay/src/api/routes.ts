import { toHex32 } from "@cloak/sdk";
import { errorSchema } from "@cloak/service-kit";
import { getAddress } from "ethers";
import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import { RelayError, RelayErrorCode } from "../errors.ts";
import {
  evmRelayRequestSchema,
  parseEvmRelayRequest,
  parseSolanaRelayRequest,
  solanaRelayRequestSchema,
  type EvmIntake,
  type EvmQuote,
  type IntakePool,
  type SolanaIntake,
  type SolanaIntakePool,
  type SolanaQuote,
} from "../intake/index.ts";
import type { Job, JobQueue } from "../queue/index.ts";
import type { RelayMetrics } from "../relay-metrics.ts";

/** Refusals about the request itself (400) and about the chain's state or the relay's (409); the rest are the relay's own failures. */
const REQUEST_REFUSALS = new Set<RelayErrorCode>([
  RelayErrorCode.INVALID_REQUEST,
  RelayErrorCode.UNKNOWN_POOL,
  RelayErrorCode.WRONG_CHAIN,
  RelayErrorCode.POOL_MISMATCH,
  RelayErrorCode.NOT_A_WITHDRAWAL,
  RelayErrorCode.WRONG_RELAYER,
  RelayErrorCode.EXT_DATA_MISMATCH,
  RelayErrorCode.PUBLIC_AMOUNT_MISMATCH,
  RelayErrorCode.DUPLICATE_NULLIFIER,
  RelayErrorCode.INVALID_PROOF,
  RelayErrorCode.FEE_TOO_LOW,
  RelayErrorCode.RETIRED_VERIFYING_KEY,
  RelayErrorCode.WRONG_PROGRAM,
]);
const STATE_REFUSALS = new Set<RelayErrorCode>([RelayErrorCode.POOL_PAUSED, RelayErrorCode.RELAYER_NOT_REGISTERED, RelayErrorCode.UNKNOWN_ROOT, RelayErrorCode.NULLIFIER_SPENT]);

const jobSchema = {
  type: "object",
  required: ["id", "state", "chain", "pool", "attempts", "createdAt", "updatedAt"],
  properties: {
    id: { type: "string" },
    state: { type: "string", enum: ["queued", "processing", "sent", "confirmed", "failed", "dead", "cancelled"] },
    chain: { type: "string", enum: ["evm", "solana"] },
    pool: { type: "string" },
    attempts: { type: "integer" },
    txHash: { type: ["string", "null"] },
    reason: { type: ["string", "null"] },
    createdAt: { type: "string", format: "date-time" },
    updatedAt: { type: "string", format: "date-time" },
  },
} as const;

const quoteSchema = {
  type: "object",
  required: ["pool", "chain", "kind", "fee", "expiresAt"],
  properties: {
    pool: { type: "string" },
    chain: { type: "string", enum: ["evm", "solana"] },
    kind: { type: "string", enum: ["withdraw"] },
    fee: { type: "string", description: "the least fee accepted, in the pool asset's base units" },
    expiresAt: { type: "string", format: "date-time" },
    gasLimit: { type: "string", description: "EVM: the gas a relayed withdrawal uses" },
    maxFeePerGas: { type: "string", description: "EVM: the fee per gas quoted with" },
    computeUnits: { type: "string", description: "Solana: the compute budget requested per transaction" },
    priorityFeeMicrolamports: { type: "string", description: "Solana: the compute-unit price quoted with" },
  },
} as const;

/** A pool by its EVM address or its Solana account (base58). */
const POOL = "^(?:0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{32,44})$";

/** The transact body as JSON Schema, from the intakes' zod schemas (one source for both), told apart by `chain`. */
const { $schema: _dialect, ...requestBodySchema } = z.toJSONSchema(z.union([evmRelayRequestSchema, solanaRelayRequestSchema]), { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
const errors = { 400: errorSchema, 404: errorSchema, 409: errorSchema } as const;

export interface RelayApiOptions {
  readonly app: FastifyInstance;
  readonly queue: JobQueue;
  readonly intake: EvmIntake;
  readonly pools: readonly IntakePool[];
  readonly relayer: string;
  readonly chainId: bigint;
  readonly quote: (pool: IntakePool) => Promise<EvmQuote>;
  readonly metrics: RelayMetrics;
  readonly version: string;
  readonly limits: { max_body_bytes: number };
  /** Present when the relay serves Solana: its intake, relayer key (base58), shield pool program and quote. */
  readonly solana?: SolanaApiOptions;
}

export interface SolanaApiOptions {
  readonly intake: SolanaIntake;
  readonly relayer: string;
  readonly program: string;
  readonly quote: (pool: SolanaIntakePool) => Promise<SolanaQuote>;
}

/** The chain a transact body names; anything but "solana" is left to the EVM intake, whose schema then refuses it. */
const chainOf = (body: unknown): unknown => (typeof body === "object" && body !== null ? (body as { chain?: unknown }).chain : undefined);

export function jobView(job: Job) {
  return { id: job.id, state: job.state, chain: job.chain, pool: job.pool, attempts: job.attempts, txHash: job.txHash, reason: job.reason, createdAt: job.createdAt.toISOString(), updatedAt: job.updatedAt.toISOString() };
}

async function findExisting(queue: JobQueue, body: unknown): Promise<Job | undefined> {
  let found: { chain: "evm" | "solana"; pool: string; publicSignals: bigint[] };
  try {
    if (chainOf(body) === "solana") {
      const parsed = parseSolanaRelayRequest(body);
      found = { chain: "solana", pool: parsed.pool.toBase58(), publicSignals: parsed.publicSignals };
    } else {
      const parsed = parseEvmRelayRequest(body);
      found = { chain: "evm", pool: getAddress(parsed.pool), publicSignals: parsed.publicSignals };
    }
  } catch {
    return undefined;
  }
  const [, , , nullifier0, nullifier1] = found.publicSignals;
  if (nullifier0 === undefined || nullifier1 === undefined) return undefined;
  return queue.findByNullifiers(found.chain, found.pool, [toHex32(nullifier0), toHex32(nullifier1)]);
}

function refuse(reply: FastifyReply, error: RelayError) {
  const status = REQUEST_REFUSALS.has(error.code) ? 400 : STATE_REFUSALS.has(error.code) ? 409 : 503;
  return reply.code(status).send({ error: error.code, message: error.message });
}

/** The intake under /api/v1: info, quote, transact, a job's status, the queue's. */
export function registerRelayRoutes(options: RelayApiOptions): void {
  const { app, queue, intake, metrics, solana } = options;
  const tags = ["relay"];
  const findPool = (address: string) => options.pools.find((pool) => pool.address.toLowerCase() === address.toLowerCase());

  app.get("/api/v1/info", {
    schema: {
      tags,
      summary: "The chains and pools this relay serves, its address on each, its fee policy and limits",
      response: {
        200: {
          type: "object",
          required: ["version", "chains", "limits"],
          properties: {
            version: { type: "string" },
            chains: {
              type: "object",
              properties: {
                evm: {
                  type: "object",
                  required: ["chainId", "relayer", "pools"],
                  properties: {
                    chainId: { type: "string" },
                    relayer: { type: "string" },
                    pools: { type: "array", items: { type: "object", required: ["address", "asset"], properties: { address: { type: "string" }, asset: { type: "string" } } } },
                  },
                },
                solana: {
                  type: "object",
                  required: ["program", "relayer", "pools"],
                  properties: {
                    program: { type: "string" },
                    relayer: { type: "string" },
                    pools: { type: "array", items: { type: "object", required: ["address", "mint"], properties: { address: { type: "string" }, mint: { type: "string" } } } },
                  },
                },
              },
            },
            limits: { type: "object", properties: { maxBodyBytes: { type: "integer" } } },
          },
        },
      },
    },
  }, async () => ({
    version: options.version,
    chains: {
      evm: { chainId: options.chainId.toString(), relayer: options.relayer, pools: options.pools.map((pool) => ({ address: pool.address, asset: pool.asset })) },
      ...(solana ? { solana: { program: solana.program, relayer: solana.relayer, pools: solana.intake.pools.map((pool) => ({ address: pool.address, mint: pool.mint })) } } : {}),
    },
    limits: { maxBodyBytes: options.limits.max_body_bytes },
  }));

  app.get<{ Querystring: { pool: string; kind: "withdraw" } }>(
    "/api/v1/quote",
    {
      schema: {
        tags,
        summary: "The fee the relay accepts now for a withdrawal from a pool, and until when",
        querystring: { type: "object", required: ["pool"], additionalProperties: false, properties: { pool: { type: "string", pattern: POOL }, kind: { type: "string", enum: ["withdraw"], default: "withdraw" } } },
        response: { 200: quoteSchema, ...errors },
      },
    },
    async (request, reply) => {
      const solanaPool = solana?.intake.pools.find((candidate) => candidate.address === request.query.pool);
      if (solana && solanaPool) {
        const quote = await solana.quote(solanaPool);
        return {
          pool: solanaPool.address,
          chain: "solana",
          kind: request.query.kind,
          fee: quote.fee.toString(),
          expiresAt: quote.expiresAt.toISOString(),
          computeUnits: quote.computeUnits.toString(),
          priorityFeeMicrolamports: quote.priorityFeeMicrolamports.toString(),
        };
      }
      const pool = findPool(request.query.pool);
      if (!pool) return reply.code(404).send({ error: RelayErrorCode.UNKNOWN_POOL, message: `pool: ${request.query.pool} is not a pool this relay serves` });
      const quote = await options.quote(pool);
      return { pool: pool.address, chain: "evm", kind: request.query.kind, fee: quote.fee.toString(), expiresAt: quote.expiresAt.toISOString(), gasLimit: quote.gasLimit.toString(), maxFeePerGas: quote.maxFeePerGas.toString() };
    },
  );

  app.post<{ Body: unknown }>(
    "/api/v1/transact",
    {
      bodyLimit: options.limits.max_body_bytes,
      // The intake validates the body with its zod schema (one refusal naming the field); the JSON schema
      // below documents it in the OpenAPI document.
      validatorCompiler: () => () => true,
      schema: {
        tags,
        summary: "Submit a withdrawal (proof, public signals, extData): 202 with its job when every check passes; the same nullifiers again answer the same job",
        body: requestBodySchema,
        response: {
          202: { type: "object", required: ["job", "created"], properties: { job: jobSchema, created: { type: "boolean" } } },
          200: { type: "object", required: ["job", "created"], properties: { job: jobSchema, created: { type: "boolean" } } },
          ...errors,
          503: errorSchema,
        },
      },
    },
    async (request, reply) => {
      // The same withdrawal again (a wallet retrying) is answered with its job, whatever became of it:
      // by now its nullifiers may be spent by that very job, which the intake would refuse.
      const existing = await findExisting(queue, request.body);
      if (existing) return reply.code(200).send({ job: jobView(existing), created: false });
      // Draining (a relayer key rotation, maintenance): a new job would wait, bound by its proof to this
      // relayer's address, for a key that may be gone; the wallet should go to another relay now.
      if (await queue.draining()) {
        return reply.code(503).send({ error: RelayErrorCode.DRAINING, message: "the relay is draining and takes no new withdrawals; try another relay, or later" });
      }
      const chain = chainOf(request.body) === "solana" ? "solana" : "evm";
      if (chain === "solana" && !solana) {
        metrics.refusalsTotal.inc({ reason: RelayErrorCode.INVALID_REQUEST });
        return refuse(reply, new RelayError(RelayErrorCode.INVALID_REQUEST, "chain: this relay does not serve Solana"));
      }
      let accepted: { pool: string; nullifiers: [string, string]; fee: bigint };
      try {
        accepted = chain === "solana" ? await solana!.intake.check(request.body) : await intake.check(request.body);
      } catch (error) {
        if (!(error instanceof RelayError)) {
          // The chain could not be asked (RPC down, timeout): the request may be fine; try again later.
          request.log.warn({ err: error }, "transact: checks could not be completed");
          return reply.code(503).send({ error: "UNAVAILABLE", message: "the withdrawal could not be checked against the chain right now; try again" });
        }
        metrics.refusalsTotal.inc({ reason: error.code });
        return refuse(reply, error);
      }
      const { job, created } = await queue.enqueue({ chain, pool: accepted.pool, nullifiers: accepted.nullifiers, fee: accepted.fee, request: request.body as never });
      if (created) metrics.withdrawalsTotal.inc({ chain });
      return reply.code(created ? 202 : 200).send({ job: jobView(job), created });
    },
  );

  app.get<{ Params: { id: string } }>(
    "/api/v1/jobs/:id",
    {
      schema: {
        tags,
        summary: "A job's state: queued, processing, sent (with its transaction), confirmed, failed or dead (with the reason), cancelled",
        params: { type: "object", required: ["id"], properties: { id: { type: "string", format: "uuid" } } },
        response: { 200: jobSchema, ...errors },
      },
    },
    async (request, reply) => {
      const job = await queue.get(request.params.id);
      if (!job) return reply.code(404).send({ error: RelayErrorCode.JOB_NOT_FOUND, message: `no job ${request.params.id}` });
      return jobView(job);
    },
  );

  app.get("/api/v1/queue/status", {
    schema: {
      tags,
      summary: "Jobs by state and the oldest queued job's age",
      response: {
        200: {
          type: "object",
          required: ["byState", "oldestQueuedAgeMs", "draining"],
          properties: { byState: { type: "object", additionalProperties: { type: "integer" } }, oldestQueuedAgeMs: { type: ["number", "null"] }, draining: { type: "boolean" } },
        },
      },
    },
  }, async () => {
    const counts = await queue.counts();
    return { byState: counts.byState, oldestQueuedAgeMs: counts.oldestQueuedAgeMs, draining: await queue.draining() };
  });
}
