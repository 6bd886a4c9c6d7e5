import { toHex32 } from "@cloak/sdk";
import type { FastifyInstance, FastifyReply } from "fastify";
import type pg from "pg";
import type { IndexerMetrics } from "../indexer-metrics.ts";
import type { IndexerState, PoolState } from "../state.ts";
import { store } from "../store.ts";
import type { IndexedTree } from "../tree.ts";
import {
  MAX_NODES,
  commitmentsQuery,
  commitmentsSchema,
  errors,
  nodesQuery,
  nodesSchema,
  nullifierParams,
  nullifierStatusSchema,
  nullifiersQuery,
  nullifiersSchema,
  pathParams,
  pathSchema,
  poolParams,
  poolSchema,
  poolsSchema,
  rootsQuery,
  rootsSchema,
  statusBody,
  statusesSchema,
  treeParams,
} from "./schemas.ts";

export interface ApiOptions {
  readonly app: FastifyInstance;
  readonly state: IndexerState;
  readonly db: pg.Pool;
  readonly metrics: IndexerMetrics;
}

/** Ids as stored: EVM addresses lowercase, Solana base58 as is. */
export const normalizePoolId = (id: string) => (id.startsWith("0x") ? id.toLowerCase() : id);

function notFound(reply: FastifyReply, message: string) {
  return reply.code(404).send({ error: "NOT_FOUND", message });
}

function describePool(state: IndexerState, entry: PoolState) {
  const head = Math.max(state.heads.get(entry.pool.chain) ?? entry.published.block, entry.published.block);
  return {
    id: entry.pool.id,
    chain: entry.pool.chain,
    address: entry.pool.address,
    asset: entry.pool.asset,
    label: entry.pool.label,
    trees: entry.published.trees,
    leaves: entry.published.leaves,
    root: entry.published.root,
    block: entry.published.block,
    head,
    lag: head - entry.published.block,
  };
}

