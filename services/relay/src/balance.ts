import type { HealthStatus } from "@cloak/service-kit";
import type { Logger } from "pino";
import type { RelayConfig } from "./config.ts";
import type { RelayMetrics } from "./relay-metrics.ts";

/** How often the relayer's balance is read. */
export const BALANCE_INTERVAL_MS = 15_000;

/** The chains a relayer key pays fees on, with each one's unit and `[balance]` keys. */
const CHAINS = {
  evm: { unit: "wei", warning: "evm_warning_wei", critical: "evm_critical_wei" },
  solana: { unit: "lamports", warning: "solana_warning_lamports", critical: "solana_critical_lamports" },
} as const;

export type BalanceChain = keyof typeof CHAINS;

/**
 * A relayer account's balance against `[balance]`'s thresholds for its chain (the PIL runbook's 1 ETH
 * warning, 0.1 ETH critical; lamport equivalents for Solana): a gauge for the alert, `degraded` health
 * below the warning, and not ready below the critical threshold — a relay that cannot pay fees must not
 * take jobs it would only fail.
 */
export class BalanceWatch {
  #balance: bigint | null = null;
  #timer: NodeJS.Timeout | undefined;
  #thresholds: RelayConfig["balance"];

  constructor(
    readonly chain: BalanceChain,
    readonly address: string,
    /** Reads the balance in the chain's smallest unit (wei, lamports). */
    readonly readBalance: () => Promise<bigint>,
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

  #threshold(level: "warning" | "critical"): bigint {
    return BigInt(this.#thresholds[CHAINS[this.chain][level]]);
  }

  async read(): Promise<void> {
    try {
      this.#balance = await this.readBalance();
      this.metrics.balance.set({ chain: this.chain, address: this.address }, Number(this.#balance));
      if (this.#balance < this.#threshold("warning")) this.logger.warn({ chain: this.chain, address: this.address, balance: this.#balance.toString() }, "relayer balance low");
    } catch (error) {
      this.logger.warn({ chain: this.chain, err: error }, "relayer balance: could not be read");
    }
  }

  health(): HealthStatus {
    if (this.#balance === null) return "healthy";
    if (this.#balance < this.#threshold("critical")) return "critical";
    return this.#balance < this.#threshold("warning") ? "degraded" : "healthy";
  }

  notReady(): string[] {
    if (this.#balance === null || this.#balance >= this.#threshold("critical")) return [];
    const { unit, critical } = CHAINS[this.chain];
    return [`${this.chain} relayer ${this.address} holds ${this.#balance} ${unit}, below balance.${critical} = ${this.#thresholds[critical]}`];
  }

  get balance(): bigint | null {
    return this.#balance;
  }
}
