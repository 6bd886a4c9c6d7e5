import { createMetrics, createServer } from "@cloak/service-kit";
import type pg from "pg";
import { pino } from "pino";
import { INDEXER_SPEC } from "../config.ts";
import { PoolEventBus } from "../events.ts";
import { indexerMetrics } from "../indexer-metrics.ts";
import type { IndexerState } from "../state.ts";
import { registerEventsRoute } from "./events-route.ts";
import { registerRoutes } from "./routes.ts";

/**
 * The OpenAPI document the indexer serves, built offline: the kit's server with the indexer's routes
 * registered, never started. Handlers are not called, so no state or database is needed.
 */
export async function buildOpenApiDocument(version = "0.1.0"): Promise<unknown> {
  const logger = pino({ level: "silent" });
  const metrics = createMetrics(() => 0);
  const server = await createServer({
    service: INDEXER_SPEC.service,
    version,
    server: { port: INDEXER_SPEC.defaultPort, host: "127.0.0.1", workers: 1, rate_limit_per_ip: 1, rate_limit_window: 60_000, cors_origins: [] },
    logger,
    metrics,
    probes: {},
    healthAliases: ["/api/v1/health"],
  });
  const unused = {} as IndexerState;
  const noDatabase = {} as pg.Pool;
  registerRoutes({ app: server.app, state: unused, db: noDatabase, metrics: indexerMetrics(metrics) });
  registerEventsRoute({ app: server.app, state: unused, db: noDatabase, bus: new PoolEventBus() });
  await server.app.ready();
  const document = server.app.swagger();
  await server.app.close();
  return document;
}
