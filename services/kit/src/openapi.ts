// A service's OpenAPI document built offline — the kit's server with the service's routes registered,
// never started (handlers are not called, so no state, database or chain is needed) — and the committed
// copy kept equal to it: the SDK's client types are generated from that copy.
import { readFileSync, writeFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { createMetrics, type ServiceMetrics } from "./metrics.ts";
import { createServer } from "./server.ts";

export interface OpenApiSource {
  readonly service: string;
  readonly version: string;
  readonly defaultPort: number;
  readonly healthAliases?: readonly string[];
  /** Registers the service's routes as its start does. */
  register(app: FastifyInstance, metrics: ServiceMetrics): void;
}

export async function buildOpenApiDocument(source: OpenApiSource): Promise<unknown> {
  const metrics = createMetrics(() => 0);
  const server = await createServer({
    service: source.service,
    version: source.version,
    server: { port: source.defaultPort, host: "127.0.0.1", workers: 1, rate_limit_per_ip: 1, rate_limit_window: 60_000, cors_origins: [] },
    logger: pino({ level: "silent" }),
    metrics,
    probes: {},
    ...(source.healthAliases ? { healthAliases: source.healthAliases } : {}),
  });
  source.register(server.app, metrics);
  await server.app.ready();
  const document = server.app.swagger();
  await server.app.close();
  return document;
}

/**
 * Writes `document` to `file`, or with `check` compares and returns false when the committed file is
 * stale (the caller exits 1 naming the command that regenerates it).
 */
export function writeOpenApiDocument(document: unknown, file: string, check: boolean): boolean {
  const generated = `${JSON.stringify(document, null, 2)}\n`;
  if (!check) {
    writeFileSync(file, generated);
    return true;
  }
  let committed = "";
  try {
    committed = readFileSync(file, "utf8");
  } catch {
    // Missing is stale.
  }
  return committed === generated;
}
