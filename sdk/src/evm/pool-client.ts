import { getAddress, hexlify, type ContractTransactionReceipt, type Signer } from "ethers";
import { readFileSync } from "node:fs";
import { CloakError, ErrorCode } from "../errors.js";
import type { Keypair, ShieldedAddress } from "../keys.js";
import { selectNotes, totalAmount as total } from "../note-selection.js";
import { proveTransaction, type ProvenTransaction, type TransactionOutput } from "../transaction.js";
import type { PoseidonHasher } from "../poseidon.js";
import type { Prover } from "../prover.js";
import type { MerkleTree } from "../merkle.js";
import { RelayerClient, type RelayJob, type RelayTransactRequest, type WaitOptions } from "../relay/client.js";
import { PoolSync, type PoolNote } from "./pool-sync.js";
import { toTransactArgs } from "./transact-args.js";
import { IERC20__factory, ShieldPool__factory, type ShieldPool } from "./typechain/index.js";

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

export interface SubmittedTransaction {
  proven: ProvenTransaction;
  receipt: ContractTransactionReceipt;
}

/** A relayed withdrawal: the relayer submits and earns `fee`. */
export interface RelayOptions {
  relayer: string;
  fee: bigint;
}

/** A withdrawal a relay submitted: the proof sent and the job's confirmed state. */
export interface RelayedWithdrawal {
  proven: ProvenTransaction;
  job: RelayJob;
}

/** The body of a relay's POST /transact for a proven EVM transaction. */
export function relayRequestOf(proven: ProvenTransaction): RelayTransactRequest {
  const { publicInputs: inputs, extData } = proven;
  return {
    chain: "evm",
    pool: extData.pool,
    proof: proven.proof,
    publicSignals: [inputs.root, inputs.publicAmount, inputs.extDataHash, ...inputs.inputNullifiers, ...inputs.outputCommitments].map((value) => value.toString()),
    extData: {
      chainId: extData.chainId.toString(),
      pool: extData.pool,
      recipient: extData.recipient,
      extAmount: extData.extAmount.toString(),
      relayer: extData.relayer,
      fee: extData.fee.toString(),
      encryptedOutput1: hexlify(extData.encryptedOutput1),
      encryptedOutput2: hexlify(extData.encryptedOutput2),
    },
  };
}

/**
 * Deposits, private transfers and withdrawals against one EVM ShieldPool: picks the owner's notes,
 * proves against the root of the tree that holds them, submits through `signer`, and keeps the pool's
 * trees in step through its events.
 */
export class ShieldPoolClient {
  readonly sync: PoolSync;
  readonly #pool: ShieldPool;

  /**
   * `fromBlock` is where the client's own view of the pool starts reading logs (the pool's deployment
   * block); `sync` replaces that view (e.g. one resumed from a known tree, or one built from an indexer).
   */
  constructor(
    readonly signer: Signer,
    readonly poolAddress: string,
    readonly prover: Prover,
    readonly poseidon: PoseidonHasher,
    options: { sync: PoolSync } | { fromBlock: number; maxRange?: number },
  ) {
    if (!signer.provider) throw new CloakError(ErrorCode.INVALID_EXT_DATA, "signer: needs a provider");
    this.sync = "sync" in options ? options.sync : new PoolSync(signer.provider, poolAddress, poseidon, { depth: prover.depth, fromBlock: options.fromBlock, maxRange: options.maxRange });
    this.#pool = ShieldPool__factory.connect(poolAddress, signer);
  }

  /**
   * A client for `pool` ("native", or a token address) of a `deployments/<network>.json` file, reading logs
   * from the pool's recorded deployment block. A record written before deploys kept that block has none:
   * pass `fromBlock` then.
   */
  static fromDeployment(file: string, pool: string, signer: Signer, prover: Prover, poseidon: PoseidonHasher, options: { fromBlock?: number } = {}): ShieldPoolClient {
    const record = JSON.parse(readFileSync(file, "utf8")) as { contracts?: Record<string, { address: string; details?: Record<string, unknown> }> };
    const entry = record.contracts?.[`ShieldPool.${pool}`];
    if (!entry) throw new CloakError(ErrorCode.ARTIFACT_NOT_FOUND, `${file}: no pool '${pool}'`);
    const recorded = entry.details?.["deployBlock"];
    const fromBlock = options.fromBlock ?? (typeof recorded === "number" ? recorded : undefined);
    if (fromBlock === undefined) throw new CloakError(ErrorCode.INVALID_OPTION, `${file}: pool '${pool}' has no recorded deployBlock; pass fromBlock`);
    return new ShieldPoolClient(signer, entry.address, prover, poseidon, { fromBlock });
  }

  /** Moves `amount` of the pool's asset from the signer into a new note for `to`. */
  async deposit(amount: bigint, to: ShieldedAddress): Promise<SubmittedTransaction> {
    const token = await this.#pool.token();
    if (token !== ZERO_ADDRESS) await this.#approve(token, amount);
    return this.#submit([], [{ amount, recipient: to }], { extAmount: amount, recipient: ZERO_ADDRESS, relayer: ZERO_ADDRESS, fee: 0n }, token === ZERO_ADDRESS ? amount : 0n);
  }

