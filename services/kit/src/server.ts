import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from "fastify";
import pg from "pg";
import type { Logger } from "pino";
import type { BaseConfig } from "./config/schema.ts";
import type { ServiceMetrics } from "./metrics.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** A long-lived response (Server-Sent Events): not counted against `[server] workers`. */
    stream?: boolean;
  }
}

export type HealthStatus = "healthy" | "degraded" | "critical";
type Probe = () => HealthStatus | Promise<HealthStatus>;

/** What a service tells the ops endpoints about itself. */
export interface ServiceProbes {
  /** The database's state (the kit fills it in from the pool when the service has one). */
  readonly database?: Probe;
  /** One probe per chain or endpoint, e.g. { evm: …, solana: … }. */
  readonly rpc?: Readonly<Record<string, Probe>>;
  /** The service's own consistency (e.g. the indexer's trees against the chain's roots); counts in `status`. */
  readonly state?: Probe;
  /** The service's own figures, merged into /health (for the indexer: last block per pool, lag). */
  readonly figures?: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Why the service cannot serve yet (empty: ready), e.g. "catching up", "root mismatch". */
  readonly notReady?: () => string[] | Promise<string[]>;
}

export interface ServerOptions {
  readonly service: string;
  readonly version: string;
  readonly server: BaseConfig["server"];
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** Read at each request, so a service can fill them in after it registered its routes. */
  readonly probes: ServiceProbes;
  /** More paths answering as /health (the indexer adds /api/v1/health, which the runbook's script calls). */
  readonly healthAliases?: readonly string[];
}

/** What can change without a restart (SIGHUP). */
export interface LiveLimits {
  ratePerIp: number;
  rateWindowMs: number;
}

export interface ServiceServer {
  readonly app: FastifyInstance;
  readonly limits: LiveLimits;
  /** From now on /ready answers 503 (a stop has begun). */
  markStopping(): void;
}

const STATUS_ORDER: readonly HealthStatus[] = ["healthy", "degraded", "critical"];
const worst = (statuses: HealthStatus[]): HealthStatus =>
  statuses.reduce((a, b) => (STATUS_ORDER.indexOf(b) > STATUS_ORDER.indexOf(a) ? b : a), "healthy" as HealthStatus);

const statusSchema = { type: "string", enum: STATUS_ORDER } as const;
const healthSchema = {
  type: "object",
  required: ["status", "uptime", "version", "services", "memory_usage", "cpu_usage"],
  additionalProperties: true,
  properties: {
    status: statusSchema,
    uptime: { type: "number", description: "seconds since the process started" },
    version: { type: "string" },
    services: {
      type: "object",
      required: ["metrics"],
      properties: {
        database: statusSchema,
        rpc: { type: "object", additionalProperties: statusSchema },
        state: statusSchema,
        metrics: statusSchema,
      },
    },
    memory_usage: { type: "integer", description: "resident set size, bytes" },
    cpu_usage: { type: "number", description: "percent of one core since the previous /health" },
  },
} as const;
const readySchema = {
  type: "object",
  required: ["ready"],
  properties: { ready: { type: "boolean" }, reasons: { type: "array", items: { type: "string" } } },
} as const;
const errorSchema = {
  type: "object",
  required: ["error", "message"],
  properties: { error: { type: "string" }, message: { type: "string" }, field: { type: "string" } },
} as const;

/** Ops endpoints are never rate limited nor queued: probes must answer while the API is busy. */
export const OPS_ROUTES = new Set(["/health", "/ready", "/live", "/metrics", "/metrics/prometheus", "/openapi.json"]);

