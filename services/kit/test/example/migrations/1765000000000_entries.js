/** The example service's one table: what it stores must survive crashes and restarts. */
export const up = (pgm) => {
  pgm.sql(`CREATE TABLE entries (
    id bigserial PRIMARY KEY,
    body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`);
};

export const down = (pgm) => {
  pgm.sql("DROP TABLE entries");
};
