// JSON schemas of the indexer's API: fastify validates requests with them and @fastify/swagger turns
// them into /openapi.json, from which the SDK's client types are generated (`npm run openapi:sdk`).
import { errorSchema } from "@cloak/service-kit";
import { TREE_DEPTH } from "../tree.ts";

export const HEX32 = "^0x[0-9a-fA-F]{64}$";
/** An EVM pool (its address) or a Solana pool (its PDA, base58). */
export const POOL_ID = "^(0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{32,44})$";
/** The largest `nodes` answer: a wallet asks for the upper levels, never a million leaves at once. */
export const MAX_NODES = 65_536;

const hex32 = { type: "string", pattern: HEX32, description: "a field element, 0x-prefixed 32-byte hex" } as const;
const hex = { type: "string", pattern: "^0x([0-9a-f]{2})*$" } as const;
const block = { type: "integer", description: "EVM block number or Solana slot" } as const;
const tx = { type: "string", description: "transaction hash (EVM) or signature (Solana)" } as const;
const count = (min: number, max: number, fallback?: number, description?: string) =>
  ({ type: "integer", minimum: min, maximum: max, ...(fallback === undefined ? {} : { default: fallback }), ...(description ? { description } : {}) }) as const;

export const poolParams = {
  type: "object",
  required: ["pool"],
  properties: { pool: { type: "string", pattern: POOL_ID, description: "EVM pool address (0x-hex) or Solana pool account (base58)" } },
} as const;

export const poolSchema = {
  type: "object",
  required: ["id", "chain", "address", "asset", "label", "trees", "leaves", "root", "block", "head", "lag"],
  properties: {
    id: { type: "string" },
    chain: { type: "string", enum: ["evm", "solana"] },
    address: { type: "string" },
    asset: { type: "string", description: "EVM token address (zero: native) or Solana mint" },
    label: { type: "string", description: "the deployment file's name for the pool" },
    trees: { type: "integer", description: "trees so far (the current one is trees - 1)" },
    leaves: { type: "integer", description: "leaves in the current tree" },
    root: hex32,
    block: { ...block, description: "the last block (slot) whose effects are all indexed; leaves and root are as of it" },
    head: { ...block, description: "the newest block (slot) the indexer reads up to (after confirmations)" },
    lag: { type: "integer", description: "head - block" },
  },
} as const;

export const poolsSchema = { type: "object", required: ["pools"], properties: { pools: { type: "array", items: poolSchema } } } as const;

export const rootsQuery = {
  type: "object",
  additionalProperties: false,
  properties: { tree: count(0, 1_000_000, undefined, "tree number (default: the current tree)"), limit: count(1, 1000, 100) },
} as const;

export const rootsSchema = {
  type: "object",
  required: ["pool", "tree", "latest", "roots"],
  properties: {
    pool: { type: "string" },
    tree: { type: "integer" },
    latest: hex32,
    roots: {
      type: "array",
      description: "newest first",
      items: { type: "object", required: ["root", "block", "tx", "size"], properties: { root: hex32, block, tx, size: { type: "integer", description: "leaves when this root was made" } } },
    },
  },
} as const;

export const commitmentsQuery = {
  type: "object",
  additionalProperties: false,
  properties: { tree: count(0, 1_000_000, 0), from: count(0, 2 ** TREE_DEPTH, 0, "first leaf index"), limit: count(1, 5000, 1000) },
} as const;

export const commitmentSchema = {
  type: "object",
  required: ["index", "commitment", "encryptedOutput", "tx", "block"],
  properties: { index: { type: "integer" }, commitment: hex32, encryptedOutput: hex, tx, block },
} as const;

export const commitmentsSchema = {
  type: "object",
  required: ["pool", "tree", "from", "next", "commitments"],
  properties: {
    pool: { type: "string" },
    tree: { type: "integer" },
    from: { type: "integer" },
    next: { type: ["integer", "null"], description: "the next page's `from`; null at the end" },
    commitments: { type: "array", items: commitmentSchema },
  },
} as const;

export const treeParams = {
  type: "object",
  required: ["pool", "tree"],
  properties: { ...poolParams.properties, tree: count(0, 1_000_000) },
} as const;

export const pathParams = {
  type: "object",
  required: ["pool", "tree", "index"],
  properties: { ...treeParams.properties, index: count(0, 2 ** TREE_DEPTH - 1) },
} as const;

export const pathSchema = {
  type: "object",
  required: ["pool", "tree", "index", "leaf", "root", "pathElements", "pathIndices"],
  properties: {
    pool: { type: "string" },
    tree: { type: "integer" },
    index: { type: "integer" },
    leaf: hex32,
    root: hex32,
    pathElements: { type: "array", items: hex32, minItems: TREE_DEPTH, maxItems: TREE_DEPTH },
    pathIndices: { type: "array", items: { type: "integer", enum: [0, 1] }, minItems: TREE_DEPTH, maxItems: TREE_DEPTH },
  },
} as const;

export const nodesQuery = {
  type: "object",
  additionalProperties: false,
  properties: { level: count(0, TREE_DEPTH, 10, "0 = leaves") },
} as const;

export const nodesSchema = {
  type: "object",
  required: ["pool", "tree", "level", "size", "root", "nodes"],
  properties: {
    pool: { type: "string" },
    tree: { type: "integer" },
    level: { type: "integer" },
    size: { type: "integer", description: "leaves in the tree" },
    root: hex32,
    nodes: { type: "array", items: hex32, description: "every node at that level covering at least one leaf" },
  },
} as const;

export const nullifiersQuery = {
  type: "object",
  additionalProperties: false,
  properties: { from: count(0, Number.MAX_SAFE_INTEGER, 0, "cursor: a previous page's `next`"), limit: count(1, 10_000, 5000) },
} as const;

export const nullifiersSchema = {
  type: "object",
  required: ["pool", "from", "next", "nullifiers"],
  properties: {
    pool: { type: "string" },
    from: { type: "integer" },
    next: { type: ["integer", "null"] },
    nullifiers: { type: "array", items: { type: "object", required: ["nullifier", "tx", "block"], properties: { nullifier: hex32, tx, block } } },
  },
} as const;

export const nullifierParams = {
  type: "object",
  required: ["pool", "nullifier"],
  properties: { ...poolParams.properties, nullifier: { type: "string", pattern: HEX32 } },
} as const;

export const nullifierStatusSchema = {
  type: "object",
  required: ["pool", "nullifier", "spent"],
  properties: { pool: { type: "string" }, nullifier: hex32, spent: { type: "boolean" }, tx, block },
} as const;

export const statusBody = {
  type: "object",
  required: ["nullifiers"],
  additionalProperties: false,
  properties: { nullifiers: { type: "array", minItems: 1, maxItems: 1000, items: { type: "string", pattern: HEX32 } } },
} as const;

export const statusesSchema = {
  type: "object",
  required: ["pool", "statuses"],
  properties: {
    pool: { type: "string" },
    statuses: { type: "array", items: { type: "object", required: ["nullifier", "spent"], properties: { nullifier: hex32, spent: { type: "boolean" } } } },
  },
} as const;

export const eventsQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    tree: count(0, 1_000_000, undefined, "with fromIndex: the tree to resume in (default: the current tree)"),
    fromIndex: count(0, 2 ** TREE_DEPTH, undefined, "send the stored commitments from this leaf index first, then live events"),
  },
} as const;

export const errors = { 400: errorSchema, 404: errorSchema } as const;
