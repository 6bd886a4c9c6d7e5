import type pg from "pg";
import type { Logger } from "pino";

/**
 * The advisory lock key of the one instance that ingests ("cloak-indexer writer"). PostgreSQL holds
 * a session lock until that session ends, so when the writer dies (even by SIGKILL) its connection
 * closes and another replica's next attempt gets the lock.
 */
export const WRITER_LOCK_KEY = 0x636c6f616b_1dn;

/**
 * The writer lease: a connection of its own holding the advisory lock. Every write goes through this
 * connection, so a writer that lost its session (a database restart) cannot write anything after it.
 */
export class WriterLease {
  #client: pg.PoolClient | null = null;

  constructor(
    readonly pool: pg.Pool,
    readonly logger: Logger,
  ) {}

  /** The connection holding the lock, or null when this instance is a follower. */
  get client(): pg.PoolClient | null {
    return this.#client;
  }

  /** Takes the lease if it is free; true when this instance holds it (already or now). */
  async tryAcquire(): Promise<boolean> {
    if (this.#client) return true;
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [WRITER_LOCK_KEY.toString()]);
      if (!rows[0]?.locked) {
        client.release();
        return false;
      }
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    client.on("error", (error) => this.lost(error));
    this.#client = client;
    this.logger.info("writer lease taken: this instance ingests");
    return true;
  }

  /** The session holding the lock failed: the lock is gone with it. */
  lost(error: unknown): void {
    if (!this.#client) return;
    const client = this.#client;
    this.#client = null;
    client.release(error instanceof Error ? error : new Error(String(error)));
    this.logger.warn({ err: error }, "writer lease lost: following until it can be taken again");
  }

  async release(): Promise<void> {
    if (!this.#client) return;
    const client = this.#client;
    this.#client = null;
    try {
      await client.query("SELECT pg_advisory_unlock($1)", [WRITER_LOCK_KEY.toString()]);
      client.release();
    } catch (error) {
      client.release(error as Error);
    }
  }
}