/** `[server] workers`: requests served at once; the rest wait their turn in order. */
function concurrencyGate(limit: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return {
    async acquire() {
      if (active < limit) {
        active += 1;
        return;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    },
    release() {
      const next = waiting.shift();
      if (next) next();
      else active -= 1;
    },
  };
}

export async function createServer(options: ServerOptions): Promise<ServiceServer> {
  const { server, logger, metrics, probes } = options;
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger, forceCloseConnections: "idle", return503OnClosing: true }) as unknown as FastifyInstance;
  const limits: LiveLimits = { ratePerIp: server.rate_limit_per_ip, rateWindowMs: server.rate_limit_window };
  let stopping = false;
  const isOpsUrl = (url: string) => OPS_ROUTES.has(url) || (options.healthAliases ?? []).includes(url);
  const isOps = (request: FastifyRequest) => isOpsUrl(request.routeOptions.url ?? "");

  await app.register(swagger, {
    openapi: { openapi: "3.1.0", info: { title: `cloak-${options.service}`, version: options.version } },
  });
  // What the kit itself answers belongs in each route's documented responses, which the contract test
  // (scripts/schemathesis.sh) holds every answer to: the 400 naming the field wherever the route
  // validates its input, the 413 wherever it takes a body, and the 429 wherever the rate limit applies. Only routes that declare their
  // responses: adding one to a route without any would hide its default 200 from the document.
  app.addHook("onRoute", (route) => {
    const schema = route.schema;
    if (!schema?.response || schema.hide) return;
    const declared = schema.response as Record<string, unknown>;
    const kitAnswers: Record<string, unknown> = {};
    if ((schema.body || schema.querystring || schema.params || schema.headers) && !("400" in declared || "4xx" in declared)) kitAnswers["400"] = errorSchema;
    if (schema.body && !("413" in declared || "4xx" in declared)) kitAnswers["413"] = errorSchema;
    if (!isOpsUrl(route.url) && !("429" in declared || "4xx" in declared)) kitAnswers["429"] = errorSchema;
    // A copy: the route's schema objects may be shared with other routes.
    if (Object.keys(kitAnswers).length > 0) route.schema = { ...schema, response: { ...declared, ...kitAnswers } };
  });
  await app.register(cors, { origin: server.cors_origins.includes("*") ? true : server.cors_origins.length > 0 ? server.cors_origins : false });
  await app.register(rateLimit, {
    global: true,
    max: () => limits.ratePerIp,
    timeWindow: () => limits.rateWindowMs,
    allowList: (request) => isOps(request),
    // The key is the client address: it stays out of the log (privacy), the route does not.
    onExceeded: (request) => request.log.debug({ route: request.routeOptions.url }, "rate limit exceeded"),
  });

  const gate = concurrencyGate(server.workers);
  const gated = new WeakSet<FastifyRequest>();
  app.addHook("onRequest", async (request) => {
    // A stream (Server-Sent Events) lasts as long as its client wants: it must not hold a worker slot.
    if (isOps(request) || request.routeOptions.config?.stream) return;
    await gate.acquire();
    gated.add(request);
  });
  const releaseGate = async (request: FastifyRequest) => {
    if (gated.delete(request)) gate.release();
  };
  app.addHook("onResponse", releaseGate);
  // Once a stop has begun, a finished request's connection closes instead of idling in keep-alive,
  // which would hold the server open past the in-flight work.
  app.addHook("onSend", async (_request, reply) => {
    if (stopping) reply.header("connection", "close");
  });
  app.addHook("onRequestAbort", releaseGate);
  app.addHook("onResponse", async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? "(no route)", status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.setErrorHandler((error: Error & { validation?: unknown; validationContext?: string; statusCode?: number; code?: string }, request, reply) => {
    if (error.validation) {
      const issue = (error.validation as Array<{ instancePath?: string; params?: { missingProperty?: string } }>)[0];
      const path = `${issue?.instancePath ?? ""}${issue?.params?.missingProperty ? `/${issue.params.missingProperty}` : ""}`;
      const field = `${error.validationContext ?? "request"}${path.replaceAll("/", ".")}`;
      return reply.code(400).send({ error: "BAD_REQUEST", field, message: error.message });
    }
    // PostgreSQL text cannot hold U+0000 (SQLSTATE 22021): a string a request carried into a query,
    // refused as the client's input rather than answered as the server's failure.
    if (error instanceof pg.DatabaseError && error.code === "22021") {
      return reply.code(400).send({ error: "BAD_REQUEST", message: "text cannot contain the NUL character (U+0000)" });
    }
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return reply.code(413).send({ error: "BODY_TOO_LARGE", field: "body", message: `body: larger than this route's limit of ${request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit} bytes` });
    }
    const status = error.statusCode ?? 500;
    if (status < 500) return reply.code(status).send({ error: error.code ?? "REQUEST_REFUSED", message: error.message });
    request.log.error({ err: error }, "request failed");
    return reply.code(500).send({ error: "INTERNAL", message: "internal error" });
  });

  let lastCpu = process.cpuUsage();
  let lastCpuAt = process.hrtime.bigint();
  const cpuPercent = () => {
    const now = process.hrtime.bigint();
    const used = process.cpuUsage(lastCpu);
    const elapsedUs = Number(now - lastCpuAt) / 1000;
    lastCpu = process.cpuUsage();
    lastCpuAt = now;
    return elapsedUs > 0 ? Math.round(((used.user + used.system) / elapsedUs) * 1000) / 10 : 0;
  };

  const health = async () => {
    const database = probes.database ? await probes.database() : undefined;
    const rpc: Record<string, HealthStatus> = {};
    for (const [name, probe] of Object.entries(probes.rpc ?? {})) rpc[name] = await probe();
    const metricsStatus: HealthStatus = await metrics.registry.metrics().then(() => "healthy" as const, () => "degraded" as const);
    const state = probes.state ? await probes.state() : undefined;
    const status = worst([...(database ? [database] : []), ...Object.values(rpc), ...(state ? [state] : []), metricsStatus]);
    return {
      status,
      uptime: Math.round(process.uptime()),
      version: options.version,
      services: { ...(database ? { database } : {}), rpc, ...(state ? { state } : {}), metrics: metricsStatus },
      memory_usage: process.memoryUsage.rss(),
      cpu_usage: cpuPercent(),
      ...(probes.figures ? await probes.figures() : {}),
    };
  };
  for (const path of ["/health", ...(options.healthAliases ?? [])]) {
    app.get(path, { schema: { tags: ["ops"], summary: "State of the service and what it depends on", response: { 200: healthSchema, 503: healthSchema } } }, async (_request, reply) => {
      const body = await health();
      return reply.code(body.status === "critical" ? 503 : 200).send(body);
    });
  }
  app.get("/ready", { schema: { tags: ["ops"], summary: "200 when the service can serve, else 503 with the reasons", response: { 200: readySchema, 503: readySchema } } }, async (_request, reply) => {
    const reasons: string[] = [];
    if (stopping) reasons.push("stopping");
    if (probes.database && (await probes.database()) === "critical") reasons.push("database unavailable");
    reasons.push(...((await probes.notReady?.()) ?? []));
    return reply.code(reasons.length === 0 ? 200 : 503).send({ ready: reasons.length === 0, reasons });
  });
  app.get("/live", { schema: { tags: ["ops"], summary: "200 while the process runs", response: { 200: { type: "object", properties: { alive: { type: "boolean" } } } } } }, async () => ({ alive: true }));
  for (const path of ["/metrics", "/metrics/prometheus"]) {
    app.get(path, { schema: { tags: ["ops"], summary: "Prometheus text format", produces: ["text/plain"], response: { 200: { type: "string" } } } }, async (_request, reply) => {
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  }
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  return { app, limits, markStopping: () => (stopping = true) };
}

export { errorSchema };
