import { Interface, getBytes, type Provider } from "ethers";
import type { DiscoveredNote, EncryptedOutput } from "../encryption.js";
import { trialDecrypt } from "../encryption.js";
import { CloakError, ErrorCode } from "../errors.js";
import type { Keypair } from "../keys.js";
import { EVM_ROOT_HISTORY_SIZE, MerkleTree, PRODUCTION_TREE_DEPTH } from "../merkle.js";
import { noteNullifier } from "../note.js";
import type { PoseidonHasher } from "../poseidon.js";

/** The ShieldPool events a wallet needs; the pool emits everything required to rebuild its state. */
const POOL_EVENTS = new Interface([
  "event NewCommitment(bytes32 indexed commitment, uint256 indexed index, bytes encryptedOutput)",
  "event NewNullifier(bytes32 indexed nullifier)",
]);
const NEW_COMMITMENT = POOL_EVENTS.getEvent("NewCommitment")!.topicHash;
const NEW_NULLIFIER = POOL_EVENTS.getEvent("NewNullifier")!.topicHash;

/**
 * A wallet's view of one EVM pool, rebuilt from its logs alone: the Merkle tree (one root per
 * transaction, as on chain), every encrypted output, and the spent nullifiers. `sync` reads only the
 * blocks it has not seen.
 */
export class PoolSync {
  readonly tree: MerkleTree;
  readonly outputs: EncryptedOutput[] = [];
  readonly spent = new Set<bigint>();
  #nextBlock: number;

  constructor(
    readonly provider: Provider,
    readonly pool: string,
    readonly poseidon: PoseidonHasher,
    options: { depth?: number; fromBlock?: number } = {},
  ) {
    this.tree = new MerkleTree(options.depth ?? PRODUCTION_TREE_DEPTH, poseidon, { rootHistorySize: EVM_ROOT_HISTORY_SIZE });
    this.#nextBlock = options.fromBlock ?? 0;
  }

  /** Reads new logs up to `toBlock` (default: latest) and applies them in order. */
  async sync(toBlock?: number): Promise<void> {
    const last = toBlock ?? (await this.provider.getBlockNumber());
    if (last < this.#nextBlock) return;
    const logs = await this.provider.getLogs({ address: this.pool, fromBlock: this.#nextBlock, toBlock: last, topics: [[NEW_COMMITMENT, NEW_NULLIFIER]] });
    const pending: bigint[] = [];
    for (const log of logs) {
      const parsed = POOL_EVENTS.parseLog(log)!;
      if (log.topics[0] === NEW_NULLIFIER) {
        this.spent.add(BigInt(parsed.args.nullifier as string));
        continue;
      }
      const index = Number(parsed.args.index as bigint);
      if (index !== this.outputs.length) {
        throw new CloakError(ErrorCode.INVALID_SNAPSHOT, `pool ${this.pool}: commitment index ${index} arrived when ${this.outputs.length} was expected`);
      }
      const commitment = BigInt(parsed.args.commitment as string);
      this.outputs.push({ commitment, leafIndex: index, ciphertext: getBytes(parsed.args.encryptedOutput as string) });
      pending.push(commitment);
      // Each transaction appends its two outputs and records one root: mirror that.
      if (pending.length === 2) this.tree.insertMany(pending.splice(0));
    }
    this.#nextBlock = last + 1;
  }

  /** `owner`'s unspent notes of non-zero amount, found by trial decryption. */
  notesOf(owner: Keypair): DiscoveredNote[] {
    return trialDecrypt(this.outputs, owner, this.poseidon).filter(
      (note) => note.amount > 0n && !this.spent.has(noteNullifier(note.commitment, note.leafIndex, owner.privateKey, this.poseidon)),
    );
  }

  balanceOf(owner: Keypair): bigint {
    return this.notesOf(owner).reduce((sum, note) => sum + note.amount, 0n);
  }
}
