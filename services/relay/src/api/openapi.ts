import { buildOpenApiDocument as buildDocument } from "@cloak/service-kit";
import { RELAY_SPEC } from "../config.ts";
import type { EvmIntake } from "../intake/index.ts";
import type { JobQueue } from "../queue/index.ts";
import { relayMetrics } from "../relay-metrics.ts";
import { registerRelayRoutes } from "./routes.ts";

/** The OpenAPI document the relay serves, built offline from its routes (no keys, database or chain needed). */
export function buildOpenApiDocument(version = "0.1.0"): Promise<unknown> {
  const queue = {} as JobQueue;
  return buildDocument({
    service: RELAY_SPEC.service,
    version,
    defaultPort: RELAY_SPEC.defaultPort,
    register(app, metrics) {
      registerRelayRoutes({
        app,
        queue,
        intake: {} as EvmIntake,
        pools: [],
        relayer: "",
        chainId: 0n,
        quote: () => Promise.reject(new Error("not served offline")),
        metrics: relayMetrics(metrics, queue),
        version,
        limits: { max_body_bytes: 65_536 },
      });
    },
  });
}
