import type pg from "pg";

/** Runs `work` in one database transaction on a pooled connection: committed if it returns, rolled back if it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // The server dropping the connection while this holds it (a restart, a stop) emits 'error' on the
  // client, which pg leaves unheard once the pool has handed the client out: unheard, it ended the whole
  // relay. The query in flight or the next one fails anyway, and that failure is what this reports.
  const dropped = () => undefined;
  client.on("error", dropped);
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    // Back in the pool, an idle connection's errors are the pool's to hear.
    client.removeListener("error", dropped);
    client.release();
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    // A connection whose transaction failed midway is not reused. It keeps the listener: a dropped
    // connection can still report its end after it was handed back to be destroyed.
    client.release(error as Error);
    throw error;
  }
}
