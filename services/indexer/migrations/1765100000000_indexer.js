/**
 * The indexer's state. Every batch of chain updates is written with its cursor in one transaction, so
 * after a crash the database holds whole batches only and ingest resumes from the cursor.
 */
export const up = (pgm) => {
  pgm.sql(`
    CREATE TABLE pools (
      id text PRIMARY KEY,
      chain text NOT NULL CHECK (chain IN ('evm', 'solana')),
      address text NOT NULL,
      asset text NOT NULL,
      label text NOT NULL,
      start_block bigint NOT NULL
    );
    CREATE TABLE cursors (
      pool text PRIMARY KEY REFERENCES pools (id) ON DELETE CASCADE,
      block bigint NOT NULL,
      block_hash text,
      signature text,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE commitments (
      pool text NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
      tree integer NOT NULL,
      leaf_index integer NOT NULL,
      commitment text NOT NULL,
      encrypted_output bytea NOT NULL,
      tx text NOT NULL,
      block bigint NOT NULL,
      PRIMARY KEY (pool, tree, leaf_index)
    );
    CREATE INDEX commitments_block ON commitments (pool, block);
    CREATE TABLE nullifiers (
      seq bigserial PRIMARY KEY,
      pool text NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
      nullifier text NOT NULL,
      tx text NOT NULL,
      block bigint NOT NULL,
      UNIQUE (pool, nullifier)
    );
    CREATE INDEX nullifiers_block ON nullifiers (pool, block);
    CREATE TABLE roots (
      pool text NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
      tree integer NOT NULL,
      size integer NOT NULL,
      root text NOT NULL,
      tx text NOT NULL,
      block bigint NOT NULL,
      PRIMARY KEY (pool, tree, size)
    );
    CREATE INDEX roots_block ON roots (pool, block);
    CREATE TABLE evm_blocks (
      number bigint PRIMARY KEY,
      hash text NOT NULL
    );
    CREATE TABLE snapshots (
      id bigserial PRIMARY KEY,
      pool text NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
      tree integer NOT NULL,
      size integer NOT NULL,
      root text NOT NULL,
      file text NOT NULL,
      sha256 text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
  `);
};

export const down = (pgm) => {
  pgm.sql("DROP TABLE snapshots, evm_blocks, roots, nullifiers, commitments, cursors, pools");
};
