import { RpcEndpoints, type BaseConfig, type HealthStatus } from "@cloak/service-kit";
import { buildV0Transaction, lookupTableHolds, solanaTransactionError, type SolanaProgramIds } from "@cloak/sdk/solana";
import {
  AddressLookupTableProgram,
  ComputeBudgetProgram,
  Connection,
  PACKET_DATA_SIZE,
  PublicKey,
  SendTransactionError,
  type AddressLookupTableAccount,
  type Keypair,
  type SignatureStatus,
  type TransactionInstruction,
} from "@solana/web3.js";
import bs58 from "bs58";
import type pg from "pg";
import type { Logger } from "pino";
import type { RelayConfig } from "../../config.ts";
import { RelayError, RelayErrorCode } from "../../errors.ts";
import { solanaStore, type SignedSolanaTransaction, type StoredSolanaTransaction } from "./store.ts";

export interface SolanaSenderOptions {
  readonly database: pg.Pool;
  /** Endpoints in order of preference (`[solana] rpc_urls`, else `[rpc_url]`). */
  readonly rpcUrls: readonly string[];
  readonly solana: Pick<BaseConfig["solana"], "timeout" | "retries" | "commitment">;
  readonly transaction: Pick<RelayConfig["transaction"], "compute_budget_cu" | "priority_fee_microlamports">;
  /** The relayer key (`[keys] solana_keypair`): signs and pays every transaction. */
  readonly keypair: Keypair;
  readonly logger: Logger;
  /** The deployments whose program errors are named; the default ids when absent. */
  readonly programIds?: SolanaProgramIds;
  /** How often waitConfirmed asks for statuses; 500 ms unless given. */
  readonly pollIntervalMs?: number;
  /** How often waitConfirmed sends a still-pending transaction again (sent with maxRetries 0); 2 s unless given. */
  readonly rebroadcastIntervalMs?: number;
}

/** What a job asks the chain to run; the sender adds the compute budget, the blockhash, the lookup table and the signature. */
export interface SolanaTxRequest {
  readonly instructions: readonly TransactionInstruction[];
  /** What the relay's lookup table should hold for it (transactLookupTableAddresses); added when missing. */
  readonly tableAddresses?: readonly PublicKey[];
}

/**
 * Builds a job's request; asked again when the job is re-signed after its blockhash expired, so what
 * can go stale meanwhile (the root's position, a PoW claim) is looked up afresh.
 */
export type SolanaTxBuilder = () => Promise<SolanaTxRequest>;

/** A job's transaction once it is at the configured commitment without error. */
export interface SolanaConfirmation {
  readonly signature: string;
  readonly slot: number;
  /** Compute units the transaction used, as the node reports (meta.computeUnitsConsumed). */
  readonly computeUnits: number | null;
  readonly feeLamports: number | null;
  /** Programs the transaction invoked (from its logs), base58, e.g. the scramble registry when a claim was consumed. */
  readonly invokedPrograms: readonly string[];
}

/** Addresses one extend instruction carries so the transaction still fits a packet without a table. */
const ADDRESSES_PER_EXTEND = 20;
/** How long a new or extended table may take to become usable (the slot after its last extension). */
const TABLE_ACTIVATION_TIMEOUT_MS = 60_000;

type Landed = { readonly signature: string; readonly status: SignatureStatus };

/**
 * Sends the relay's Solana transactions write-ahead: a job's transaction is signed at a recent
 * blockhash and stored with that blockhash's lastValidBlockHeight before it is broadcast, so a retry,
 * or a fresh process after a crash, broadcasts the same bytes again (one signature: the runtime runs it
 * at most once). The job is re-signed at a new blockhash only once the finalized block height has
 * passed the stored lastValidBlockHeight and the signature is still absent (searched in the node's
 * whole history), or once it landed with an error: the old transaction can then never succeed, so
 * at most one of a job's transactions can. Transactions are v0 with the relayer's address lookup table (created on first use and recorded
 * in the database), a compute budget and a priority fee from `[transaction]`, and failover across the
 * endpoints with the kit's RpcEndpoints.
 *
 * Confirmation is polled with getSignatureStatuses rather than web3.js's confirmTransaction, which
 * waits on a WebSocket subscription at an address derived from the HTTP URL: wrong for nodes whose
 * WebSocket port is not the HTTP port + 1 (the local node), and a socket that would keep reconnecting.
 */
