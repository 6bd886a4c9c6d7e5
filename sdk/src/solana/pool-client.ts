import { createAssociatedTokenAccountIdempotentInstruction, getAssociatedTokenAddressSync } from "@solana/spl-token";
import { readFileSync } from "node:fs";
import { PublicKey, type AddressLookupTableAccount, type Commitment, type Connection, type Signer } from "@solana/web3.js";
import { CloakError, ErrorCode } from "../errors.js";
import type { Keypair, ShieldedAddress } from "../keys.js";
import type { MerkleTree } from "../merkle.js";
import { selectNotes, totalAmount } from "../note-selection.js";
import type { PoseidonHasher } from "../poseidon.js";
import type { Prover } from "../prover.js";
import { RelayerClient, type RelayJob, type RelayTransactRequest, type WaitOptions } from "../relay/client.js";
import type { TransactionOutput } from "../transaction.js";
import { fetchCommitmentTree, rootIndexOf } from "./accounts.js";
import { NATIVE_MINT, SCRAMBLE_REGISTRY_PROGRAM_ID, SHIELD_POOL_PROGRAM_ID } from "./constants.js";
import type { SolanaExtDataDraft } from "./ext-data.js";
import { transactInstruction, type SolanaTransactPayload } from "./instructions.js";
import { createLookupTable, extendLookupTable, fetchLookupTable, lookupTableHolds } from "./lookup-table.js";
import { transactLookupTableAddresses } from "./message.js";
import { poolPda, treePda } from "./pda.js";
import { SolanaPoolSync, type SolanaPoolNote } from "./pool-sync.js";
import { sendSolanaInstructions, type SolanaProgramIds } from "./send.js";
import { proveSolanaTransaction, type ProvenSolanaTransaction } from "./transaction.js";

/** The compute units a client asks for per transact (docs/solana.md, "Compute units"). */
export const TRANSACT_COMPUTE_UNITS = 400_000;

export interface SolanaSubmittedTransaction {
  proven: ProvenSolanaTransaction;
  signature: string;
  /** Wall time of the Groth16 proof, in milliseconds. */
  provingMs: number;
  /** Wall time from simulating the signed transaction to its confirmation, in milliseconds. */
  confirmMs: number;
}

/** A withdrawal a relay submitted: the proof sent and the job's confirmed state. */
export interface SolanaRelayedWithdrawal {
  proven: ProvenSolanaTransaction;
  job: RelayJob;
}

/** The body of a relay's POST /transact for a transaction proven against `pool` of program `programId`. */
export function solanaRelayRequestOf(proven: ProvenSolanaTransaction, pool: PublicKey, programId: PublicKey): RelayTransactRequest {
  const { publicInputs: inputs, extData } = proven;
  return {
    chain: "solana",
    pool: pool.toBase58(),
    program: programId.toBase58(),
    proof: proven.proof,
    publicSignals: [inputs.root, inputs.publicAmount, inputs.extDataHash, ...inputs.inputNullifiers, ...inputs.outputCommitments].map((value) => value.toString()),
    extData: {
      recipient: extData.recipient.toBase58(),
      extAmount: extData.extAmount.toString(),
      relayer: extData.relayer.toBase58(),
      fee: extData.fee.toString(),
      encryptedOutput1: `0x${Buffer.from(extData.encryptedOutput1).toString("hex")}`,
      encryptedOutput2: `0x${Buffer.from(extData.encryptedOutput2).toString("hex")}`,
    },
  };
}

/**
 * A relayed transaction: the client's signer is the relayer, which signs, pays the transaction and
 * the nullifier rent, and earns `fee` out of the spent notes (the program takes a fee only from a
 * transaction its relayer signed).
 */
export interface SolanaRelayOptions {
  fee: bigint;
  /** The revealed scramble-registry claim to consume, when the config requires proof of work. */
  pow?: { claim: PublicKey; minerAuthority: PublicKey };
}

export interface SolanaShieldPoolClientOptions {
  /** The shield pool deployment; SHIELD_POOL_PROGRAM_ID when absent. */
  programId?: PublicKey;
  /** The scramble registry deployment; SCRAMBLE_REGISTRY_PROGRAM_ID when absent. */
  registryProgramId?: PublicKey;
  /** Replaces the client's own view of the pool (e.g. one resumed from a known tree). */
  sync?: SolanaPoolSync;
  /**
   * The address lookup table transacts are compressed with (a transact does not fit a packet
   * without one). Extended with what a transaction needs when the signer is its authority. Absent:
   * the client creates one owned by the signer on its first transact.
   */
  lookupTable?: PublicKey;
  commitment?: Commitment;
}

