import type { FastifyInstance } from "fastify";
import type { ServerResponse } from "node:http";
import type pg from "pg";
import type { PoolEvent, PoolEventBus } from "../events.ts";
import type { IndexerState } from "../state.ts";
import { store } from "../store.ts";
import { normalizePoolId } from "./routes.ts";
import { errors, eventsQuery, poolParams } from "./schemas.ts";

/** A comment line this often keeps proxies from closing a quiet stream. */
export const PING_INTERVAL_MS = 15_000;
const RESUME_PAGE = 1000;

export interface EventsRouteOptions {
  readonly app: FastifyInstance;
  readonly state: IndexerState;
  readonly db: pg.Pool;
  readonly bus: PoolEventBus;
}

const frame = (event: PoolEvent) => `event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;

/**
 * GET /pools/:pool/events: new commitments, nullifiers and roots as Server-Sent Events. With
 * `fromIndex`, the stored commitments from that leaf on come first; live events that arrive meanwhile
 * are held and sent after them without repeats, so a wallet resuming from its last leaf misses nothing.
 */
export function registerEventsRoute({ app, state, db, bus }: EventsRouteOptions): void {
  const open = new Set<ServerResponse>();
  // A stop must not wait for streams that never end on their own.
  app.addHook("preClose", async () => {
    for (const response of open) response.end();
  });

  app.get<{ Params: { pool: string }; Querystring: { tree?: number; fromIndex?: number } }>(
    "/api/v1/pools/:pool/events",
    {
      config: { stream: true },
      schema: {
        tags: ["indexer"],
        summary: "New commitments, nullifiers and roots as they are indexed (text/event-stream)",
        params: poolParams,
        querystring: eventsQuery,
        produces: ["text/event-stream"],
        response: { 200: { type: "string", description: "events `commitment`, `nullifier`, `root`; a comment ping every 15 s" }, ...errors },
      },
    },
    async (request, reply) => {
      const entry = state.pool(normalizePoolId(request.params.pool));
      if (!entry) return reply.code(404).send({ error: "NOT_FOUND", message: `no pool ${request.params.pool} is indexed` });
      const tree = request.query.tree ?? entry.published.trees - 1;
      if (request.query.fromIndex !== undefined && tree >= entry.published.trees) {
        return reply.code(404).send({ error: "NOT_FOUND", message: `pool ${entry.pool.id} has ${entry.published.trees} tree(s); there is no tree ${tree}` });
      }
      reply.hijack();
      const response = reply.raw;
      response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive", "x-accel-buffering": "no" });
      open.add(response);
      let held: PoolEvent[] | null = request.query.fromIndex === undefined ? null : [];
      let next = request.query.fromIndex ?? 0;
      const send = (events: readonly PoolEvent[]) => {
        for (const event of events) {
          // During a resume, commitments already sent from the database are not sent again.
          if (event.type === "commitment" && event.data.tree === tree && event.data.index < next) continue;
          response.write(frame(event));
        }
      };
      const unsubscribe = bus.subscribe(entry.pool.id, (events) => (held ? held.push(...events) : send(events)));
      const ping = setInterval(() => response.write(": ping\n\n"), PING_INTERVAL_MS);
      const end = () => {
        clearInterval(ping);
        unsubscribe();
        open.delete(response);
      };
      response.on("close", end);
      response.write(": connected\n\n");
      try {
        while (held && !response.destroyed) {
          const page = await store.commitments(db, entry.pool.id, tree, next, RESUME_PAGE);
          for (const row of page) response.write(frame({ type: "commitment", data: { tree, ...row } }));
          next += page.length;
          if (page.length < RESUME_PAGE) {
            const waiting = held;
            held = null;
            send(waiting);
          }
        }
      } catch (error) {
        request.log.warn({ err: error }, "events: resume failed");
        response.end();
      }
    },
  );
}