export class SolanaSender {
  readonly #options: SolanaSenderOptions;
  readonly #rpc: RpcEndpoints;
  readonly #connections = new Map<string, Connection>();
  readonly #payer: string;
  #table: AddressLookupTableAccount | undefined;
  #genesisHash: string | undefined;

  constructor(options: SolanaSenderOptions) {
    this.#options = options;
    this.#rpc = new RpcEndpoints({ name: "solana", urls: options.rpcUrls, timeoutMs: options.solana.timeout, retries: options.solana.retries, logger: options.logger });
    this.#payer = options.keypair.publicKey.toBase58();
  }

  /** The relayer's address, base58. */
  get address(): string {
    return this.#payer;
  }

  get publicKey(): PublicKey {
    return this.#options.keypair.publicKey;
  }

  health(): HealthStatus {
    return this.#rpc.health();
  }

  #connection(url: string): Connection {
    let connection = this.#connections.get(url);
    if (!connection) {
      connection = new Connection(url, { commitment: this.#options.solana.commitment, disableRetryOnRateLimit: true });
      this.#connections.set(url, connection);
    }
    return connection;
  }

  /** A read through the endpoints (timeout, retries, failover); also for the job handler's lookups. */
  read<T>(call: (connection: Connection) => Promise<T>): Promise<T> {
    return this.#rpc.call((url) => call(this.#connection(url)));
  }

  /** The job's transactions, oldest first; the last is the current one. */
  transactions(jobKey: string): Promise<StoredSolanaTransaction[]> {
    return solanaStore.jobTransactions(this.#options.database, this.#payer, jobKey);
  }

  /** The compute budget every transaction asks for: `compute_budget_cu` units at `priority_fee_microlamports` each. */
  #budget(): TransactionInstruction[] {
    const { compute_budget_cu: units, priority_fee_microlamports: microLamports } = this.#options.transaction;
    const limit = ComputeBudgetProgram.setComputeUnitLimit({ units });
    return microLamports > 0 ? [limit, ComputeBudgetProgram.setComputeUnitPrice({ microLamports })] : [limit];
  }

  /**
   * The relayer's lookup table holding `addresses`: the one recorded for this cluster, extended when it
   * lacks some, or a new one (recorded) on the first call. Under a database lock, so relay processes
   * sharing the key create one table between them.
   */
  async lookupTable(addresses: readonly PublicKey[] = []): Promise<AddressLookupTableAccount> {
    if (this.#table && lookupTableHolds(this.#table, addresses)) return this.#table;
    this.#genesisHash ??= await this.read((connection) => connection.getGenesisHash());
    await solanaStore.withLookupTableLock(this.#options.database, this.#payer, this.#genesisHash, async (recorded) => {
      let table = recorded ? await this.#fetchTable(new PublicKey(recorded)) : await this.#createTable();
      if (!table) throw new RelayError(RelayErrorCode.SOLANA_LOOKUP_TABLE, `lookup table ${recorded}, recorded for relayer ${this.#payer} on this cluster, does not exist on chain`);
      if (!lookupTableHolds(table, addresses)) table = await this.#extendTable(table, addresses);
      this.#table = table;
      return table.key.toBase58();
    });
    return this.#table!;
  }

  async #fetchTable(address: PublicKey): Promise<AddressLookupTableAccount | null> {
    return (await this.read((connection) => connection.getAddressLookupTable(address))).value;
  }

