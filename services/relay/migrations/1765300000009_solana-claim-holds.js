/**
 * PoW claims the relay handed to withdrawals not yet landed (issue 12 §5). A claim allows a few
 * consumptions; relay processes sharing this database count each other's holds against them, so they
 * do not sign several withdrawals with a claim's last consumption (all but one would land and fail,
 * their fee spent). A hold is released when its attempt ends; a crashed holder's lapses at expires_at.
 */
export const up = (pgm) => {
  pgm.sql(`
    CREATE TABLE solana_claim_holds (
      -- The scramble registry program, base58: claims of different deployments do not mix.
      registry text NOT NULL,
      claim text NOT NULL,
      -- The withdrawal's job id.
      holder text NOT NULL,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (registry, claim, holder)
    );
  `);
};

export const down = (pgm) => {
  pgm.sql("DROP TABLE solana_claim_holds");
};
