import { collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** One registry per service: process metrics, HTTP timings and the services' own (runbook names). */
export interface ServiceMetrics {
  readonly registry: Registry;
  readonly httpDuration: Histogram<"method" | "route" | "status_code">;
  readonly databaseConnections: Gauge;
}

/** `activeConnections` is read at each scrape (the pool's checked-out connections). */
export function createMetrics(activeConnections: () => number = () => 0): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration by route pattern",
    labelNames: ["method", "route", "status_code"] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  const databaseConnections = new Gauge({
    name: "database_connections_active",
    help: "Database connections checked out of the pool",
    registers: [registry],
    collect() {
      this.set(activeConnections());
    },
  });
  return { registry, httpDuration, databaseConnections };
}
