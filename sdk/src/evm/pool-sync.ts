import { Contract, Interface, getBytes, type Provider } from "ethers";
import type { DiscoveredNote, EncryptedOutput } from "../encryption.js";
import { trialDecrypt } from "../encryption.js";
import { CloakError, ErrorCode } from "../errors.js";
import { toHex32 } from "../field.js";
import type { Keypair } from "../keys.js";
import { EVM_ROOT_HISTORY_SIZE, MerkleTree, PRODUCTION_TREE_DEPTH } from "../merkle.js";
import { noteNullifier } from "../note.js";
import type { PoseidonHasher } from "../poseidon.js";
import type { IndexerClient } from "../indexer/client.js";
import { downloadPool } from "../indexer/download.js";
import { freshBlockNumber, scanLogs } from "./logs.js";

/** The ShieldPool events a wallet needs; the pool emits everything required to rebuild its state. */
const POOL_EVENTS = new Interface([
  "event NewCommitment(bytes32 indexed commitment, uint256 indexed tree, uint256 indexed index, bytes encryptedOutput)",
  "event NewNullifier(bytes32 indexed nullifier)",
  "event TreeRolledOver(uint256 indexed tree, bytes32 finalRoot)",
]);
const NEW_COMMITMENT = POOL_EVENTS.getEvent("NewCommitment")!.topicHash;
const NEW_NULLIFIER = POOL_EVENTS.getEvent("NewNullifier")!.topicHash;
const TREE_ROLLED_OVER = POOL_EVENTS.getEvent("TreeRolledOver")!.topicHash;
/** The pool's views that vouch for an indexer's tree: roots are public, asking about one reveals nothing. */
const ROOT_VIEWS = ["function isKnownRoot(bytes32 root) view returns (bool)", "function finalRoot(uint256 tree) view returns (bytes32)"];

/** A note found in an EVM pool: a leaf is identified by its tree number and its index in that tree. */
export interface PoolNote extends DiscoveredNote {
  tree: number;
}

export interface PoolSyncOptions {
  /**
   * The first block to read: the pool's deployment block (`details.deployBlock` of its entry in
   * `deployments/<network>.json`), or the block after a restored snapshot. There is no default: reading
   * from block 0 asks a public node for the whole chain's history, which it refuses or answers slowly.
   */
  fromBlock: number;
  depth?: number;
  /**
   * Resumes tree 0 from a known state instead of the empty tree (a restored snapshot, or a tree whose
   * first leaves are known to be empty); logs then continue at its size.
   */
  tree?: MerkleTree;
  /** The most blocks one eth_getLogs call covers (the node's cap); see `scanLogs`. */
  maxRange?: number;
}

/** Where `sync` stops: a block number, `{ toBlock }`, or a transaction receipt (its block). */
export type SyncTarget = number | { toBlock: number } | { blockNumber: number };

function targetBlock(target: SyncTarget): number {
  if (typeof target === "number") return target;
  return "toBlock" in target ? target.toBlock : target.blockNumber;
}

/**
 * A wallet's view of one EVM pool, rebuilt from its logs alone: one Merkle tree per tree number (a full
 * tree rolls over into the next, and its notes stay spendable against its final root), every encrypted
 * output, and the spent nullifiers. `sync` reads only the blocks it has not seen, from `fromBlock` on.
 */
export class PoolSync {
  /** The pool's trees by number; the last is the one new leaves go into. */
  readonly trees: MerkleTree[];
  /** Encrypted outputs by tree number, in leaf order. */
  readonly outputs: EncryptedOutput[][];
  readonly spent = new Set<bigint>();
  readonly #depth: number;
  #nextBlock: number;
  /** First of a transaction's two commitments, waiting for the second: each transaction records one root. */
  #pending: bigint[] = [];

  readonly #maxRange: number | undefined;

