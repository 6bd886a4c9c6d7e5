import type { Commitment, Connection, PublicKey } from "@solana/web3.js";
import type { DiscoveredNote, EncryptedOutput } from "../encryption.js";
import { trialDecrypt } from "../encryption.js";
import { CloakError, ErrorCode } from "../errors.js";
import { bytesToBigInt, toHex32 } from "../field.js";
import type { Keypair } from "../keys.js";
import { MerkleTree, PRODUCTION_TREE_DEPTH } from "../merkle.js";
import { noteNullifier } from "../note.js";
import type { PoseidonHasher } from "../poseidon.js";
import { SHIELD_POOL_PROGRAM_ID, SOLANA_ROOT_HISTORY_SIZE } from "./constants.js";
import { fetchTransactedEvents, type TransactedEvent } from "./events.js";
import { nullifierPda, poolPda, treePda } from "./pda.js";
import { fetchCommitmentTree, rootIndexOf } from "./accounts.js";
import { MAX_SIGNATURE_PAGE, fetchAddressSignatures } from "./signatures.js";
import type { IndexerClient } from "../indexer/client.js";
import { downloadPool } from "../indexer/download.js";

/** getMultipleAccountsInfo's largest batch. */
const ACCOUNTS_BATCH = 100;

/** A note found in a Solana pool: a leaf is identified by its tree number and its index in that tree. */
export interface SolanaPoolNote extends DiscoveredNote {
  tree: number;
}

export interface SolanaPoolSyncOptions {
  /** The shield pool deployment; SHIELD_POOL_PROGRAM_ID when absent. */
  programId?: PublicKey;
  /** The circuit's tree depth; PRODUCTION_TREE_DEPTH (the program's) when absent. */
  depth?: number;
  /**
   * Resumes tree 0 from a known state instead of the empty tree; `until` must then name the newest
   * transaction that state includes, and only later ones are read.
   */
  tree?: MerkleTree;
  until?: string;
  commitment?: Commitment;
  /** Signatures asked for per getSignaturesForAddress call; 1,000 (the most a node returns) unless given. */
  pageSize?: number;
}

/**
 * A wallet's view of one Solana pool, rebuilt from its `Transacted` events alone: the pool's
 * transactions are listed with getSignaturesForAddress (paged with before/until, only those not yet
 * seen) and read back with getTransaction, whose inner instructions carry the events. Each event
 * extends one tree by its two commitments and is checked against the root the program computed; a
 * full tree is followed by the next, whose first event carries the retired tree's final root. The
 * spent nullifiers come from the events, and unspentNotesOf also asks the chain for the nullifier
 * records themselves.
 */
export class SolanaPoolSync {
  /** The pool's trees by number; the last is the one new leaves go into. */
  readonly trees: MerkleTree[];
  /** Encrypted outputs by tree number, in leaf order. */
  readonly outputs: EncryptedOutput[][];
  readonly spent = new Set<bigint>();
  readonly pool: PublicKey;
  readonly programId: PublicKey;
  readonly #depth: number;
  readonly #commitment: Commitment;
  readonly #pageSize: number;
  /** The newest transaction applied: the next sync reads only later ones. */
  #newest: string | undefined;

