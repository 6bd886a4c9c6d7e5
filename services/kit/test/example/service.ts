/**
 * A tiny service built only from the kit, to prove it end to end (not part of Cloak): it stores
 * entries in PostgreSQL and has one route whose handler logs a leaf index beside the client address,
 * which the kit's logger must drop.
 */
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { errorSchema, serviceCli, type ServiceDefinition } from "../../src/index.ts";

const here = dirname(fileURLToPath(import.meta.url));

const entrySchema = {
  type: "object",
  required: ["id", "body"],
  properties: { id: { type: "string" }, body: { type: "string" } },
} as const;

export const exampleService: ServiceDefinition = {
  service: "example",
  envPrefix: "EXAMPLE",
  defaultPort: 3099,
  sections: ["server", "database", "merkle", "logging"],
  version: "0.1.0",
  description: "the service kit's example service",
  migrationsDir: join(here, "migrations"),
  healthAliases: ["/api/v1/health"],
  async start({ app, database, logger }) {
    const pool = database!.pool;
    let inFlight = 0;
    app.post<{ Body: { body: string } }>(
      "/api/v1/entries",
      {
        schema: {
          body: { type: "object", required: ["body"], additionalProperties: false, properties: { body: { type: "string", minLength: 1, maxLength: 1000 } } },
          response: { 201: entrySchema, 400: errorSchema },
        },
      },
      async (request, reply) => {
        const result = await pool.query<{ id: string; body: string }>("INSERT INTO entries (body) VALUES ($1) RETURNING id::text, body", [request.body.body]);
        return reply.code(201).send(result.rows[0]);
      },
    );
    app.get<{ Params: { id: string } }>(
      "/api/v1/entries/:id",
      { schema: { params: { type: "object", properties: { id: { type: "string", pattern: "^[0-9]{1,18}$" } } }, response: { 200: entrySchema, 400: errorSchema, 404: errorSchema } } },
      async (request, reply) => {
        const result = await pool.query<{ id: string; body: string }>("SELECT id::text, body FROM entries WHERE id = $1", [request.params.id]);
        if (result.rowCount === 0) return reply.code(404).send({ error: "NOT_FOUND", message: `no entry ${request.params.id}` });
        return result.rows[0];
      },
    );
    app.get<{ Params: { leafIndex: number } }>(
      "/api/v1/leaves/:leafIndex",
      { schema: { params: { type: "object", properties: { leafIndex: { type: "integer", minimum: 0 } } }, response: { 200: { type: "object", properties: { leafIndex: { type: "integer" } } } } } },
      async (request) => {
        // Deliberately careless: the kit must keep the address out of this line.
        request.log.info({ leafIndex: request.params.leafIndex, ip: request.ip }, "leaf requested");
        return { leafIndex: request.params.leafIndex };
      },
    );
    app.get<{ Querystring: { ms: number } }>(
      "/api/v1/slow",
      { schema: { querystring: { type: "object", required: ["ms"], properties: { ms: { type: "integer", minimum: 0, maximum: 20000 } } } } },
      async (request) => {
        inFlight += 1;
        logger.info({ inFlight }, "slow request started");
        await new Promise((resolve) => setTimeout(resolve, request.query.ms));
        inFlight -= 1;
        return { waited: request.query.ms };
      },
    );
    // A route that breaks its own contract, for the test proving scripts/schemathesis.sh catches it:
    // the body is sent pre-serialized, past the schema-driven serializer, as a careless handler might.
    if (process.env.EXAMPLE_BREAK_CONTRACT === "1") {
      app.get(
        "/api/v1/broken",
        { schema: { response: { 200: { type: "object", required: ["count"], properties: { count: { type: "integer", minimum: 0 } } } } } },
        async (_request, reply) => reply.type("application/json").send(JSON.stringify({ count: -1 })),
      );
    }
    if (process.env.EXAMPLE_FAIL_AFTER_START === "1") setImmediate(() => {
      throw new Error("example failure after start");
    });
    return {
      probes: { figures: () => ({ in_flight: inFlight }) },
      async stop() {
        logger.info({ inFlight }, "example: work finished");
      },
    };
  },
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await serviceCli(exampleService).parseAsync();