  constructor(
    readonly provider: Provider,
    readonly pool: string,
    readonly poseidon: PoseidonHasher,
    options: PoolSyncOptions,
  ) {
    if (!Number.isSafeInteger(options.fromBlock) || options.fromBlock < 0) {
      throw new CloakError(ErrorCode.INVALID_OPTION, `fromBlock: ${String(options.fromBlock)} is not a block number (pass the pool's deployment block)`);
    }
    this.#depth = options.tree?.depth ?? options.depth ?? PRODUCTION_TREE_DEPTH;
    this.trees = [options.tree ?? this.#newTree()];
    this.outputs = [[]];
    this.#nextBlock = options.fromBlock;
    this.#maxRange = options.maxRange;
  }

  /**
   * A view started from an indexer instead of the pool's whole log history: every leaf, encrypted output
   * and spent nullifier is downloaded (never only the wallet's own, so the indexer cannot tell which notes
   * are whose), the trees are built here, and paths are computed here. The result is checked against the
   * chain: each finished tree's root must be the pool's `finalRoot(tree)`, and the current tree's a root
   * the pool knows, so an indexer that altered a leaf or a ciphertext's commitment is caught. What the
   * chain does not vouch for here is the nullifier set (an omitted nullifier shows a spent note as
   * spendable, and spending it then fails on chain). Later `sync()` calls read logs from the block after
   * the one the indexer had reached.
   */
  static async fromIndexer(
    client: IndexerClient,
    provider: Provider,
    pool: string,
    poseidon: PoseidonHasher,
    options: Omit<PoolSyncOptions, "fromBlock" | "tree"> = {},
  ): Promise<PoolSync> {
    const downloaded = await downloadPool(client, pool.toLowerCase());
    const view = new PoolSync(provider, pool, poseidon, { ...options, fromBlock: downloaded.pool.block + 1 });
    const contract = new Contract(pool, ROOT_VIEWS, provider);
    for (const [number, tree] of downloaded.trees.entries()) {
      for (const leaf of tree.leaves) view.#append(number, leaf.index, leaf.commitment, leaf.ciphertext);
      if (tree.finalRoot === undefined) continue;
      const onChain = BigInt((await contract.getFunction("finalRoot")(number)) as string);
      if (onChain !== tree.finalRoot) {
        throw new CloakError(ErrorCode.INVALID_SNAPSHOT, `indexer pool ${pool}: tree ${number}'s final root ${toHex32(tree.finalRoot)} is not the chain's ${toHex32(onChain)}`);
      }
      view.#rollOver(number, tree.finalRoot);
    }
    const root = view.tree.root;
    if (root !== BigInt(downloaded.pool.root) || !((await contract.getFunction("isKnownRoot")(toHex32(root))) as boolean)) {
      throw new CloakError(
        ErrorCode.INVALID_SNAPSHOT,
        `indexer pool ${pool}: its ${downloaded.pool.leaves} leaves of tree ${view.trees.length - 1} hash to ${toHex32(root)}, which is not a root the pool knows (the indexer says ${downloaded.pool.root})`,
      );
    }
    for (const nullifier of downloaded.nullifiers) view.spent.add(nullifier);
    return view;
  }

  /** The next block `sync` reads. */
  get nextBlock(): number {
    return this.#nextBlock;
  }

  /** The tree new leaves go into. */
  get tree(): MerkleTree {
    return this.trees[this.trees.length - 1]!;
  }

  /** The tree holding `note`, to prove a spend of it against that tree's root. */
  treeOf(note: Pick<PoolNote, "tree">): MerkleTree {
    const tree = this.trees[note.tree];
    if (!tree) throw new CloakError(ErrorCode.LEAF_NOT_FOUND, `tree ${note.tree}: pool ${this.pool} has only ${this.trees.length} trees`);
    return tree;
  }

  /**
   * Reads new logs up to `to` (a block, `{ toBlock }`, or a receipt: its block) and applies them in order.
   * Without `to` it asks the node for its head afresh (`freshBlockNumber`), not through the provider's
   * cache, so a transaction mined just before is never missed.
   */
  async sync(to?: SyncTarget): Promise<void> {
    const last = to === undefined ? await freshBlockNumber(this.provider) : targetBlock(to);
    if (last < this.#nextBlock) return;
    await scanLogs(
      this.provider,
      [this.pool],
      this.#nextBlock,
      last,
      (logs, range) => {
        for (const log of logs) this.#apply(log);
        // Recorded per range: when a later range fails, the next sync resumes after this one, not before it.
        this.#nextBlock = range.toBlock + 1;
      },
      { topics: [[NEW_COMMITMENT, NEW_NULLIFIER, TREE_ROLLED_OVER]], maxRange: this.#maxRange },
    );
  }

  #apply(log: { topics: readonly string[]; data: string }): void {
    const parsed = POOL_EVENTS.parseLog(log)!;
    if (log.topics[0] === NEW_NULLIFIER) this.spent.add(BigInt(parsed.args.nullifier as string));
    else if (log.topics[0] === TREE_ROLLED_OVER) this.#rollOver(Number(parsed.args.tree as bigint), BigInt(parsed.args.finalRoot as string));
    else this.#append(Number(parsed.args.tree as bigint), Number(parsed.args.index as bigint), BigInt(parsed.args.commitment as string), getBytes(parsed.args.encryptedOutput as string));
  }

  /** `owner`'s unspent notes of non-zero amount in every tree, found by trial decryption. */
  notesOf(owner: Keypair): PoolNote[] {
    return this.outputs.flatMap((outputs, tree) =>
      trialDecrypt(outputs, owner, this.poseidon)
        .filter((note) => note.amount > 0n && !this.spent.has(noteNullifier(note.commitment, note.leafIndex, owner.privateKey, this.poseidon)))
        .map((note) => ({ ...note, tree })),
    );
  }

  balanceOf(owner: Keypair): bigint {
    return this.notesOf(owner).reduce((sum, note) => sum + note.amount, 0n);
  }

  #newTree(): MerkleTree {
    return new MerkleTree(this.#depth, this.poseidon, { rootHistorySize: EVM_ROOT_HISTORY_SIZE });
  }

  #append(tree: number, index: number, commitment: bigint, ciphertext: Uint8Array): void {
    const current = this.trees.length - 1;
    const expected = this.tree.size + this.#pending.length;
    if (tree !== current || index !== expected) {
      throw new CloakError(ErrorCode.INVALID_SNAPSHOT, `pool ${this.pool}: commitment (tree ${tree}, index ${index}) arrived when (tree ${current}, index ${expected}) was expected`);
    }
    this.outputs[current]!.push({ commitment, leafIndex: index, ciphertext });
    this.#pending.push(commitment);
    // Each transaction appends its two outputs and records one root: mirror that.
    if (this.#pending.length === 2) this.tree.insertMany(this.#pending.splice(0));
  }

  #rollOver(finished: number, finalRoot: bigint): void {
    if (finished !== this.trees.length - 1 || this.#pending.length !== 0 || this.tree.root !== finalRoot) {
      throw new CloakError(
        ErrorCode.INVALID_SNAPSHOT,
        `pool ${this.pool}: tree ${finished} finished with root ${toHex32(finalRoot)}, but the synced tree ${this.trees.length - 1} has root ${toHex32(this.tree.root)}`,
      );
    }
    this.trees.push(this.#newTree());
    this.outputs.push([]);
  }
}