/** The REST API under /api/v1 (the contract in README.md; the stream is in events-route.ts). */
export function registerRoutes({ app, state, db, metrics }: ApiOptions): void {
  const tags = ["indexer"];
  const findPool = (reply: FastifyReply, id: string): PoolState | undefined => {
    const entry = state.pool(normalizePoolId(id));
    if (!entry) void notFound(reply, `no pool ${id} is indexed`);
    return entry;
  };
  const findTree = (reply: FastifyReply, entry: PoolState, number: number): IndexedTree | undefined => {
    const tree = number < entry.published.trees ? entry.trees.tree(number) : undefined;
    if (!tree) void notFound(reply, `pool ${entry.pool.id} has ${entry.published.trees} tree(s); there is no tree ${number}`);
    return tree;
  };

  app.get("/api/v1/pools", { schema: { tags, summary: "Every pool indexed, with its progress", response: { 200: poolsSchema } } }, async () => ({
    pools: state.pools.map((entry) => describePool(state, entry)),
  }));

  app.get<{ Params: { pool: string } }>(
    "/api/v1/pools/:pool",
    { schema: { tags, summary: "One pool: its trees, current root and the block they are as of", params: poolParams, response: { 200: poolSchema, ...errors } } },
    async (request, reply) => {
      const entry = findPool(reply, request.params.pool);
      return entry ? describePool(state, entry) : reply;
    },
  );

  app.get<{ Params: { pool: string }; Querystring: { tree?: number; limit: number } }>(
    "/api/v1/pools/:pool/roots",
    { schema: { tags, summary: "A tree's newest roots, newest first", params: poolParams, querystring: rootsQuery, response: { 200: rootsSchema, ...errors } } },
    async (request, reply) => {
      const entry = findPool(reply, request.params.pool);
      if (!entry) return reply;
      const number = request.query.tree ?? entry.published.trees - 1;
      const tree = findTree(reply, entry, number);
      if (!tree) return reply;
      const roots = await store.roots(db, entry.pool.id, number, request.query.limit);
      return { pool: entry.pool.id, tree: number, latest: roots[0]?.root ?? toHex32(tree.root), roots };
    },
  );

  app.get<{ Params: { pool: string }; Querystring: { tree: number; from: number; limit: number } }>(
    "/api/v1/pools/:pool/commitments",
    {
      schema: {
        tags,
        summary: "A tree's leaves with their encrypted outputs, from a leaf index (for note discovery)",
        params: poolParams,
        querystring: commitmentsQuery,
        response: { 200: commitmentsSchema, ...errors },
      },
    },
    async (request, reply) => {
      const entry = findPool(reply, request.params.pool);
      if (!entry) return reply;
      const { tree, from, limit } = request.query;
      const commitments = await store.commitments(db, entry.pool.id, tree, from, limit);
      return { pool: entry.pool.id, tree, from, next: commitments.length === limit ? from + limit : null, commitments };
    },
  );

  app.get<{ Params: { pool: string; tree: number; index: number } }>(
    "/api/v1/pools/:pool/trees/:tree/paths/:index",
    {
      schema: {
        tags,
        summary: "A leaf's Merkle path and the root it leads to (light clients: asking names your leaf to the indexer)",
        params: pathParams,
        response: { 200: pathSchema, ...errors },
      },
    },
    async (request, reply) => {
      const started = process.hrtime.bigint();
      const entry = findPool(reply, request.params.pool);
      const tree = entry && findTree(reply, entry, request.params.tree);
      if (!entry || !tree) {
        metrics.proofRequestsTotal.inc({ status: "not_found" });
        return reply;
      }
      const { index } = request.params;
      if (index >= tree.size) {
        metrics.proofRequestsTotal.inc({ status: "not_found" });
        return notFound(reply, `tree ${request.params.tree} of pool ${entry.pool.id} has ${tree.size} leaves; there is no leaf ${index}`);
      }
      const path = tree.path(index);
      const answer = {
        pool: entry.pool.id,
        tree: request.params.tree,
        index,
        leaf: toHex32(path.leaf),
        root: toHex32(path.root),
        pathElements: path.pathElements.map(toHex32),
        pathIndices: path.pathIndices,
      };
      metrics.proofRequestsTotal.inc({ status: "ok" });
      metrics.proofGenerationSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      return answer;
    },
  );

  app.get<{ Params: { pool: string; tree: number }; Querystring: { level: number } }>(
    "/api/v1/pools/:pool/trees/:tree/nodes",
    {
      schema: {
        tags,
        summary: "Every node of a tree at one level (a wallet computes its own subtree and takes the upper levels from here)",
        params: treeParams,
        querystring: nodesQuery,
        response: { 200: nodesSchema, ...errors },
      },
    },
    async (request, reply) => {
      const entry = findPool(reply, request.params.pool);
      const tree = entry && findTree(reply, entry, request.params.tree);
      if (!entry || !tree) return reply;
      const { level } = request.query;
      // Read size, nodes and root in one synchronous step: they describe the same tree.
      const size = tree.size;
      const nodes = tree.nodes(level);
      if (nodes.length > MAX_NODES) {
        return reply.code(400).send({ error: "BAD_REQUEST", field: "querystring.level", message: `level ${level} has ${nodes.length} nodes, more than ${MAX_NODES}; ask for a higher level` });
      }
      return { pool: entry.pool.id, tree: request.params.tree, level, size, root: toHex32(tree.root), nodes: nodes.map(toHex32) };
    },
  );

  app.get<{ Params: { pool: string }; Querystring: { from: number; limit: number } }>(
    "/api/v1/pools/:pool/nullifiers",
    { schema: { tags, summary: "The spent-nullifier set, paged (the private way to learn what is spent)", params: poolParams, querystring: nullifiersQuery, response: { 200: nullifiersSchema, ...errors } } },
    async (request, reply) => {
      const entry = findPool(reply, request.params.pool);
      if (!entry) return reply;
      const { from, limit } = request.query;
      const rows = await store.nullifiers(db, entry.pool.id, from, limit);
      return {
        pool: entry.pool.id,
        from,
        next: rows.length === limit ? rows.at(-1)!.seq + 1 : null,
        nullifiers: rows.map((row) => ({ nullifier: row.nullifier, tx: row.tx, block: row.block })),
      };
    },
  );

  app.get<{ Params: { pool: string; nullifier: string } }>(
    "/api/v1/pools/:pool/nullifiers/:nullifier",
    { schema: { tags, summary: "Whether one nullifier is spent (light clients: asking names your note)", params: nullifierParams, response: { 200: nullifierStatusSchema, ...errors } } },
    async (request, reply) => {
      const entry = findPool(reply, request.params.pool);
      if (!entry) return reply;
      const nullifier = request.params.nullifier.toLowerCase();
      const spent = (await store.nullifierStatus(db, entry.pool.id, [nullifier])).get(nullifier);
      return { pool: entry.pool.id, nullifier, spent: spent !== undefined, ...(spent ?? {}) };
    },
  );

  app.post<{ Params: { pool: string }; Body: { nullifiers: string[] } }>(
    "/api/v1/pools/:pool/nullifiers/status",
    { schema: { tags, summary: "Whether each of up to 1000 nullifiers is spent, in the order asked", params: poolParams, body: statusBody, response: { 200: statusesSchema, ...errors } } },
    async (request, reply) => {
      const entry = findPool(reply, request.params.pool);
      if (!entry) return reply;
      const asked = request.body.nullifiers.map((n) => n.toLowerCase());
      const spent = await store.nullifierStatus(db, entry.pool.id, asked);
      return { pool: entry.pool.id, statuses: asked.map((nullifier) => ({ nullifier, spent: spent.has(nullifier) })) };
    },
  );
}
