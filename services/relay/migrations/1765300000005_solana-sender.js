/**
 * The Solana sender's write-ahead record (issue 12 §2). A job's signed transaction, with the blockhash it
 * was signed at and that blockhash's lastValidBlockHeight, is stored before it is broadcast: a retry or a
 * fresh process after a crash rebroadcasts those same bytes (one signature, so it lands at most once).
 * A job gets a second transaction only once the first one's blockhash has expired with its signature
 * absent from the chain (it can then never land); the first is marked replaced in the same database
 * transaction that stores the second, and the partial unique index keeps one current transaction per
 * job, so two senders cannot both re-sign it.
 */
export const up = (pgm) => {
  pgm.sql(`
    CREATE TABLE solana_transactions (
      id bigserial PRIMARY KEY,
      -- Whatever id the job queue gives; no foreign key, so the sender does not depend on the queue's tables.
      job_key text NOT NULL,
      -- The fee payer and signer (the relayer), base58.
      payer text NOT NULL,
      signature text NOT NULL UNIQUE,
      -- The serialized VersionedTransaction, base64: what is (re)broadcast.
      raw_tx text NOT NULL,
      blockhash text NOT NULL,
      last_valid_block_height bigint NOT NULL CHECK (last_valid_block_height >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      -- The signature of the transaction that replaced this one after its blockhash expired unseen.
      replaced_by text
    );
    CREATE UNIQUE INDEX solana_transactions_current ON solana_transactions (payer, job_key) WHERE replaced_by IS NULL;
    CREATE INDEX solana_transactions_job ON solana_transactions (job_key);

    -- The relayer's address lookup table, created on the first start against a cluster and reused after.
    CREATE TABLE solana_lookup_tables (
      authority text NOT NULL,
      -- The cluster's genesis hash: a table on one cluster does not exist on another.
      genesis_hash text NOT NULL,
      address text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (authority, genesis_hash)
    );
  `);
};

export const down = (pgm) => {
  pgm.sql(`
    DROP TABLE solana_lookup_tables;
    DROP TABLE solana_transactions;
  `);
};
