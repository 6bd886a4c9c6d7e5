import { RpcEndpoints, type BaseConfig } from "@cloak/service-kit";
import { FetchRequest, JsonRpcProvider, Transaction, getAddress, isCallException, toQuantity, type BaseWallet, type Interface } from "ethers";
import type pg from "pg";
import type { Logger } from "pino";
import { RelayError, RelayErrorCode } from "../../errors.ts";
import { EvmRevertError, decodeRevert, shieldPoolInterface } from "./revert.ts";
import { evmStore, type EvmAccount, type SignedEvmTransaction, type StoredEvmTransaction } from "./store.ts";

/** What a job asks the chain to run; the sender adds nonce, fees and the signature. */
export interface EvmTxRequest {
  readonly to: string;
  readonly data: string;
  readonly value?: bigint;
  /** Estimated against the pending state when absent. */
  readonly gasLimit?: bigint;
}

export interface EvmSenderOptions {
  readonly database: pg.Pool;
  readonly evm: Pick<BaseConfig["evm"], "rpc_urls" | "timeout" | "retries" | "chain_id">;
  /** The relayer key (an ethers Wallet, e.g. from the keystore of `[keys] evm_keystore`). */
  readonly wallet: BaseWallet;
  readonly logger: Logger;
  /** How often waitConfirmed asks for receipts; 1 s unless given. */
  readonly pollIntervalMs?: number;
  /** The least priority fee offered, whatever recent blocks paid; 1 gwei unless given. */
  readonly minPriorityFeeWei?: bigint;
  /** Decodes reverts; the ShieldPool's ABI unless given. */
  readonly errorInterface?: Interface;
}

/** A job's transaction once it is mined with enough blocks on top. */
export interface EvmConfirmation {
  readonly hash: string;
  readonly nonce: bigint;
  readonly blockNumber: number;
  readonly gasUsed: bigint;
  readonly effectiveGasPrice: bigint;
  /** `filler` when the job was abandoned and its nonce went to a self-transfer instead. */
  readonly kind: "job" | "filler";
}

interface RpcReceipt {
  status: string;
  blockNumber: string;
  gasUsed: string;
  effectiveGasPrice: string;
}

/** Geth's and Hardhat's mempools take a replacement only when it offers at least 10 % more; 12.5 % leaves room. */
const BUMP_NUMERATOR = 1125n;
const BUMP_DENOMINATOR = 1000n;
const FILLER_GAS = 21_000n;
/** The gas limit a job's transaction gets, in percent of its estimate (see #complete). */
const GAS_MARGIN_PERCENT = 125n;

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;
const max = (a: bigint, b: bigint) => (a > b ? a : b);

/**
 * Sends the relay's EVM transactions write-ahead: a job's transaction is signed at a nonce reserved in
 * the database and stored there before it is broadcast, so a retry (or a fresh process after a crash)
 * rebroadcasts that same transaction instead of signing a second one. All of a job's transactions
 * (fee bumps, a filler) share its nonce, so at most one of them can land, and every reserved nonce has
 * a stored transaction, so no nonce is left as a gap: a job given up before its transaction landed is
 * `abandon`ed, which replaces the transaction with a 0-value self-transfer at the same nonce.
 */
export class EvmSender {
  readonly #options: EvmSenderOptions;
  readonly #rpc: RpcEndpoints;
  readonly #providers = new Map<string, JsonRpcProvider>();
  readonly #account: EvmAccount;

  constructor(options: EvmSenderOptions) {
    this.#options = options;
    this.#rpc = new RpcEndpoints({ name: "evm", urls: options.evm.rpc_urls, timeoutMs: options.evm.timeout, retries: options.evm.retries, logger: options.logger });
    this.#account = { chainId: BigInt(options.evm.chain_id), address: getAddress(options.wallet.address) };
  }

  get address(): string {
    return this.#account.address;
  }

  health() {
    return this.#rpc.health();
  }

  #provider(url: string): JsonRpcProvider {
    let provider = this.#providers.get(url);
    if (!provider) {
      const request = new FetchRequest(url);
      request.timeout = this.#options.evm.timeout;
      provider = new JsonRpcProvider(request, this.#options.evm.chain_id, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
      this.#providers.set(url, provider);
    }
    return provider;
  }