  /** Pays `amount` privately from `owner`'s notes to `to`, with change back to `owner`. */
  async transfer(owner: Keypair, amount: bigint, to: ShieldedAddress): Promise<SubmittedTransaction> {
    const inputs = await this.#select(owner, amount);
    const change = total(inputs) - amount;
    return this.#submit(inputs.map((note) => ({ note, owner })), [{ amount, recipient: to }, { amount: change, recipient: owner }], {
      extAmount: 0n,
      recipient: ZERO_ADDRESS,
      relayer: ZERO_ADDRESS,
      fee: 0n,
    });
  }

  /** Withdraws `amount` of `owner`'s notes to the public `recipient`; a relayer, if given, also takes its fee. */
  async withdraw(owner: Keypair, amount: bigint, recipient: string, relay?: RelayOptions): Promise<SubmittedTransaction> {
    const fee = relay?.fee ?? 0n;
    const inputs = await this.#select(owner, amount + fee);
    const change = total(inputs) - amount - fee;
    return this.#submit(inputs.map((note) => ({ note, owner })), [{ amount: change, recipient: owner }], {
      extAmount: -amount,
      recipient: getAddress(recipient),
      relayer: relay ? getAddress(relay.relayer) : ZERO_ADDRESS,
      fee,
    });
  }

  /**
   * Withdraws through a relay (cloak-relay at `relayUrl`): the relay's address and current quote go into
   * the proof, the relay submits and pays the gas, and this waits until its job is confirmed (progress
   * through `onProgress`), then syncs the pool past the withdrawal. The signer pays nothing and sends nothing.
   */
  async withdrawViaRelay(owner: Keypair, amount: bigint, recipient: string, relayUrl: string | RelayerClient, options: WaitOptions = {}): Promise<RelayedWithdrawal> {
    const relay = typeof relayUrl === "string" ? new RelayerClient(relayUrl) : relayUrl;
    const [info, quote] = await Promise.all([relay.info(), relay.quote(this.poolAddress)]);
    const relayer = info.chains.evm?.relayer;
    if (!relayer) throw new CloakError(ErrorCode.INVALID_OPTION, `${typeof relayUrl === "string" ? relayUrl : "the relay"} relays no EVM pool`);
    const fee = BigInt(quote.fee);
    const inputs = await this.#select(owner, amount + fee);
    const change = total(inputs) - amount - fee;
    const proven = await this.#prove(inputs.map((note) => ({ note, owner })), [{ amount: change, recipient: owner }], {
      extAmount: -amount,
      recipient: getAddress(recipient),
      relayer: getAddress(relayer),
      fee,
    });
    const { job } = await relay.submit(relayRequestOf(proven));
    const confirmed = await relay.waitForJob(job.id, options);
    await this.sync.sync();
    return { proven, job: confirmed };
  }

  /** The owner's spendable balance in this pool, after syncing. */
  async balanceOf(owner: Keypair): Promise<bigint> {
    await this.sync.sync();
    return this.sync.balanceOf(owner);
  }

  async #select(owner: Keypair, needed: bigint): Promise<PoolNote[]> {
    await this.sync.sync();
    return selectNotes(this.sync.notesOf(owner), needed);
  }

  async #approve(token: string, amount: bigint): Promise<void> {
    const erc20 = IERC20__factory.connect(token, this.signer);
    const owner = await this.signer.getAddress();
    if ((await erc20.allowance(owner, this.poolAddress)) >= amount) return;
    await (await erc20.approve(this.poolAddress, amount)).wait();
  }

  async #prove(
    inputs: { note: PoolNote; owner: Keypair }[],
    outputs: TransactionOutput[],
    movement: { extAmount: bigint; recipient: string; relayer: string; fee: bigint },
  ): Promise<ProvenTransaction> {
    await this.sync.sync();
    const chainId = (await this.signer.provider!.getNetwork()).chainId;
    // Inputs come from one tree (selectNotes); outputs always land in the pool's current tree.
    const tree: MerkleTree = inputs.length > 0 ? this.sync.treeOf(inputs[0]!.note) : this.sync.tree;
    return proveTransaction({ tree, inputs, outputs, extData: { chainId, pool: this.poolAddress, ...movement } }, this.prover, this.poseidon);
  }

  async #submit(
    inputs: { note: PoolNote; owner: Keypair }[],
    outputs: TransactionOutput[],
    movement: { extAmount: bigint; recipient: string; relayer: string; fee: bigint },
    value = 0n,
  ): Promise<SubmittedTransaction> {
    const proven = await this.#prove(inputs, outputs, movement);
    const { proof, extData } = toTransactArgs(proven);
    const sent = await this.#pool.transact(proof, extData, { value });
    const receipt = (await sent.wait())!;
    await this.sync.sync(receipt.blockNumber);
    return { proven, receipt };
  }
}
