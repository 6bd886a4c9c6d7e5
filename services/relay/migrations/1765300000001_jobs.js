/**
 * The relay's durable job queue (issue 12 §2). A job is one withdrawal to submit; its nullifiers are its
 * idempotency key, enforced by the UNIQUE constraint so two concurrent submissions of the same proof can
 * only ever make one row (a read-then-write would let both insert). Workers claim jobs with
 * SELECT … FOR UPDATE SKIP LOCKED and hold a lease; a job whose lease expired belonged to a crashed
 * worker and is claimed again. Every state change writes its job_events row in the same transaction.
 */
export const up = (pgm) => {
  pgm.sql(`
    CREATE TABLE jobs (
      id uuid PRIMARY KEY,
      chain text NOT NULL CHECK (chain IN ('evm', 'solana')),
      pool text NOT NULL,
      -- Sorted (hex lower-cased) by the queue, so the same set in another order is the same key.
      nullifiers text[] NOT NULL CHECK (cardinality(nullifiers) > 0),
      request jsonb NOT NULL,
      -- A uint256 on EVM, a u64 on Solana: numeric keeps both exact.
      fee numeric(78, 0) NOT NULL CHECK (fee >= 0),
      state text NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'processing', 'sent', 'confirmed', 'failed', 'dead', 'cancelled')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      lease_owner text,
      lease_expires_at timestamptz,
      reason text,
      -- The sender's write-ahead: written before a transaction is broadcast, so a second handling after a
      -- crash rebroadcasts or checks the same transaction instead of signing a new one.
      signed_tx text,
      tx_hash text,
      nonce bigint,
      sender text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT jobs_nullifiers_key UNIQUE (chain, pool, nullifiers)
    );
    -- What claim() scans: due queued jobs, and held jobs by lease expiry.
    CREATE INDEX jobs_due ON jobs (next_attempt_at) WHERE state = 'queued';
    CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE state IN ('processing', 'sent');
    CREATE INDEX jobs_state ON jobs (state, created_at);

    CREATE TABLE job_events (
      seq bigserial PRIMARY KEY,
      job uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
      at timestamptz NOT NULL DEFAULT now(),
      from_state text,
      to_state text NOT NULL,
      detail text
    );
    CREATE INDEX job_events_job ON job_events (job, seq);

    -- One row: whether this relay (all its processes) stops claiming jobs.
    CREATE TABLE relay_control (
      id boolean PRIMARY KEY DEFAULT true CHECK (id),
      draining boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO relay_control (id, draining) VALUES (true, false);
  `);
};

export const down = (pgm) => {
  pgm.sql(`DROP TABLE relay_control; DROP TABLE job_events; DROP TABLE jobs;`);
};
