import { CloakError, ErrorCode } from "./errors.js";
import { toField, toHex32 } from "./field.js";
import type { PoseidonHasher } from "./poseidon.js";
import { parseVersioned } from "./versioned.js";

export const PRODUCTION_TREE_DEPTH = 20;
/**
 * Roots a `MerkleTree` keeps by default, the newest included. No pool uses it: an EVM pool accepts
 * EVM_ROOT_HISTORY_SIZE roots and a Solana pool SOLANA_ROOT_HISTORY_SIZE (`@cloak/sdk/solana`); a tree
 * mirroring a pool passes its chain's size.
 */
export const ROOT_HISTORY_SIZE = 100;
/** Roots an EVM pool accepts, the newest included (`MerkleTreeWithHistory.ROOT_HISTORY_SIZE`, an O(1) lookup). */
export const EVM_ROOT_HISTORY_SIZE = 65_536;
/** The empty leaf. zeros[i + 1] = Poseidon(zeros[i], zeros[i]); every chain's tree uses these values. */
export const ZERO_LEAF = 0n;
const MAX_DEPTH = 32;
const SNAPSHOT_FORMAT = "cloak-tree/1";

export interface MerklePath {
  leafIndex: number;
  leaf: bigint;
  /** Siblings from the leaf level up. */
  pathElements: bigint[];
  root: bigint;
}

export interface MerkleTreeSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  depth: number;
  rootHistorySize: number;
  /** Leading leaves that are all the zero leaf and are not listed (absent: 0). */
  emptyLeaves?: number;
  /** The leaves after the empty ones. */
  leaves: string[];
  /** Oldest first; the last entry is the current root. */
  rootHistory: string[];
}

export function zeroValues(depth: number, poseidon: PoseidonHasher): bigint[] {
  const zeros = [ZERO_LEAF];
  for (let i = 0; i < depth; i++) zeros.push(poseidon.hash([zeros[i]!, zeros[i]!]));
  return zeros;
}

/**
 * Append-only Poseidon Merkle tree mirroring the pools' on-chain trees. Every level is kept, so paths
 * for any leaf are O(depth); each insert call records one root in the history, as one on-chain
 * transaction (which appends its two outputs) records one.
 *
 * `emptyLeaves` starts the tree with that many zero leaves without storing or hashing them: the nodes
 * that cover only those leaves are the precomputed zero subtrees (a test that writes a pool's leaf count
 * builds the matching tree this way, in O(depth) instead of O(2^depth)).
 */
export class MerkleTree {
  readonly depth: number;
  readonly rootHistorySize: number;
  readonly emptyLeaves: number;
  readonly #poseidon: PoseidonHasher;
  readonly #zeros: bigint[];
  /** layers[0] are the leaves; layers[depth] holds the root once anything is inserted. */
  readonly #layers: bigint[][];
  /** Recent roots, oldest first; may hold up to twice `rootHistorySize` before it is trimmed in one step. */
  #recentRoots: bigint[] = [];
  /** Each recorded root's sequence number (1 for the first), the newest when a root recurs. */
  readonly #rootSequence = new Map<bigint, number>();
  #rootCount = 0;

  constructor(
    depth: number,
    poseidon: PoseidonHasher,
    options: { leaves?: readonly bigint[]; rootHistorySize?: number; emptyLeaves?: number } = {},
  ) {
    if (!Number.isInteger(depth) || depth < 1 || depth > MAX_DEPTH) {
      throw new CloakError(ErrorCode.INVALID_SNAPSHOT, `depth: must be an integer from 1 to ${MAX_DEPTH}, got ${depth}`);
    }
    const emptyLeaves = options.emptyLeaves ?? 0;
    if (!Number.isSafeInteger(emptyLeaves) || emptyLeaves < 0 || emptyLeaves > 2 ** depth) {
      throw new CloakError(ErrorCode.INVALID_SNAPSHOT, `emptyLeaves: must be an integer from 0 to ${2 ** depth}, got ${emptyLeaves}`);
    }
    this.depth = depth;
    this.rootHistorySize = options.rootHistorySize ?? ROOT_HISTORY_SIZE;
    this.emptyLeaves = emptyLeaves;
    this.#poseidon = poseidon;
    this.#zeros = zeroValues(depth, poseidon);
    // Nodes covering only empty leaves stay holes in their layer and read as that level's zero subtree.
    this.#layers = Array.from({ length: depth + 1 }, (_, level) => new Array<bigint>(Math.floor(emptyLeaves / 2 ** level)));
    this.#pushRoot(this.#zeros[depth]!);
    if (options.leaves?.length) this.insertMany(options.leaves);
  }

  get capacity(): number {
    return 2 ** this.depth;
  }

  get size(): number {
    return this.#layers[0]!.length;
  }

  get root(): bigint {
    return this.#recentRoots[this.#recentRoots.length - 1]!;
  }

  get zeros(): readonly bigint[] {
    return this.#zeros;
  }

  /** Every leaf, in order; the first `emptyLeaves` are holes that read as undefined (the zero leaf). */
  leaves(): readonly bigint[] {
    return this.#layers[0]!;
  }

  insert(leaf: bigint): number {
    return this.insertMany([leaf]);
  }

