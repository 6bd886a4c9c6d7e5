/**
 * Each pool's network ("evm:<chain id>" or "solana:<genesis hash>"): a local chain restarted from
 * genesis can reuse a pool's address, and its old rows must not pass for the new chain's.
 */
export const up = (pgm) => {
  pgm.sql("ALTER TABLE pools ADD COLUMN network text");
};

export const down = (pgm) => {
  pgm.sql("ALTER TABLE pools DROP COLUMN network");
};
