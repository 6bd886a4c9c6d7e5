import type { HealthStatus } from "@cloak/service-kit";
import type { Provider } from "ethers";
import type { Logger } from "pino";
import type { RelayConfig } from "./config.ts";
import type { RelayMetrics } from "./relay-metrics.ts";

/** How often the relayer's balance is read. */
export const BALANCE_INTERVAL_MS = 15_000;

/**
 * The EVM relayer account's balance against `[balance]`'s thresholds (the PIL runbook's 1 ETH warning,
 * 0.1 ETH critical): a gauge for the alert, `degraded` health below the warning, and not ready below the
 * critical threshold — a relay that cannot pay gas must not take jobs it would only fail.
 */
export class BalanceWatch {
  #balance: bigint | null = null;
  #timer: NodeJS.Timeout | undefined;
  #thresholds: RelayConfig["balance"];

  constructor(
    readonly provider: Provider,
    readonly address: string,
    thresholds: RelayConfig["balance"],
    readonly metrics: RelayMetrics,
    readonly logger: Logger,
  ) {
    this.#thresholds = thresholds;
  }

  async start(): Promise<void> {
    await this.read();
    this.#timer = setInterval(() => void this.read(), BALANCE_INTERVAL_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** SIGHUP: new thresholds apply at once. */
  setThresholds(thresholds: RelayConfig["balance"]): void {
    this.#thresholds = thresholds;
    void this.read();
  }

  async read(): Promise<void> {
    try {
      this.#balance = await this.provider.getBalance(this.address);
      this.metrics.balance.set({ chain: "evm", address: this.address }, Number(this.#balance));
      if (this.#balance < BigInt(this.#thresholds.evm_warning_wei)) this.logger.warn({ chain: "evm", address: this.address, balance: this.#balance.toString() }, "relayer balance low");
    } catch (error) {
      this.logger.warn({ err: error }, "relayer balance: could not be read");
    }
  }

  health(): HealthStatus {
    if (this.#balance === null) return "healthy";
    if (this.#balance < BigInt(this.#thresholds.evm_critical_wei)) return "critical";
    return this.#balance < BigInt(this.#thresholds.evm_warning_wei) ? "degraded" : "healthy";
  }

  notReady(): string[] {
    if (this.#balance === null || this.#balance >= BigInt(this.#thresholds.evm_critical_wei)) return [];
    return [`evm relayer ${this.address} holds ${this.#balance} wei, below balance.evm_critical_wei = ${this.#thresholds.evm_critical_wei}`];
  }

  get balance(): bigint | null {
    return this.#balance;
  }
}