  async #createTable(): Promise<AddressLookupTableAccount> {
    // The table's address derives from a slot that must be in the SlotHashes sysvar: not the slot being built.
    const slot = await this.read((connection) => connection.getSlot("finalized"));
    const [create, address] = AddressLookupTableProgram.createLookupTable({ authority: this.publicKey, payer: this.publicKey, recentSlot: Math.max(0, slot - 1) });
    await this.#sendAndConfirm([create]);
    this.#options.logger.info({ table: address.toBase58(), relayer: this.#payer }, "solana sender: lookup table created");
    return this.#waitUsable(address, 0);
  }

  async #extendTable(table: AddressLookupTableAccount, addresses: readonly PublicKey[]): Promise<AddressLookupTableAccount> {
    const missing = addresses.filter((address, i) => !table.state.addresses.some((held) => held.equals(address)) && addresses.findIndex((other) => other.equals(address)) === i);
    for (let start = 0; start < missing.length; start += ADDRESSES_PER_EXTEND) {
      const chunk = missing.slice(start, start + ADDRESSES_PER_EXTEND);
      await this.#sendAndConfirm([AddressLookupTableProgram.extendLookupTable({ lookupTable: table.key, authority: this.publicKey, payer: this.publicKey, addresses: chunk })]);
    }
    this.#options.logger.info({ table: table.key.toBase58(), added: missing.length }, "solana sender: lookup table extended");
    return this.#waitUsable(table.key, table.state.addresses.length + missing.length);
  }

  /** Addresses added in a slot resolve from the next slot on. */
  async #waitUsable(address: PublicKey, length: number): Promise<AddressLookupTableAccount> {
    const deadline = Date.now() + TABLE_ACTIVATION_TIMEOUT_MS;
    for (;;) {
      const table = await this.#fetchTable(address);
      if (table && table.state.addresses.length >= length && (await this.read((connection) => connection.getSlot("confirmed"))) > table.state.lastExtendedSlot) return table;
      if (Date.now() > deadline) throw new RelayError(RelayErrorCode.SOLANA_LOOKUP_TABLE, `lookup table ${address.toBase58()}: not usable with ${length} addresses after ${TABLE_ACTIVATION_TIMEOUT_MS} ms`);
      await sleep(this.#options.pollIntervalMs ?? 500);
    }
  }

  /**
   * Sends the relayer's own housekeeping (the lookup table's) and waits for it; no write-ahead: a lost
   * one is simply made again from what the table then holds.
   */
  async #sendAndConfirm(instructions: TransactionInstruction[]): Promise<string> {
    const latest = await this.read((connection) => connection.getLatestBlockhash(this.#options.solana.commitment));
    const transaction = buildV0Transaction({ payer: this.publicKey, recentBlockhash: latest.blockhash, instructions: [...this.#budget(), ...instructions], lookupTables: [] });
    transaction.sign([this.#options.keypair]);
    const signed = { signature: bs58.encode(transaction.signatures[0]!), rawTx: Buffer.from(transaction.serialize()).toString("base64"), blockhash: latest.blockhash, lastValidBlockHeight: latest.lastValidBlockHeight };
    await this.#broadcast(signed);
    for (;;) {
      const { landed, height } = await this.#lookUp([signed.signature]);
      if (landed && this.#reachesCommitment(landed.status)) {
        if (landed.status.err) throw solanaTransactionError(landed.status.err, { stage: "confirm", signature: signed.signature, programIds: this.#options.programIds });
        return signed.signature;
      }
      if (!landed && height > signed.lastValidBlockHeight) throw new RelayError(RelayErrorCode.SOLANA_BLOCKHASH_EXPIRED, `${signed.signature}: its blockhash expired before it landed`);
      await sleep(this.#options.pollIntervalMs ?? 500);
    }
  }

  /** Signs `request` at the latest blockhash with the table and budget, and simulates it: a failing one is refused unsigned-for (nothing stored). */
  async #sign(request: SolanaTxRequest): Promise<SignedSolanaTransaction> {
    const table = await this.lookupTable(request.tableAddresses ?? []);
    const latest = await this.read((connection) => connection.getLatestBlockhash(this.#options.solana.commitment));
    const transaction = buildV0Transaction({ payer: this.publicKey, recentBlockhash: latest.blockhash, instructions: [...this.#budget(), ...request.instructions], lookupTables: [table] });
    transaction.sign([this.#options.keypair]);
    const bytes = transaction.serialize();
    if (bytes.length > PACKET_DATA_SIZE) {
      throw new RelayError(RelayErrorCode.SOLANA_TRANSACTION_TOO_LARGE, `the transaction is ${bytes.length} bytes, above the ${PACKET_DATA_SIZE}-byte packet even with lookup table ${table.key.toBase58()}`);
    }
    const simulation = await this.read((connection) => connection.simulateTransaction(transaction, { commitment: this.#options.solana.commitment, sigVerify: false }));
    if (simulation.value.err) throw solanaTransactionError(simulation.value.err, { stage: "simulate", logs: simulation.value.logs, programIds: this.#options.programIds });
    return { signature: bs58.encode(transaction.signatures[0]!), rawTx: Buffer.from(bytes).toString("base64"), blockhash: latest.blockhash, lastValidBlockHeight: latest.lastValidBlockHeight };
  }

  /**
   * The write-ahead step: the job's current stored transaction, or a new one signed, simulated and
   * stored (not sent). When another sender stored one for the job meanwhile, that one.
   */
  async prepare(jobKey: string, build: SolanaTxBuilder): Promise<StoredSolanaTransaction> {
    const known = (await this.transactions(jobKey)).at(-1);
    if (known) return known;
    const { stored, created } = await solanaStore.store(this.#options.database, this.#payer, jobKey, await this.#sign(await build()));
    if (created) this.#options.logger.info({ job: jobKey, signature: stored.signature, lastValidBlockHeight: stored.lastValidBlockHeight }, "solana sender: transaction stored");
    return stored;
  }

  /**
   * Sends a job's transaction: the stored one again while it may still land (a retry, or a restart
   * after a crash between storing and broadcasting), nothing when it has landed without error, a new
   * one (stored first, the old one marked replaced) once the old one's blockhash expired with it
   * unseen, or once it landed with an error at the configured commitment. Either way the old signature
   * can never succeed, so at most one of a job's transactions does. The job handler retries a landed
   * failure only when another transaction may fare otherwise (a PoW claim that others filled first).
   */
  async submit(jobKey: string, build: SolanaTxBuilder): Promise<StoredSolanaTransaction> {
    const current = await this.prepare(jobKey, build);
    const { landed, height } = await this.#lookUp([current.signature]);
    const landedFailed = landed !== null && landed.status.err !== null && this.#reachesCommitment(landed.status);
    if (landed && !landedFailed) return current;
    if (!landed && height <= current.lastValidBlockHeight) {
      await this.#broadcast(current);
      return current;
    }
    const replacement = await solanaStore.replace(this.#options.database, current, await this.#sign(await build()));
    // Another sender re-signed it first: send that one (the same bytes again are harmless).
    const sent = replacement ?? (await this.transactions(jobKey)).at(-1)!;
    if (replacement) {
      const why = landedFailed ? "landed with an error; re-signed" : "blockhash expired unseen; re-signed";
      this.#options.logger.info({ job: jobKey, signature: sent.signature, replaces: current.signature, expiredAt: current.lastValidBlockHeight, height }, `solana sender: ${why}`);
    }
    await this.#broadcast(sent);
    return sent;
  }

  /**
   * The finalized block height, then which of `signatures` the node knows (its whole history): in that
   * order and on one endpoint, so a signature absent after a height past its lastValidBlockHeight is
   * absent for good (every block that could hold it was finalized before the look-up).
   */
  async #lookUp(signatures: readonly string[]): Promise<{ landed: Landed | null; height: number }> {
    return this.#rpc.call(async (url) => {
      const connection = this.#connection(url);
      const height = await connection.getBlockHeight("finalized");
      const { value } = await connection.getSignatureStatuses([...signatures], { searchTransactionHistory: true });
      const index = value.findIndex((status) => status !== null);
      return { landed: index === -1 ? null : { signature: signatures[index]!, status: value[index]! }, height };
    });
  }

  #reachesCommitment(status: SignatureStatus): boolean {
    const level = status.confirmationStatus;
    return level === "finalized" || (level === "confirmed" && this.#options.solana.commitment === "confirmed");
  }

  /**
   * Broadcasts a stored transaction (skipping preflight: it was simulated before it was stored). A
   * refusal is accepted when the transaction has landed anyway (a node refuses one it already
   * processed); anything else fails the attempt, and the next one sends the same bytes again or, once
   * the blockhash expired, re-signs.
   */
  async #broadcast(stored: SignedSolanaTransaction): Promise<void> {
    const raw = Buffer.from(stored.rawTx, "base64");
    const sent = await this.#rpc.call(async (url) => {
      try {
        await this.#connection(url).sendRawTransaction(raw, { skipPreflight: true, maxRetries: 0 });
        return null;
      } catch (error) {
        // The node answered (refused); not a failing endpoint, so no retry or open circuit.
        if (error instanceof SendTransactionError) return error;
        throw error;
      }
    });
    if (sent === null) return;
    if ((await this.#lookUp([stored.signature])).landed) return;
    throw new RelayError(RelayErrorCode.SOLANA_BROADCAST_FAILED, `broadcast of ${stored.signature} refused: ${sent.transactionError.message}`);
  }

  /**
   * Waits until one of the job's transactions is at the configured commitment. One that landed with an
   * error fails with a SolanaTransactionError naming the program error (that signature is spent; an
   * older one that failed so and was replaced is passed over). None landed and the current one's blockhash expired: SOLANA_BLOCKHASH_EXPIRED, and the
   * next submit re-signs. Meanwhile the pending transaction is sent again every few seconds.
   */
  async waitConfirmed(jobKey: string, timeoutMs = 300_000): Promise<SolanaConfirmation> {
    const deadline = Date.now() + timeoutMs;
    let broadcastAt = Date.now();
    for (;;) {
      const transactions = await this.transactions(jobKey);
      const current = transactions.at(-1);
      if (!current) throw new RelayError(RelayErrorCode.SOLANA_NO_TRANSACTION, `job ${jobKey} has no stored Solana transaction`);
      const found = await this.#lookUp(transactions.map((transaction) => transaction.signature).toReversed());
      const { height } = found;
      // An older one that landed with an error was replaced for that: only the current one can still do.
      const landed = found.landed && (found.landed.signature === current.signature || found.landed.status.err === null) ? found.landed : null;
      if (landed && this.#reachesCommitment(landed.status)) return this.#confirmation(landed);
      if (!landed && height > current.lastValidBlockHeight) {
        throw new RelayError(RelayErrorCode.SOLANA_BLOCKHASH_EXPIRED, `job ${jobKey}: ${current.signature} did not land before block height ${current.lastValidBlockHeight} (now ${height}); it will be re-signed`);
      }
      if (Date.now() >= deadline) {
        throw new RelayError(RelayErrorCode.SOLANA_CONFIRMATION_TIMEOUT, `job ${jobKey}: ${current.signature} not ${this.#options.solana.commitment} within ${timeoutMs} ms`);
      }
      if (!landed && Date.now() - broadcastAt >= (this.#options.rebroadcastIntervalMs ?? 2000)) {
        broadcastAt = Date.now();
        await this.#broadcast(current).catch((error: unknown) => this.#options.logger.warn({ job: jobKey, err: error }, "solana sender: rebroadcast refused"));
      }
      await sleep(this.#options.pollIntervalMs ?? 500);
    }
  }

  async #confirmation({ signature, status }: Landed): Promise<SolanaConfirmation> {
    const commitment = this.#options.solana.commitment;
    const landed = await this.read((connection) => connection.getTransaction(signature, { maxSupportedTransactionVersion: 0, commitment }));
    const logs = landed?.meta?.logMessages ?? [];
    if (status.err) throw solanaTransactionError(landed?.meta?.err ?? status.err, { stage: "confirm", signature, logs, programIds: this.#options.programIds });
    const invoked = logs.map((line) => /^Program (\w+) invoke \[\d+\]$/.exec(line)?.[1]).filter((program): program is string => program !== undefined);
    return {
      signature,
      slot: status.slot,
      computeUnits: landed?.meta?.computeUnitsConsumed ?? null,
      feeLamports: landed?.meta?.fee ?? null,
      invokedPrograms: [...new Set(invoked)],
    };
  }

  close(): void {
    this.#connections.clear();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
