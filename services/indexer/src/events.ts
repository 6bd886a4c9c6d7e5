import { EventEmitter } from "node:events";

/** What `GET /pools/:pool/events` streams, one Server-Sent Event each (the SDK's IndexerEvent). */
export type PoolEvent =
  | { type: "commitment"; data: { tree: number; index: number; commitment: string; encryptedOutput: string; tx: string; block: number } }
  | { type: "nullifier"; data: { nullifier: string; tx: string; block: number } }
  | { type: "root"; data: { tree: number; root: string; block: number } };

/**
 * New state, per pool, as it is committed: the writer publishes what it wrote, a follower what it read
 * back from the database, so a stream works against any replica.
 */
export class PoolEventBus {
  readonly #emitter = new EventEmitter();

  constructor() {
    // One listener per open stream: many wallets may follow one pool.
    this.#emitter.setMaxListeners(0);
  }

  publish(pool: string, events: readonly PoolEvent[]): void {
    if (events.length > 0) this.#emitter.emit(pool, events);
  }

  /** Returns the function that ends the subscription. */
  subscribe(pool: string, listener: (events: readonly PoolEvent[]) => void): () => void {
    this.#emitter.on(pool, listener);
    return () => this.#emitter.off(pool, listener);
  }
}