  /** Appends leaves, rehashing each touched node once; returns the index of the first new leaf. */
  insertMany(leaves: readonly bigint[]): number {
    const start = this.size;
    if (leaves.length === 0) return start;
    if (start + leaves.length > this.capacity) {
      throw new CloakError(ErrorCode.TREE_FULL, `tree of depth ${this.depth} holds ${this.capacity} leaves; cannot add ${leaves.length} to ${start}`);
    }
    const layer0 = this.#layers[0]!;
    for (const [i, leaf] of leaves.entries()) layer0.push(toField(leaf, `leaves[${i}]`));

    let from = start;
    let to = layer0.length;
    for (let level = 0; level < this.depth; level++) {
      const current = this.#layers[level]!;
      const parent = this.#layers[level + 1]!;
      const firstParent = from >> 1;
      const lastParent = (to - 1) >> 1;
      for (let p = firstParent; p <= lastParent; p++) {
        const left = current[2 * p] ?? this.#zeros[level]!;
        const right = current[2 * p + 1] ?? this.#zeros[level]!;
        parent[p] = this.#poseidon.hash([left, right]);
      }
      from = firstParent;
      to = lastParent + 1;
    }
    this.#pushRoot(this.#layers[this.depth]![0]!);
    return start;
  }

  #pushRoot(root: bigint): void {
    this.#rootSequence.set(root, ++this.#rootCount);
    this.#recentRoots.push(root);
    // Trimming in one step once the list doubles keeps each insert O(1) even for a history of 65,536.
    if (this.#recentRoots.length >= 2 * this.rootHistorySize) this.#recentRoots = this.#recentRoots.slice(-this.rootHistorySize);
  }

  /** The authentication path of the leaf at `leafIndex` against the current root. */
  path(leafIndex: number): MerklePath {
    if (!Number.isInteger(leafIndex) || leafIndex < 0 || leafIndex >= this.size) {
      throw new CloakError(ErrorCode.LEAF_NOT_FOUND, `leafIndex: ${leafIndex} is not in a tree of ${this.size} leaves`);
    }
    const pathElements: bigint[] = [];
    let index = leafIndex;
    for (let level = 0; level < this.depth; level++) {
      const sibling = this.#layers[level]![index ^ 1];
      pathElements.push(sibling ?? this.#zeros[level]!);
      index >>= 1;
    }
    return { leafIndex, leaf: this.#layers[0]![leafIndex] ?? ZERO_LEAF, pathElements, root: this.root };
  }

  indexOf(leaf: bigint): number {
    return this.#layers[0]!.indexOf(leaf);
  }

  /** True when `root` is the current root or one of the `rootHistorySize - 1` before it, as on chain. */
  isKnownRoot(root: bigint): boolean {
    const sequence = this.#rootSequence.get(root);
    return sequence !== undefined && this.#rootCount < sequence + this.rootHistorySize;
  }

  requireKnownRoot(root: bigint): void {
    if (!this.isKnownRoot(root)) {
      throw new CloakError(ErrorCode.ROOT_NOT_FOUND, `root ${toHex32(root)} is not among the last ${this.rootHistorySize} roots`);
    }
  }

  /** The known roots, oldest first; the last is the current root. */
  rootHistory(): readonly bigint[] {
    return this.#recentRoots.slice(-this.rootHistorySize);
  }

  snapshot(): MerkleTreeSnapshot {
    return {
      format: SNAPSHOT_FORMAT,
      depth: this.depth,
      rootHistorySize: this.rootHistorySize,
      ...(this.emptyLeaves > 0 ? { emptyLeaves: this.emptyLeaves } : {}),
      leaves: this.#layers[0]!.slice(this.emptyLeaves).map(toHex32),
      rootHistory: this.rootHistory().map(toHex32),
    };
  }

  /** Rebuilds from a snapshot and refuses one whose leaves do not hash to its recorded current root. */
  static restore(serialized: MerkleTreeSnapshot | string, poseidon: PoseidonHasher): MerkleTree {
    const snapshot = parseVersioned(serialized, SNAPSHOT_FORMAT, "snapshot", ErrorCode.INVALID_SNAPSHOT);
    if (!Array.isArray(snapshot.leaves) || !Array.isArray(snapshot.rootHistory) || snapshot.rootHistory.length === 0) {
      throw new CloakError(ErrorCode.INVALID_SNAPSHOT, "snapshot: leaves and a non-empty rootHistory are required");
    }
    if (typeof snapshot.depth !== "number") throw new CloakError(ErrorCode.INVALID_SNAPSHOT, "snapshot.depth: missing");
    const tree = new MerkleTree(snapshot.depth, poseidon, {
      leaves: snapshot.leaves.map((leaf, i) => toField(leaf, `snapshot.leaves[${i}]`)),
      rootHistorySize: snapshot.rootHistorySize,
      ...(snapshot.emptyLeaves === undefined ? {} : { emptyLeaves: snapshot.emptyLeaves }),
    });
    const history = snapshot.rootHistory.map((root, i) => toField(root, `snapshot.rootHistory[${i}]`));
    if (history[history.length - 1] !== tree.root) {
      throw new CloakError(ErrorCode.INVALID_SNAPSHOT, `snapshot: leaves hash to ${toHex32(tree.root)}, not the recorded root`);
    }
    tree.#rootSequence.clear();
    tree.#recentRoots = [];
    tree.#rootCount = 0;
    for (const root of history.slice(-tree.rootHistorySize)) tree.#pushRoot(root);
    return tree;
  }
}
