/**
 * The EVM sender's write-ahead record (issue 12 §2). A job's signed transaction is stored before it is
 * broadcast, so a crash between the two leaves something to rebroadcast, never a second transaction.
 * Nonces are handed out from `evm_nonces` under a row lock, so several senders on one database never
 * sign two different transactions with one nonce for two jobs.
 */
export const up = (pgm) => {
  pgm.sql(`
    CREATE TABLE evm_nonces (
      chain_id bigint NOT NULL,
      address text NOT NULL,
      next_nonce bigint NOT NULL CHECK (next_nonce >= 0),
      PRIMARY KEY (chain_id, address)
    );
    CREATE TABLE evm_transactions (
      id bigserial PRIMARY KEY,
      -- Whatever id the job queue gives; no foreign key, so the sender does not depend on the queue's tables.
      job_key text NOT NULL,
      chain_id bigint NOT NULL,
      address text NOT NULL,
      nonce bigint NOT NULL CHECK (nonce >= 0),
      -- 'job': the job's own call; 'filler': a 0-value self-transfer that uses an abandoned job's nonce.
      kind text NOT NULL DEFAULT 'job' CHECK (kind IN ('job', 'filler')),
      raw_tx text NOT NULL,
      hash text NOT NULL,
      max_fee_per_gas numeric(78, 0) NOT NULL,
      max_priority_fee_per_gas numeric(78, 0) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      -- The hash of the transaction that replaced this one at the same nonce (a fee bump or a filler).
      replaced_by text,
      UNIQUE (chain_id, address, nonce, hash)
    );
    -- One current (unreplaced) transaction per job: a job never holds two nonces.
    CREATE UNIQUE INDEX evm_transactions_current ON evm_transactions (chain_id, address, job_key) WHERE replaced_by IS NULL;
    CREATE INDEX evm_transactions_job ON evm_transactions (job_key);
  `);
};

export const down = (pgm) => {
  pgm.sql(`
    DROP TABLE evm_transactions;
    DROP TABLE evm_nonces;
  `);
};
