import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TimeoutStrategy,
  circuitBreaker,
  handleAll,
  retry,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from "cockatiel";
import type { Logger } from "pino";
import { redactUrl } from "./config/redact.ts";
import type { HealthStatus } from "./server.ts";

export interface RpcEndpointsOptions {
  /** Names the chain in logs and /health, e.g. "evm", "solana". */
  readonly name: string;
  /** Endpoints in order of preference: the first healthy one serves, the next take over (failover). */
  readonly urls: readonly string[];
  readonly timeoutMs: number;
  /** Further attempts after a failed call, with exponential backoff; each attempt picks the best endpoint again. */
  readonly retries: number;
  /** Consecutive failures that open an endpoint's circuit (it is skipped until it is tried again). */
  readonly breakAfter?: number;
  /** How long an open circuit waits before one trial call. */
  readonly halfOpenAfterMs?: number;
  /** At most this many attempts a second (a provider's quota, the runbook's `solana.rate_limit`); unlimited when absent. */
  readonly maxCallsPerSecond?: number;
  readonly logger: Logger;
}

interface Endpoint {
  readonly url: string;
  readonly breaker: CircuitBreakerPolicy;
  readonly policy: IPolicy;
}

/**
 * The chain endpoints a service calls, with what every service needs around a call: a timeout per
 * attempt, retries with backoff, a circuit breaker per endpoint and failover down the list. The
 * call itself (ethers, @solana/web3.js, fetch) is the caller's; it gets the URL and an abort signal.
 */
export class RpcEndpoints {
  private readonly endpoints: readonly Endpoint[];
  private readonly retryPolicy: IPolicy;
  /** When the next attempt may start, with `maxCallsPerSecond`: attempts are spaced evenly rather than burst. */
  private nextSlot = 0;

  constructor(private readonly options: RpcEndpointsOptions) {
    if (options.urls.length === 0) throw new RangeError(`${options.name}: no RPC URL`);
    this.endpoints = options.urls.map((url) => {
      const breaker = circuitBreaker(handleAll, {
        halfOpenAfter: options.halfOpenAfterMs ?? 10_000,
        breaker: new ConsecutiveBreaker(options.breakAfter ?? 5),
      });
      const shown = redactUrl(url);
      breaker.onBreak(() => options.logger.warn({ rpc: options.name, endpoint: shown }, "rpc endpoint failing: circuit open"));
      breaker.onReset(() => options.logger.info({ rpc: options.name, endpoint: shown }, "rpc endpoint recovered: circuit closed"));
      return { url, breaker, policy: wrap(breaker, timeout(options.timeoutMs, TimeoutStrategy.Aggressive)) };
    });
    this.retryPolicy = retry(handleAll, { maxAttempts: options.retries, backoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 5_000 }) });
  }

  /** The endpoint an attempt goes to now: the first whose circuit is not open (else the first). */
  private current(): Endpoint {
    return this.endpoints.find((endpoint) => endpoint.breaker.state !== CircuitState.Open) ?? this.endpoints[0]!;
  }

  private async waitForSlot(): Promise<void> {
    if (!this.options.maxCallsPerSecond) return;
    const now = Date.now();
    const at = Math.max(now, this.nextSlot);
    this.nextSlot = at + 1000 / this.options.maxCallsPerSecond;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  }

  call<T>(attempt: (url: string, signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.retryPolicy.execute(async ({ signal }) => {
      await this.waitForSlot();
      const endpoint = this.current();
      return endpoint.policy.execute(({ signal: attemptSignal }) => attempt(endpoint.url, attemptSignal), signal);
    }) as Promise<T>;
  }

  /** For /health: healthy while the first endpoint serves, degraded on a fallback, critical when none does. */
  health(): HealthStatus {
    const open = this.endpoints.map((endpoint) => endpoint.breaker.state === CircuitState.Open);
    if (!open[0]) return "healthy";
    return open.every(Boolean) ? "critical" : "degraded";
  }
}

export { BrokenCircuitError };