/**
 * Deposits, private transfers and withdrawals against one Solana pool, the counterpart of the EVM
 * ShieldPoolClient with the same calls: picks the owner's notes (selectNotes), proves against the root of
 * the tree that holds them, sends the transact in a v0 transaction through `signer` and keeps the pool's
 * trees in step through its Transacted events. Token pools move SPL tokens between associated token
 * accounts, created (idempotently, paid by the signer) where a withdrawal pays one that does not exist.
 * Failures are SolanaTransactionErrors naming the program error.
 */
export class SolanaShieldPoolClient {
  readonly sync: SolanaPoolSync;
  /** The pool account, poolPda(mint). */
  readonly pool: PublicKey;
  readonly programId: PublicKey;
  readonly registryProgramId: PublicKey;
  readonly #commitment: Commitment;
  #lookupTableAddress: PublicKey | undefined;
  #lookupTable: AddressLookupTableAccount | undefined;

  constructor(
    readonly connection: Connection,
    readonly signer: Signer,
    /** The pool's mint; NATIVE_MINT for the SOL pool. */
    readonly mint: PublicKey,
    readonly prover: Prover,
    readonly poseidon: PoseidonHasher,
    options: SolanaShieldPoolClientOptions = {},
  ) {
    this.programId = options.programId ?? SHIELD_POOL_PROGRAM_ID;
    this.registryProgramId = options.registryProgramId ?? SCRAMBLE_REGISTRY_PROGRAM_ID;
    this.pool = poolPda(mint, this.programId)[0];
    this.#commitment = options.commitment ?? "confirmed";
    this.sync = options.sync ?? new SolanaPoolSync(connection, mint, poseidon, { programId: this.programId, depth: prover.depth, commitment: this.#commitment });
    this.#lookupTableAddress = options.lookupTable;
  }

  /**
   * A client for pool `pool` ("sol", or "token" for the test mint) of a `deployments/solana-<cluster>.json`
   * file: its mint and both programs' ids come from the record.
   */
  static fromDeployment(
    file: string,
    pool: string,
    connection: Connection,
    signer: Signer,
    prover: Prover,
    poseidon: PoseidonHasher,
    options: Omit<SolanaShieldPoolClientOptions, "programId" | "registryProgramId"> = {},
  ): SolanaShieldPoolClient {
    const record = JSON.parse(readFileSync(file, "utf8")) as {
      programs?: { shieldPool?: string; scrambleRegistry?: string };
      pools?: Record<string, { mint?: string }>;
    };
    const mint = record.pools?.[pool]?.mint;
    const { shieldPool, scrambleRegistry } = record.programs ?? {};
    if (!mint || !shieldPool || !scrambleRegistry) throw new CloakError(ErrorCode.ARTIFACT_NOT_FOUND, `${file}: no pool '${pool}' with its programs`);
    return new SolanaShieldPoolClient(connection, signer, new PublicKey(mint), prover, poseidon, {
      ...options,
      programId: new PublicKey(shieldPool),
      registryProgramId: new PublicKey(scrambleRegistry),
    });
  }

  get isNative(): boolean {
    return this.mint.equals(NATIVE_MINT);
  }

  /** The lookup table in use, once the first transact has created or loaded it. */
  get lookupTable(): PublicKey | undefined {
    return this.#lookupTableAddress;
  }

  /** Moves `amount` of the pool's asset (lamports, or base units from the signer's associated token account) into a new note for `to`. */
  async deposit(amount: bigint, to: ShieldedAddress): Promise<SolanaSubmittedTransaction> {
    return this.#submit([], [{ amount, recipient: to }], { recipient: PublicKey.default, extAmount: amount, relayer: PublicKey.default, fee: 0n });
  }

  /** Pays `amount` privately from `owner`'s notes to `to`, with change back to `owner`; a relayer, if given, also takes its fee. */
  async transfer(owner: Keypair, amount: bigint, to: ShieldedAddress, relay?: SolanaRelayOptions): Promise<SolanaSubmittedTransaction> {
    const fee = relay?.fee ?? 0n;
    const inputs = await this.#select(owner, amount + fee);
    const change = totalAmount(inputs) - amount - fee;
    return this.#submit(
      inputs.map((note) => ({ note, owner })),
      [
        { amount, recipient: to },
        { amount: change, recipient: owner },
      ],
      { recipient: PublicKey.default, extAmount: 0n, ...this.#relayer(relay) },
      relay,
    );
  }

  /**
   * Withdraws `amount` of `owner`'s notes to the wallet `recipient`: its lamports in the SOL pool, its
   * associated token account in a token pool. A relayer, if given, also takes its fee.
   */
  async withdraw(owner: Keypair, amount: bigint, recipient: PublicKey, relay?: SolanaRelayOptions): Promise<SolanaSubmittedTransaction> {
    const fee = relay?.fee ?? 0n;
    const inputs = await this.#select(owner, amount + fee);
    const change = totalAmount(inputs) - amount - fee;
    const paid = this.isNative ? recipient : getAssociatedTokenAddressSync(this.mint, recipient, true);
    return this.#submit(inputs.map((note) => ({ note, owner })), [{ amount: change, recipient: owner }], { recipient: paid, extAmount: -amount, ...this.#relayer(relay) }, relay, [recipient]);
  }

  /**
   * Withdraws `amount` of `owner`'s notes to `recipient` through a relay (cloak-relay at `relayUrl`):
   * asks it for its Solana address and its quote for this pool, proves with that relayer and fee, hands
   * the proof over, waits until the relay's transaction is confirmed (each state through `onProgress`),
   * then syncs. The client's signer signs and pays nothing, so nothing on chain links it to the
   * withdrawal. A token pool pays `recipient`'s associated token account, which must already exist
   * (creating it from this wallet would link the two).
   */
  async withdrawViaRelay(owner: Keypair, amount: bigint, recipient: PublicKey, relayUrl: string | RelayerClient, options: WaitOptions = {}): Promise<SolanaRelayedWithdrawal> {
    const relay = typeof relayUrl === "string" ? new RelayerClient(relayUrl) : relayUrl;
    const [info, quote] = await Promise.all([relay.info(), relay.quote(this.pool.toBase58())]);
    const solana = info.chains.solana;
    if (!solana) throw new CloakError(ErrorCode.INVALID_OPTION, `${typeof relayUrl === "string" ? relayUrl : "the relay"} relays no Solana pool`);
    if (solana.program !== this.programId.toBase58()) {
      throw new CloakError(ErrorCode.INVALID_OPTION, `the relay serves shield pool program ${solana.program}, this client ${this.programId.toBase58()}`);
    }
    const paid = this.isNative ? recipient : getAssociatedTokenAddressSync(this.mint, recipient, true);
    if (!this.isNative && (await this.connection.getAccountInfo(paid, this.#commitment)) === null) {
      throw new CloakError(ErrorCode.INVALID_OPTION, `recipient: its associated token account ${paid.toBase58()} for mint ${this.mint.toBase58()} does not exist; create it first`);
    }
    const fee = BigInt(quote.fee);
    const inputs = await this.#select(owner, amount + fee);
    const change = totalAmount(inputs) - amount - fee;
    await this.sync.sync();
    const tree: MerkleTree = this.sync.treeOf(inputs[0]!);
    const proven = await proveSolanaTransaction(
      {
        tree,
        inputs: inputs.map((note) => ({ note, owner })),
        outputs: [{ amount: change, recipient: owner }],
        extData: { recipient: paid, extAmount: -amount, relayer: new PublicKey(solana.relayer), fee },
        pool: this.pool,
        programId: this.programId,
      },
      this.prover,
      this.poseidon,
    );
    const { job } = await relay.submit(solanaRelayRequestOf(proven, this.pool, this.programId));
    const confirmed = await relay.waitForJob(job.id, options);
    await this.sync.sync();
    return { proven, job: confirmed };
  }

  /** `owner`'s unspent notes in this pool, after syncing. */
  async notesOf(owner: Keypair): Promise<SolanaPoolNote[]> {
    await this.sync.sync();
    return this.sync.unspentNotesOf(owner);
  }

  /** The owner's spendable balance in this pool, after syncing. */
  async balanceOf(owner: Keypair): Promise<bigint> {
    return totalAmount(await this.notesOf(owner));
  }

  #relayer(relay: SolanaRelayOptions | undefined): Pick<SolanaExtDataDraft, "relayer" | "fee"> {
    if (!relay) return { relayer: PublicKey.default, fee: 0n };
    if (relay.fee <= 0n) throw new CloakError(ErrorCode.INVALID_EXT_DATA, `relay.fee: a relayed transaction pays its relayer a fee > 0, got ${relay.fee}`);
    return { relayer: this.signer.publicKey, fee: relay.fee };
  }

  async #select(owner: Keypair, needed: bigint): Promise<SolanaPoolNote[]> {
    return selectNotes(await this.notesOf(owner), needed);
  }

  async #submit(
    inputs: { note: SolanaPoolNote; owner: Keypair }[],
    outputs: TransactionOutput[],
    extData: SolanaExtDataDraft,
    relay?: SolanaRelayOptions,
    tokenOwners: PublicKey[] = [],
  ): Promise<SolanaSubmittedTransaction> {
    await this.sync.sync();
    // Inputs come from one tree (selectNotes); outputs always land in the pool's current tree.
    const tree: MerkleTree = inputs.length > 0 ? this.sync.treeOf(inputs[0]!.note) : this.sync.tree;
    const started = performance.now();
    const proven = await proveSolanaTransaction({ tree, inputs, outputs, extData, pool: this.pool, programId: this.programId }, this.prover, this.poseidon);
    const provingMs = performance.now() - started;
    const { signature, confirmMs } = await this.submitProven(proven, { ...(relay ? { relay } : {}), tokenOwners });
    return { proven, signature, provingMs, confirmMs };
  }

  /**
   * Sends a transaction already proven against this pool (e.g. one from a pre-generated corpus)
   * through the client's signer: finds the root's slot in the program's history, sends the transact in
   * a v0 transaction with the lookup table, then syncs. `tokenOwners`: wallets whose associated token
   * accounts a token-pool withdrawal pays and which may not exist yet.
   */
  async submitProven(
    proven: SolanaTransactPayload,
    options: { relay?: SolanaRelayOptions; tokenOwners?: PublicKey[] } = {},
  ): Promise<{ signature: string; confirmMs: number }> {
    const { relay, tokenOwners = [] } = options;
    const treeAccount = await fetchCommitmentTree(this.connection, treePda(this.pool, this.programId)[0], { programId: this.programId, commitment: this.#commitment });
    if (!treeAccount) throw new CloakError(ErrorCode.NOT_INITIALIZED, `pool ${this.pool.toBase58()}: its tree account does not exist (is the pool open?)`);
    const rootIndex = rootIndexOf(treeAccount, proven.publicInputs.root);
    if (rootIndex === null) {
      throw new CloakError(ErrorCode.ROOT_NOT_FOUND, `pool ${this.pool.toBase58()}: the synced root is not among the roots the program accepts (sync is behind or ahead of the node)`);
    }
    const pow = relay?.pow;
    const instruction = await transactInstruction({
      programId: this.programId,
      mint: this.mint,
      payer: this.signer.publicKey,
      transaction: proven,
      rootIndex,
      ...(pow ? { pow: { claim: pow.claim, minerAuthority: pow.minerAuthority, registryProgramId: this.registryProgramId } } : {}),
    });
    if (!this.isNative) {
      const feeOwners = relay ? [this.signer.publicKey, ...(pow ? [pow.minerAuthority] : [])] : [];
      await this.#ensureTokenAccounts([...tokenOwners, ...feeOwners]);
    }
    const lookupTable = await this.#lookupTableFor(relay);
    const sent = performance.now();
    const signature = await sendSolanaInstructions(
      this.connection,
      { payer: this.signer, instructions: [instruction], lookupTables: [lookupTable], computeUnitLimit: TRANSACT_COMPUTE_UNITS },
      { programIds: this.#programIds(), commitment: this.#commitment },
    );
    const confirmMs = performance.now() - sent;
    await this.sync.sync();
    return { signature, confirmMs };
  }

  #programIds(): SolanaProgramIds {
    return { shieldPool: this.programId, scrambleRegistry: this.registryProgramId };
  }

  /** Creates the associated token accounts of `owners` that do not exist yet, as a wallet would. */
  async #ensureTokenAccounts(owners: PublicKey[]): Promise<void> {
    const accounts = owners.map((owner) => getAssociatedTokenAddressSync(this.mint, owner, true));
    const infos = await this.connection.getMultipleAccountsInfo(accounts, this.#commitment);
    const instructions = owners
      .filter((_, i) => infos[i] === null)
      .filter((owner, i, missing) => missing.findIndex((other) => other.equals(owner)) === i)
      .map((owner) => createAssociatedTokenAccountIdempotentInstruction(this.signer.publicKey, getAssociatedTokenAddressSync(this.mint, owner, true), owner, this.mint));
    if (instructions.length === 0) return;
    await sendSolanaInstructions(this.connection, { payer: this.signer, instructions }, { programIds: this.#programIds(), commitment: this.#commitment });
  }

  /** The lookup table holding what this transact repeats, created or extended when the signer owns it. */
  async #lookupTableFor(relay: SolanaRelayOptions | undefined): Promise<AddressLookupTableAccount> {
    const addresses = transactLookupTableAddresses({
      mint: this.mint,
      programId: this.programId,
      registryProgramId: this.registryProgramId,
      relayers: relay ? [this.signer.publicKey] : [],
      pow: relay?.pow !== undefined,
      miners: relay?.pow ? [relay.pow.minerAuthority] : [],
    });
    if (!this.#lookupTableAddress) {
      this.#lookupTable = await createLookupTable(this.connection, this.signer, addresses, { commitment: this.#commitment });
      this.#lookupTableAddress = this.#lookupTable.key;
      return this.#lookupTable;
    }
    this.#lookupTable ??= await fetchLookupTable(this.connection, this.#lookupTableAddress);
    if (!lookupTableHolds(this.#lookupTable, addresses) && this.#lookupTable.state.authority?.equals(this.signer.publicKey)) {
      this.#lookupTable = await extendLookupTable(this.connection, this.signer, this.#lookupTableAddress, addresses, { commitment: this.#commitment });
    }
    return this.#lookupTable;
  }
}
