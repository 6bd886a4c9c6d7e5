// The tree snapshot (IndexedTree.serialize's format) written and read a 64-bit word at a time. The
// byte-by-byte BigInt conversion in tree.ts takes seconds for a million-leaf tree (two million nodes);
// these are meant to replace its inner loops, after which this file goes.
import type { PoseidonHasher } from "@cloak/sdk";
import { IndexerError, IndexerErrorCode } from "./errors.ts";
import { FIELD_BYTES, readBigEndianElements, writeBigEndianElements } from "./rebuild-hasher.ts";
import { IndexedTree } from "./tree.ts";

/** tree.ts's magic (not exported there): the snapshots are one format. */
const SNAPSHOT_MAGIC = Buffer.from("CLOAKTREE1");
const HEADER_BYTES = SNAPSHOT_MAGIC.length + 8;

/** The same bytes as `tree.serialize()`. */
export function writeTreeSnapshot(tree: IndexedTree): Buffer {
  const levels = Array.from({ length: tree.depth + 1 }, (_, level) => tree.nodes(level));
  const out = Buffer.allocUnsafe(HEADER_BYTES + levels.reduce((sum, nodes) => sum + nodes.length, 0) * FIELD_BYTES);
  SNAPSHOT_MAGIC.copy(out, 0);
  out.writeUInt32BE(tree.depth, SNAPSHOT_MAGIC.length);
  out.writeUInt32BE(tree.size, SNAPSHOT_MAGIC.length + 4);
  let offset = HEADER_BYTES;
  for (const nodes of levels) offset = writeBigEndianElements(nodes, out, offset);
  return out;
}

/** The same tree, and the same refusals, as `IndexedTree.deserialize(data, poseidon, zeros)`. */
export function readTreeSnapshot(data: Buffer, poseidon: PoseidonHasher, zeros: readonly bigint[]): IndexedTree {
  if (data.length < HEADER_BYTES || !data.subarray(0, SNAPSHOT_MAGIC.length).equals(SNAPSHOT_MAGIC)) {
    throw new IndexerError(IndexerErrorCode.INVALID_SNAPSHOT, "not a Cloak tree snapshot (bad magic)");
  }
  const depth = data.readUInt32BE(SNAPSHOT_MAGIC.length);
  const size = data.readUInt32BE(SNAPSHOT_MAGIC.length + 4);
  if (depth !== zeros.length - 1) throw new IndexerError(IndexerErrorCode.INVALID_SNAPSHOT, `snapshot depth ${depth}, expected ${zeros.length - 1}`);
  const layers: bigint[][] = [];
  let offset = HEADER_BYTES;
  for (let level = 0, width = size; level <= depth; level++, width = Math.ceil(width / 2)) {
    if (offset + width * FIELD_BYTES > data.length) throw new IndexerError(IndexerErrorCode.INVALID_SNAPSHOT, `snapshot truncated at level ${level}`);
    layers.push(readBigEndianElements(data, offset, width));
    offset += width * FIELD_BYTES;
  }
  if (offset !== data.length) throw new IndexerError(IndexerErrorCode.INVALID_SNAPSHOT, `snapshot has ${data.length - offset} trailing bytes`);
  return new IndexedTree(poseidon, zeros, layers);
}
