import { buildOpenApiDocument as buildDocument } from "@cloak/service-kit";
import type pg from "pg";
import { INDEXER_SPEC } from "../config.ts";
import { PoolEventBus } from "../events.ts";
import { indexerMetrics } from "../indexer-metrics.ts";
import type { IndexerState } from "../state.ts";
import { registerEventsRoute } from "./events-route.ts";
import { registerRoutes } from "./routes.ts";

/** The OpenAPI document the indexer serves, built offline from its routes (no state or database needed). */
export function buildOpenApiDocument(version = "0.1.0"): Promise<unknown> {
  const unused = {} as IndexerState;
  const noDatabase = {} as pg.Pool;
  return buildDocument({
    service: INDEXER_SPEC.service,
    version,
    defaultPort: INDEXER_SPEC.defaultPort,
    healthAliases: ["/api/v1/health"],
    register(app, metrics) {
      registerRoutes({ app, state: unused, db: noDatabase, metrics: indexerMetrics(metrics) });
      registerEventsRoute({ app, state: unused, db: noDatabase, bus: new PoolEventBus() });
    },
  });
}