  #send<T>(method: string, params: unknown[]): Promise<T> {
    return this.#rpc.call((url) => this.#provider(url).send(method, params) as Promise<T>);
  }

  /**
   * A call the node may refuse on its merits (a revert, a rejected transaction): that answer is returned
   * as `refused`, not counted against the endpoint (no retry, no open circuit); transport failures are.
   */
  #sendMayRefuse<T>(method: string, params: unknown[]): Promise<{ result: T } | { refused: unknown }> {
    return this.#rpc.call(async (url) => {
      try {
        return { result: (await this.#provider(url).send(method, params)) as T };
      } catch (error) {
        if (answeredByNode(error)) return { refused: error };
        throw error;
      }
    });
  }

  async #count(tag: "latest" | "pending"): Promise<bigint> {
    return BigInt(await this.#send<string>("eth_getTransactionCount", [this.#account.address, tag]));
  }

  /** EIP-1559 fees from the last blocks: twice the next base fee (room for it to rise) plus the median tip. */
  async #fees(): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
    const history = await this.#send<{ baseFeePerGas: string[]; reward?: string[][] }>("eth_feeHistory", ["0x5", "latest", [50]]);
    const nextBase = BigInt(history.baseFeePerGas.at(-1) ?? "0x0");
    const tips = (history.reward ?? []).map((row) => BigInt(row[0] ?? "0x0")).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const median = tips.length > 0 ? tips[Math.floor(tips.length / 2)]! : 0n;
    const maxPriorityFeePerGas = max(median, this.#options.minPriorityFeeWei ?? 1_000_000_000n);
    return { maxFeePerGas: 2n * nextBase + maxPriorityFeePerGas, maxPriorityFeePerGas };
  }

  async #sign(kind: "job" | "filler", nonce: bigint, request: Required<EvmTxRequest>, fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }): Promise<SignedEvmTransaction> {
    const rawTx = await this.#options.wallet.signTransaction({
      type: 2,
      chainId: this.#account.chainId,
      nonce: Number(nonce),
      to: request.to,
      data: request.data,
      value: request.value,
      gasLimit: request.gasLimit,
      ...fees,
    });
    return { kind, rawTx, hash: Transaction.from(rawTx).hash!, ...fees };
  }

  async #complete(request: EvmTxRequest): Promise<Required<EvmTxRequest>> {
    const value = request.value ?? 0n;
    let gasLimit = request.gasLimit;
    if (gasLimit === undefined) {
      const estimate = await this.#sendMayRefuse<string>("eth_estimateGas", [{ from: this.#account.address, to: request.to, data: request.data, value: toQuantity(value) }, "pending"]);
      // A call that reverts already is refused before a nonce is reserved: nothing to store, nothing to fill.
      if ("refused" in estimate) throw await this.#revertError(null, estimate.refused);
      // The estimate is exact for the pending state, but the transaction runs after whatever lands
      // before it: the pool's Merkle insert costs more when it writes fresh storage, and a limit of the
      // bare estimate ran out of gas (a revert with no data) when jobs were sent back to back.
      gasLimit = (BigInt(estimate.result) * GAS_MARGIN_PERCENT) / 100n;
    }
    return { to: getAddress(request.to), data: request.data, value, gasLimit };
  }

  async #revertError(hash: string | null, refusal: unknown): Promise<Error> {
    if (!isCallException(refusal)) return refusal instanceof Error ? refusal : new Error(String(refusal));
    const decoded = refusal.data ? decodeRevert(this.#options.errorInterface ?? (await shieldPoolInterface()), refusal.data) : null;
    return new EvmRevertError(hash, decoded?.name ?? null, decoded?.args ?? []);
  }

  /** The job's transactions, oldest first; the last is the current one. */
  transactions(jobKey: string): Promise<StoredEvmTransaction[]> {
    return evmStore.jobTransactions(this.#options.database, this.#account, jobKey);
  }

  /**
   * The write-ahead step: reserves a nonce, signs and stores the job's transaction without sending it.
   * The job's stored transaction when it has one (then nothing is reserved or signed).
   */
  async prepare(jobKey: string, request: EvmTxRequest): Promise<StoredEvmTransaction> {
    const known = (await this.transactions(jobKey)).at(-1);
    if (known) return known;
    const complete = await this.#complete(request);
    const fees = await this.#fees();
    const initialNonce = await this.#count("pending");
    const minedCount = await this.#count("latest");
    const { stored, created } = await evmStore.reserveAndStore(this.#options.database, this.#account, jobKey, { initialNonce, minedCount }, (nonce) => this.#sign("job", nonce, complete, fees));
    if (created) this.#options.logger.info({ job: jobKey, nonce: stored.nonce.toString(), tx: stored.hash }, "evm sender: transaction stored");
    return stored;
  }

  /**
   * Sends a job's transaction: the stored one again when the job has one (a retry, or a restart after a
   * crash between storing and broadcasting), else a new one, stored before it is broadcast.
   */
  async submit(jobKey: string, request: EvmTxRequest): Promise<StoredEvmTransaction> {
    const stored = await this.prepare(jobKey, request);
    await this.#broadcast(stored);
    return stored;
  }

  /**
   * Broadcasts a stored transaction. A refusal is accepted when the node already has the transaction or
   * the nonce is already used on chain (by it or by another of the job's transactions: waitConfirmed
   * finds out which); anything else fails the attempt.
   */
  async #broadcast(stored: StoredEvmTransaction): Promise<void> {
    await this.#fillGap(stored.nonce);
    const sent = await this.#sendMayRefuse<string>("eth_sendRawTransaction", [stored.rawTx]);
    if ("result" in sent) return;
    if ((await this.#send<unknown>("eth_getTransactionByHash", [stored.hash])) !== null) return;
    if ((await this.#count("latest")) > stored.nonce) return;
    const message = nodeMessage(sent.refused);
    throw new RelayError(RelayErrorCode.EVM_BROADCAST_FAILED, `broadcast of ${stored.hash} (nonce ${stored.nonce}) refused: ${message}`);
  }

  /**
   * Broadcasts the stored transactions of the nonces between the chain's count and `nonce` (each was
   * stored before its broadcast, so each is there). Their senders may have died between storing and
   * broadcasting, or not be there yet: until they are, `nonce` cannot be mined, and a node that does not
   * queue it (Hardhat while automining) refuses it. Several jobs retried against such a gap used up
   * their attempts and left their own nonces as a gap nothing would ever fill, holding back the
   * account for good. Refusals here are ignored: most mean the node has it or the nonce is used.
   */
  async #fillGap(nonce: bigint): Promise<void> {
    const mined = await this.#count("latest");
    if (mined >= nonce) return;
    for (const before of await evmStore.currentBetween(this.#options.database, this.#account, mined, nonce)) {
      await this.#sendMayRefuse<string>("eth_sendRawTransaction", [before.rawTx]);
    }
  }

  async #receiptOf(jobKey: string): Promise<{ stored: StoredEvmTransaction; receipt: RpcReceipt } | null> {
    const transactions = await this.transactions(jobKey);
    if (transactions.length === 0) throw new RelayError(RelayErrorCode.EVM_NO_TRANSACTION, `job ${jobKey} has no stored EVM transaction`);
    for (const stored of transactions.toReversed()) {
      const receipt = await this.#send<RpcReceipt | null>("eth_getTransactionReceipt", [stored.hash]);
      if (receipt) return { stored, receipt };
    }
    return null;
  }

  /**
   * Waits until one of the job's transactions is mined with `confirmations` blocks (its own included).
   * A reverted one fails with an EvmRevertError naming the pool's custom error, re-run by eth_call on the
   * state of its block (where a competing transaction that spent the nullifier first has landed too).
   */
  async waitConfirmed(jobKey: string, confirmations: number, timeoutMs = 300_000): Promise<EvmConfirmation> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await this.#receiptOf(jobKey);
      if (found) {
        const mined = Number(BigInt(found.receipt.blockNumber));
        const head = Number(BigInt(await this.#send<string>("eth_blockNumber", [])));
        if (head - mined + 1 >= confirmations) {
          if (BigInt(found.receipt.status) !== 1n) throw await this.#revertOf(found.stored, mined);
          return {
            hash: found.stored.hash,
            nonce: found.stored.nonce,
            blockNumber: mined,
            gasUsed: BigInt(found.receipt.gasUsed),
            effectiveGasPrice: BigInt(found.receipt.effectiveGasPrice),
            kind: found.stored.kind,
          };
        }
      }
      if (Date.now() >= deadline) {
        throw new RelayError(RelayErrorCode.EVM_CONFIRMATION_TIMEOUT, `job ${jobKey}: no transaction with ${confirmations} confirmation(s) within ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, this.#options.pollIntervalMs ?? 1000));
    }
  }

  async #revertOf(stored: StoredEvmTransaction, block: number): Promise<Error> {
    const tx = Transaction.from(stored.rawTx);
    const call = { from: this.#account.address, to: tx.to, data: tx.data, value: toQuantity(tx.value), gas: toQuantity(tx.gasLimit) };
    const answer = await this.#sendMayRefuse<string>("eth_call", [call, toQuantity(block)]);
    // The call succeeding on that state (what made it revert changed within the block) leaves no reason to name.
    if ("result" in answer) return new EvmRevertError(stored.hash, null, []);
    const error = await this.#revertError(stored.hash, answer.refused);
    return error instanceof EvmRevertError ? error : new EvmRevertError(stored.hash, null, []);
  }

  /** The job's current transaction when none of its transactions is mined and its nonce is unused; else null. */
  async #pending(jobKey: string): Promise<StoredEvmTransaction | null> {
    const current = (await this.transactions(jobKey)).at(-1);
    if (!current) throw new RelayError(RelayErrorCode.EVM_NO_TRANSACTION, `job ${jobKey} has no stored EVM transaction`);
    if ((await this.#count("latest")) > current.nonce) return null;
    return current;
  }

  /** Re-signs `current`'s nonce as `request` with both fees at least 12.5 % above its own, stores it as the replacement, broadcasts it. */
  async #replace(current: StoredEvmTransaction, kind: "job" | "filler", request: Required<EvmTxRequest>): Promise<StoredEvmTransaction | null> {
    const estimate = await this.#fees();
    const fees = {
      maxFeePerGas: max(estimate.maxFeePerGas, ceilDiv(current.maxFeePerGas * BUMP_NUMERATOR, BUMP_DENOMINATOR)),
      maxPriorityFeePerGas: max(estimate.maxPriorityFeePerGas, ceilDiv(current.maxPriorityFeePerGas * BUMP_NUMERATOR, BUMP_DENOMINATOR)),
    };
    const replacement = await evmStore.replace(this.#options.database, current, await this.#sign(kind, current.nonce, request, fees));
    if (!replacement) return null;
    this.#options.logger.info({ job: current.jobKey, nonce: current.nonce.toString(), tx: replacement.hash, replaces: current.hash, kind }, "evm sender: transaction replaced");
    await this.#broadcast(replacement);
    return replacement;
  }

  /**
   * Replaces the job's transaction with the same call at higher fees when it has waited unmined for
   * `olderThanMs`. The replacement when one was sent; null when the job's nonce is already used or the
   * transaction is younger (or another sender replaced it first).
   */
  async bumpIfStuck(jobKey: string, olderThanMs: number): Promise<StoredEvmTransaction | null> {
    const current = await this.#pending(jobKey);
    if (!current || current.ageMs < olderThanMs) return null;
    const tx = Transaction.from(current.rawTx);
    return this.#replace(current, current.kind, { to: tx.to!, data: tx.data, value: tx.value, gasLimit: tx.gasLimit });
  }

  /**
   * Gives up a job whose transaction has not landed, without leaving its nonce as a gap (which would hold
   * back every later transaction of the account): the nonce goes to a 0-value transfer to the relayer
   * itself, at replacement fees, so either the job's transaction or the filler lands, never both. Null
   * when the nonce is already used (the job's transaction may have landed: waitConfirmed tells).
   */
  async abandon(jobKey: string): Promise<StoredEvmTransaction | null> {
    const current = await this.#pending(jobKey);
    if (!current) return null;
    if (current.kind === "filler") {
      await this.#broadcast(current);
      return current;
    }
    return this.#replace(current, "filler", { to: this.#account.address, data: "0x", value: 0n, gasLimit: FILLER_GAS });
  }

  close(): void {
    for (const provider of this.#providers.values()) provider.destroy();
    this.#providers.clear();
  }
}

/** A JSON-RPC error answer (the node refused), as ethers reports it, unlike a transport failure. */
function answeredByNode(error: unknown): boolean {
  if (isCallException(error)) return true;
  const reported = error as { info?: { error?: unknown }; error?: { code?: unknown } } | null;
  // ethers keeps the node's JSON-RPC error under `info.error` when it recognises it (nonce too low,
  // replacement underpriced, insufficient funds), else as `error` ("could not coalesce error").
  return reported?.info?.error !== undefined || typeof reported?.error?.code === "number";
}

/** The node's own words for a refusal (ethers' message wraps them with the whole payload). */
function nodeMessage(error: unknown): string {
  const reported = error as { info?: { error?: { message?: unknown } }; error?: { message?: unknown } } | null;
  const message = reported?.info?.error?.message ?? reported?.error?.message;
  if (typeof message === "string") return message;
  return error instanceof Error ? error.message : String(error);
}
