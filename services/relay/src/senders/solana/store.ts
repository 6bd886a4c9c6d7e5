import type pg from "pg";
import { inTransaction } from "../database.ts";

/** One signed transaction of a job, as the write-ahead record holds it. */
export interface StoredSolanaTransaction {
  readonly id: bigint;
  readonly jobKey: string;
  /** The fee payer and signer (the relayer), base58. */
  readonly payer: string;
  readonly signature: string;
  /** The serialized VersionedTransaction, base64. */
  readonly rawTx: string;
  readonly blockhash: string;
  /** The last block height at which the transaction can still land. */
  readonly lastValidBlockHeight: number;
  readonly createdAt: Date;
  readonly replacedBy: string | null;
}

/** What signing produced, to be stored before anything is broadcast. */
export interface SignedSolanaTransaction {
  readonly signature: string;
  readonly rawTx: string;
  readonly blockhash: string;
  readonly lastValidBlockHeight: number;
}

interface TransactionRow {
  id: string;
  job_key: string;
  payer: string;
  signature: string;
  raw_tx: string;
  blockhash: string;
  last_valid_block_height: string;
  created_at: Date;
  replaced_by: string | null;
}

const COLUMNS = "id, job_key, payer, signature, raw_tx, blockhash, last_valid_block_height, created_at, replaced_by";

function fromRow(row: TransactionRow): StoredSolanaTransaction {
  return {
    id: BigInt(row.id),
    jobKey: row.job_key,
    payer: row.payer,
    signature: row.signature,
    rawTx: row.raw_tx,
    blockhash: row.blockhash,
    lastValidBlockHeight: Number(row.last_valid_block_height),
    createdAt: row.created_at,
    replacedBy: row.replaced_by,
  };
}

async function insert(client: pg.Pool | pg.PoolClient, payer: string, jobKey: string, signed: SignedSolanaTransaction): Promise<StoredSolanaTransaction | null> {
  const { rows } = await client.query<TransactionRow>(
    `INSERT INTO solana_transactions (job_key, payer, signature, raw_tx, blockhash, last_valid_block_height)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (payer, job_key) WHERE replaced_by IS NULL DO NOTHING RETURNING ${COLUMNS}`,
    [jobKey, payer, signed.signature, signed.rawTx, signed.blockhash, signed.lastValidBlockHeight],
  );
  return rows[0] ? fromRow(rows[0]) : null;
}

export const solanaStore = {
  /** Every transaction stored for a job, oldest first; the last is the current one (not replaced). */
  async jobTransactions(pool: pg.Pool, payer: string, jobKey: string): Promise<StoredSolanaTransaction[]> {
    const { rows } = await pool.query<TransactionRow>(`SELECT ${COLUMNS} FROM solana_transactions WHERE payer = $1 AND job_key = $2 ORDER BY id`, [payer, jobKey]);
    return rows.map(fromRow);
  },

  /**
   * Stores a job's first transaction. When another sender stored one for the job meanwhile, that one is
   * returned (`created: false`) and `signed` must be dropped unsent: only stored transactions are broadcast.
   */
  async store(pool: pg.Pool, payer: string, jobKey: string, signed: SignedSolanaTransaction): Promise<{ stored: StoredSolanaTransaction; created: boolean }> {
    const inserted = await insert(pool, payer, jobKey, signed);
    if (inserted) return { stored: inserted, created: true };
    const current = (await this.jobTransactions(pool, payer, jobKey)).at(-1);
    if (!current) throw new Error(`solana_transactions: job ${jobKey} has neither a new nor a current transaction`);
    return { stored: current, created: false };
  },

  /**
   * Marks `current` replaced by `signed` and stores `signed`, in one database transaction. Null when
   * `current` was replaced meanwhile (another sender re-signed the job first).
   */
  async replace(pool: pg.Pool, current: StoredSolanaTransaction, signed: SignedSolanaTransaction): Promise<StoredSolanaTransaction | null> {
    return inTransaction(pool, async (client) => {
      const marked = await client.query("UPDATE solana_transactions SET replaced_by = $2 WHERE id = $1 AND replaced_by IS NULL", [current.id.toString(), signed.signature]);
      if (marked.rowCount !== 1) return null;
      return insert(client, current.payer, current.jobKey, signed);
    });
  },

  /** The relayer's lookup table on the cluster of `genesisHash`, if one was created. */
  async lookupTable(pool: pg.Pool | pg.PoolClient, authority: string, genesisHash: string): Promise<string | null> {
    const { rows } = await pool.query<{ address: string }>("SELECT address FROM solana_lookup_tables WHERE authority = $1 AND genesis_hash = $2", [authority, genesisHash]);
    return rows[0]?.address ?? null;
  },

  /**
   * Runs `work` holding a transaction-scoped advisory lock for the authority's lookup table, so two
   * relay processes starting together create (or extend) one table, not two; `work` gets the table
   * already recorded (or null) and returns the address to record.
   */
  async withLookupTableLock(pool: pg.Pool, authority: string, genesisHash: string, work: (recorded: string | null) => Promise<string>): Promise<string> {
    return inTransaction(pool, async (client) => {
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`cloak-relay/lookup-table/${authority}/${genesisHash}`]);
      const recorded = await solanaStore.lookupTable(client, authority, genesisHash);
      const address = await work(recorded);
      if (address !== recorded) {
        await client.query("INSERT INTO solana_lookup_tables (authority, genesis_hash, address) VALUES ($1, $2, $3) ON CONFLICT (authority, genesis_hash) DO UPDATE SET address = EXCLUDED.address", [authority, genesisHash, address]);
      }
      return address;
    });
  },
};
