import type pg from "pg";
import { inTransaction } from "../database.ts";

/** One signed transaction of a job, as the write-ahead record holds it. */
export interface StoredEvmTransaction {
  readonly id: bigint;
  readonly jobKey: string;
  readonly chainId: bigint;
  readonly address: string;
  readonly nonce: bigint;
  /** `filler`: a 0-value self-transfer that took an abandoned job's nonce instead of its call. */
  readonly kind: "job" | "filler";
  readonly rawTx: string;
  readonly hash: string;
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
  readonly createdAt: Date;
  /** How long ago it was stored, by the database's clock (no skew with this process's). */
  readonly ageMs: number;
  readonly replacedBy: string | null;
}

/** What signing at a nonce produced, to be stored before anything is broadcast. */
export interface SignedEvmTransaction {
  readonly kind: "job" | "filler";
  readonly rawTx: string;
  readonly hash: string;
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
}

/** The account a sender signs for on one chain. */
export interface EvmAccount {
  readonly chainId: bigint;
  readonly address: string;
}

interface TransactionRow {
  id: string;
  job_key: string;
  chain_id: string;
  address: string;
  nonce: string;
  kind: "job" | "filler";
  raw_tx: string;
  hash: string;
  max_fee_per_gas: string;
  max_priority_fee_per_gas: string;
  created_at: Date;
  age_ms: string;
  replaced_by: string | null;
}

const COLUMNS = `id, job_key, chain_id, address, nonce, kind, raw_tx, hash, max_fee_per_gas, max_priority_fee_per_gas, created_at,
  (extract(epoch FROM now() - created_at) * 1000)::bigint AS age_ms, replaced_by`;

function fromRow(row: TransactionRow): StoredEvmTransaction {
  return {
    id: BigInt(row.id),
    jobKey: row.job_key,
    chainId: BigInt(row.chain_id),
    address: row.address,
    nonce: BigInt(row.nonce),
    kind: row.kind,
    rawTx: row.raw_tx,
    hash: row.hash,
    maxFeePerGas: BigInt(row.max_fee_per_gas),
    maxPriorityFeePerGas: BigInt(row.max_priority_fee_per_gas),
    createdAt: row.created_at,
    ageMs: Number(row.age_ms),
    replacedBy: row.replaced_by,
  };
}

async function insert(client: pg.PoolClient, account: EvmAccount, jobKey: string, nonce: bigint, signed: SignedEvmTransaction): Promise<StoredEvmTransaction> {
  const { rows } = await client.query<TransactionRow>(
    `INSERT INTO evm_transactions (job_key, chain_id, address, nonce, kind, raw_tx, hash, max_fee_per_gas, max_priority_fee_per_gas)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
    [jobKey, account.chainId.toString(), account.address, nonce.toString(), signed.kind, signed.rawTx, signed.hash, signed.maxFeePerGas.toString(), signed.maxPriorityFeePerGas.toString()],
  );
  return fromRow(rows[0]!);
}

export const evmStore = {
  /** Every transaction stored for a job, oldest first; the last is the current one (not replaced). */
  async jobTransactions(pool: pg.Pool, account: EvmAccount, jobKey: string): Promise<StoredEvmTransaction[]> {
    const { rows } = await pool.query<TransactionRow>(`SELECT ${COLUMNS} FROM evm_transactions WHERE chain_id = $1 AND address = $2 AND job_key = $3 ORDER BY id`, [
      account.chainId.toString(),
      account.address,
      jobKey,
    ]);
    return rows.map(fromRow);
  },

  /** The account's current (unreplaced) transactions with nonces in [from, to), lowest first. */
  async currentBetween(pool: pg.Pool, account: EvmAccount, from: bigint, to: bigint): Promise<StoredEvmTransaction[]> {
    const { rows } = await pool.query<TransactionRow>(
      `SELECT ${COLUMNS} FROM evm_transactions WHERE chain_id = $1 AND address = $2 AND replaced_by IS NULL AND nonce >= $3 AND nonce < $4 ORDER BY nonce`,
      [account.chainId.toString(), account.address, from.toString(), to.toString()],
    );
    return rows.map(fromRow);
  },

  /**
   * Reserves the account's next nonce for a job and stores what `sign` makes of it, in one database
   * transaction: a nonce is never taken without its transaction stored (so a crash cannot leave a
   * reserved nonce with nothing to send). The nonce row stays locked meanwhile, which also serialises
   * two senders submitting the same job: the second finds the first one's transaction and gets it.
   * `initialNonce` (the chain's pending count) is used the first time the account is seen; `minedCount`
   * (the chain's latest count) moves the counter past nonces used outside this database.
   */
  async reserveAndStore(
    pool: pg.Pool,
    account: EvmAccount,
    jobKey: string,
    counts: { initialNonce: bigint; minedCount: bigint },
    sign: (nonce: bigint) => Promise<SignedEvmTransaction>,
  ): Promise<{ stored: StoredEvmTransaction; created: boolean }> {
    return inTransaction(pool, async (client) => {
      const key = [account.chainId.toString(), account.address];
      await client.query("INSERT INTO evm_nonces (chain_id, address, next_nonce) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", [...key, counts.initialNonce.toString()]);
      const { rows } = await client.query<{ next_nonce: string }>("SELECT next_nonce FROM evm_nonces WHERE chain_id = $1 AND address = $2 FOR UPDATE", key);
      const existing = await client.query<TransactionRow>(`SELECT ${COLUMNS} FROM evm_transactions WHERE chain_id = $1 AND address = $2 AND job_key = $3 AND replaced_by IS NULL`, [...key, jobKey]);
      if (existing.rows[0]) return { stored: fromRow(existing.rows[0]), created: false };
      const stored = BigInt(rows[0]!.next_nonce);
      const nonce = stored > counts.minedCount ? stored : counts.minedCount;
      const transaction = await insert(client, account, jobKey, nonce, await sign(nonce));
      await client.query("UPDATE evm_nonces SET next_nonce = $3 WHERE chain_id = $1 AND address = $2", [...key, (nonce + 1n).toString()]);
      return { stored: transaction, created: true };
    });
  },

  /**
   * Stores a replacement of a job's current transaction at the same nonce and marks the current one
   * replaced, in one database transaction. Null when `current` was replaced meanwhile (another sender
   * bumped it first).
   */
  async replace(pool: pg.Pool, current: StoredEvmTransaction, signed: SignedEvmTransaction): Promise<StoredEvmTransaction | null> {
    return inTransaction(pool, async (client) => {
      const marked = await client.query("UPDATE evm_transactions SET replaced_by = $2 WHERE id = $1 AND replaced_by IS NULL", [current.id.toString(), signed.hash]);
      if (marked.rowCount !== 1) return null;
      return insert(client, current, current.jobKey, current.nonce, signed);
    });
  },
};