  constructor(
    readonly connection: Connection,
    readonly mint: PublicKey,
    readonly poseidon: PoseidonHasher,
    options: SolanaPoolSyncOptions = {},
  ) {
    this.programId = options.programId ?? SHIELD_POOL_PROGRAM_ID;
    this.pool = poolPda(mint, this.programId)[0];
    this.#depth = options.tree?.depth ?? options.depth ?? PRODUCTION_TREE_DEPTH;
    this.#commitment = options.commitment ?? "confirmed";
    this.trees = [options.tree ?? this.#newTree()];
    this.outputs = [[]];
    this.#newest = options.until;
    this.#pageSize = options.pageSize ?? MAX_SIGNATURE_PAGE;
    if (!Number.isInteger(this.#pageSize) || this.#pageSize < 1 || this.#pageSize > MAX_SIGNATURE_PAGE) {
      throw new CloakError(ErrorCode.INVALID_SNAPSHOT, `pageSize: must be an integer from 1 to ${MAX_SIGNATURE_PAGE}, got ${options.pageSize}`);
    }
  }

  /**
   * A view started from an indexer instead of the pool's whole transaction history (the same private
   * download as the EVM PoolSync.fromIndexer: every leaf, encrypted output and nullifier, trees built
   * here). Checked against the pool's tree account: each retired tree's root must be its recorded final
   * root and the current tree's a root in its history. Later `sync()` calls read the transactions after
   * the newest one the download holds; `unspentNotesOf` still asks the chain for nullifier records, which
   * covers a nullifier the indexer withheld.
   */
  static async fromIndexer(
    client: IndexerClient,
    connection: Connection,
    mint: PublicKey,
    poseidon: PoseidonHasher,
    options: Omit<SolanaPoolSyncOptions, "tree" | "until"> = {},
  ): Promise<SolanaPoolSync> {
    const view = new SolanaPoolSync(connection, mint, poseidon, options);
    const label = `indexer pool ${view.pool.toBase58()}`;
    const downloaded = await downloadPool(client, view.pool.toBase58());
    const account = await fetchCommitmentTree(connection, treePda(view.pool, view.programId)[0], { programId: view.programId, commitment: view.#commitment });
    if (!account) throw new CloakError(ErrorCode.INVALID_SNAPSHOT, `${label}: the pool has no tree account on this chain`);
    for (const [number, tree] of downloaded.trees.entries()) {
      if (number > 0) {
        view.trees.push(view.#newTree());
        view.outputs.push([]);
      }
      // Two leaves per transaction, one root each, as the program records them.
      for (let i = 0; i < tree.leaves.length; i += 2) view.tree.insertMany(tree.leaves.slice(i, i + 2).map((leaf) => leaf.commitment));
      view.outputs[number]!.push(...tree.leaves.map((leaf) => ({ commitment: leaf.commitment, leafIndex: leaf.index, ciphertext: leaf.ciphertext })));
      const last = tree.leaves.at(-1);
      if (last) view.#newest = last.tx;
      const retired = account.retiredRoots[number];
      if (tree.finalRoot !== undefined && (retired === undefined || view.tree.root !== tree.finalRoot || bytesToBigInt(retired) !== tree.finalRoot)) {
        throw new CloakError(ErrorCode.INVALID_SNAPSHOT, `${label}: tree ${number}'s leaves hash to ${toHex32(view.tree.root)}, not the final root the pool retired it with`);
      }
    }
    if (view.tree.root !== BigInt(downloaded.pool.root) || rootIndexOf(account, view.tree.root) === null) {
      throw new CloakError(ErrorCode.INVALID_SNAPSHOT, `${label}: its leaves hash to ${toHex32(view.tree.root)}, which is not a root the pool knows (the indexer says ${downloaded.pool.root})`);
    }
    for (const nullifier of downloaded.nullifiers) view.spent.add(nullifier);
    return view;
  }

  /** The tree new leaves go into. */
  get tree(): MerkleTree {
    return this.trees[this.trees.length - 1]!;
  }

  /** The tree holding `note`, to prove a spend of it against that tree's root. */
  treeOf(note: Pick<SolanaPoolNote, "tree">): MerkleTree {
    const tree = this.trees[note.tree];
    if (!tree) throw new CloakError(ErrorCode.LEAF_NOT_FOUND, `tree ${note.tree}: pool ${this.pool.toBase58()} has only ${this.trees.length} trees`);
    return tree;
  }

  /** Reads the pool's transactions since the last sync and applies their Transacted events in leaf order. */
  async sync(): Promise<void> {
    const listed = await fetchAddressSignatures(this.connection, this.pool, {
      ...(this.#newest !== undefined ? { until: this.#newest } : {}),
      commitment: this.#finality(),
      pageSize: this.#pageSize,
    });
    if (listed.length === 0) return;
    const events: TransactedEvent[] = [];
    // Oldest first; failed transactions took no effect and carry no events.
    for (const { signature } of listed.filter((entry) => entry.err === null)) {
      const found = await fetchTransactedEvents(this.connection, signature, { programId: this.programId, commitment: this.#finality() });
      events.push(...found.filter((event) => event.pool.equals(this.pool)));
    }
    // Transactions of one slot may be listed in any order: the leaves say where each event goes.
    events.sort((a, b) => (a.treeNumber !== b.treeNumber ? (a.treeNumber < b.treeNumber ? -1 : 1) : a.firstLeafIndex - b.firstLeafIndex));
    for (const event of events) this.#apply(event);
    this.#newest = listed[listed.length - 1]!.signature;
  }

  /** `owner`'s notes of non-zero amount whose nullifiers no synced event has spent, found by trial decryption. */
  notesOf(owner: Keypair): SolanaPoolNote[] {
    return this.outputs.flatMap((outputs, tree) =>
      trialDecrypt(outputs, owner, this.poseidon)
        .filter((note) => note.amount > 0n && !this.spent.has(this.#nullifierOf(note, owner)))
        .map((note) => ({ ...note, tree })),
    );
  }

  /**
   * notesOf, less the notes whose nullifier record exists on chain: a spend this sync has not read yet
   * (or one before a resumed tree) still rules a note out.
   */
  async unspentNotesOf(owner: Keypair): Promise<SolanaPoolNote[]> {
    const notes = this.notesOf(owner);
    const nullifiers = notes.map((note) => this.#nullifierOf(note, owner));
    const records = nullifiers.map((nullifier) => nullifierPda(this.pool, nullifier, this.programId)[0]);
    const unspent: SolanaPoolNote[] = [];
    for (let start = 0; start < records.length; start += ACCOUNTS_BATCH) {
      const accounts = await this.connection.getMultipleAccountsInfo(records.slice(start, start + ACCOUNTS_BATCH), this.#commitment);
      accounts.forEach((account, i) => {
        // transact creates the record owned by the program; anything else at the address is not a spend.
        if (account && account.owner.equals(this.programId)) this.spent.add(nullifiers[start + i]!);
        else unspent.push(notes[start + i]!);
      });
    }
    return unspent;
  }

  balanceOf(owner: Keypair): bigint {
    return this.notesOf(owner).reduce((sum, note) => sum + note.amount, 0n);
  }

  #nullifierOf(note: DiscoveredNote, owner: Keypair): bigint {
    return noteNullifier(note.commitment, note.leafIndex, owner.privateKey, this.poseidon);
  }

  #finality(): "confirmed" | "finalized" {
    return this.#commitment === "finalized" ? "finalized" : "confirmed";
  }

  #newTree(): MerkleTree {
    return new MerkleTree(this.#depth, this.poseidon, { rootHistorySize: SOLANA_ROOT_HISTORY_SIZE });
  }

  #apply(event: TransactedEvent): void {
    const label = `pool ${this.pool.toBase58()}`;
    const current = this.trees.length - 1;
    const treeNumber = Number(event.treeNumber);
    if (treeNumber === current + 1) {
      if (event.retiredRoot !== this.tree.root) {
        throw new CloakError(
          ErrorCode.INVALID_SNAPSHOT,
          `${label}: tree ${current} retired with root ${event.retiredRoot === null ? "none" : toHex32(event.retiredRoot)}, but the synced tree has root ${toHex32(this.tree.root)}`,
        );
      }
      this.trees.push(this.#newTree());
      this.outputs.push([]);
    }
    const tree = this.tree;
    if (treeNumber !== this.trees.length - 1 || event.firstLeafIndex !== tree.size) {
      throw new CloakError(
        ErrorCode.INVALID_SNAPSHOT,
        `${label}: commitments (tree ${treeNumber}, index ${event.firstLeafIndex}) arrived when (tree ${this.trees.length - 1}, index ${tree.size}) was expected`,
      );
    }
    for (const nullifier of event.inputNullifiers) this.spent.add(nullifier);
    // Each transaction appends its two outputs and records one root: mirror that.
    tree.insertMany(event.outputCommitments);
    event.outputCommitments.forEach((commitment, i) =>
      this.outputs[treeNumber]!.push({ commitment, leafIndex: event.firstLeafIndex + i, ciphertext: event.encryptedOutputs[i]! }),
    );
    if (tree.root !== event.newRoot) {
      throw new CloakError(ErrorCode.INVALID_SNAPSHOT, `${label}: after leaf ${event.firstLeafIndex + 1} the program's root is ${toHex32(event.newRoot)}, the synced tree's ${toHex32(tree.root)}`);
    }
  }
}
