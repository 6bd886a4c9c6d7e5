import { CloakError, ErrorCode } from "./errors.js";
import { MAX_AMOUNT, randomFieldElement, toField, toHex32, type RandomSource } from "./field.js";
import { encryptNote } from "./encryption.js";
import { hashEvmExtData, publicAmount, type EvmExtData } from "./ext-data.js";
import { Keypair, type ShieldedAddress } from "./keys.js";
import type { MerkleTree } from "./merkle.js";
import { createNote, noteCommitment, noteNullifier, type NoteData, type SpendableNote } from "./note.js";
import type { PoseidonHasher } from "./poseidon.js";
import { publicSignalsOf, type CircuitInputs, type ProofResult, type Prover, type TransactionPublicInputs } from "./prover.js";

export const N_INPUTS = 2;
export const N_OUTPUTS = 2;

/** A note being spent, with the key that owns it. */
export interface TransactionInput {
  note: SpendableNote;
  owner: Keypair;
}

/** A note being created: `amount` for `recipient`. */
export interface TransactionOutput {
  amount: bigint;
  recipient: ShieldedAddress;
}

/** The notes a join-split spends and creates, whatever chain it is for. */
export interface JoinSplitRequest {
  tree: MerkleTree;
  inputs: readonly TransactionInput[];
  outputs: readonly TransactionOutput[];
  /** Receives the encrypted zero-value filler outputs; a throwaway key when absent. */
  changeAddress?: ShieldedAddress;
  /**
   * Source of the blindings, dummy-input keys, filler key and encryption ephemeral keys; the CSPRNG
   * when absent. A seeded source makes a transaction reproducible: only for test data.
   */
  random?: RandomSource;
}

/**
 * How one chain completes and hashes its ext data. `extAmount` and `fee` enter the balance check and
 * publicAmount; `bind` receives the two output ciphertexts, in order, and returns the finished ext
 * data with its extDataHash (a field element), which the proof commits to.
 */
export interface ExtDataBinding<E> {
  extAmount: bigint;
  fee: bigint;
  bind(encryptedOutput1: Uint8Array, encryptedOutput2: Uint8Array): { extData: E; extDataHash: bigint };
}

/** What the caller decides; the pool, chain, recipient, relayer and fee go into extData. */
export interface TransactionRequest extends JoinSplitRequest {
  extData: Omit<EvmExtData, "encryptedOutput1" | "encryptedOutput2">;
}

export interface PreparedJoinSplit<E> {
  circuitInputs: CircuitInputs;
  publicInputs: TransactionPublicInputs;
  extData: E;
  /** The two output notes, in order, with the leaf-to-be's commitment; give them to their recipients. */
  outputNotes: Array<NoteData & { commitment: bigint }>;
}

export type ProvenJoinSplit<E> = PreparedJoinSplit<E> & ProofResult;

export interface PreparedTransaction extends PreparedJoinSplit<EvmExtData> {}

export interface ProvenTransaction extends PreparedTransaction, ProofResult {}

interface CircuitInput {
  amount: bigint;
  privateKey: bigint;
  blinding: bigint;
  leafIndex: number;
  pathElements: bigint[];
  nullifier: bigint;
}

function dummyInput(depth: number, poseidon: PoseidonHasher, random?: RandomSource): CircuitInput {
  // A zero-amount input needs no tree membership; its nullifier is still unique through a random key.
  const owner = Keypair.generate(poseidon, random);
  const note = createNote(0n, owner.publicKey, randomFieldElement(random));
  return {
    amount: 0n,
    privateKey: owner.privateKey,
    blinding: note.blinding,
    leafIndex: 0,
    pathElements: new Array<bigint>(depth).fill(0n),
    nullifier: noteNullifier(noteCommitment(note, poseidon), 0, owner.privateKey, poseidon),
  };
}

function realInput(input: TransactionInput, tree: MerkleTree, poseidon: PoseidonHasher): CircuitInput {
  const { note, owner } = input;
  if (note.publicKey !== owner.publicKey) {
    throw new CloakError(ErrorCode.INVALID_NOTE, `input at leaf ${note.leafIndex}: the owner key does not own this note`);
  }
  const commitment = noteCommitment(note, poseidon);
  const path = tree.path(note.leafIndex);
  if (path.leaf !== commitment) {
    throw new CloakError(ErrorCode.INVALID_NOTE, `input at leaf ${note.leafIndex}: the tree holds ${toHex32(path.leaf)}, not this note's commitment`);
  }
  return {
    amount: note.amount,
    privateKey: owner.privateKey,
    blinding: note.blinding,
    leafIndex: note.leafIndex,
    pathElements: path.pathElements,
    nullifier: noteNullifier(commitment, note.leafIndex, owner.privateKey, poseidon),
  };
}

/**
 * Turns a spend request into the circuit's inputs and the public inputs the chain will check:
 * pads to 2 inputs and 2 outputs with zero-value dummies, checks the balance, encrypts the outputs
 * and lets `binding` complete and hash the chain's ext data. Nothing is proven yet.
 */
export function prepareJoinSplit<E>(request: JoinSplitRequest, binding: ExtDataBinding<E>, poseidon: PoseidonHasher): PreparedJoinSplit<E> {
  const { tree, inputs, outputs } = request;
  if (inputs.length > N_INPUTS) throw new CloakError(ErrorCode.TOO_MANY_INPUTS, `inputs: at most ${N_INPUTS}, got ${inputs.length}`);
  if (outputs.length > N_OUTPUTS) throw new CloakError(ErrorCode.TOO_MANY_OUTPUTS, `outputs: at most ${N_OUTPUTS}, got ${outputs.length}`);
  if (inputs.length === 2 && inputs[0]!.note.leafIndex === inputs[1]!.note.leafIndex) {
    throw new CloakError(ErrorCode.DUPLICATE_INPUT, `inputs: leaf ${inputs[0]!.note.leafIndex} is spent twice`);
  }
  for (const [i, output] of outputs.entries()) {
    if (output.amount < 0n || output.amount > MAX_AMOUNT) {
      throw new CloakError(ErrorCode.INVALID_AMOUNT, `outputs[${i}].amount: ${output.amount} is not in [0, 2^248)`);
    }
  }

  const { extAmount, fee } = binding;
  const totalIn = inputs.reduce((sum, input) => sum + input.note.amount, 0n);
  const totalOut = outputs.reduce((sum, output) => sum + output.amount, 0n);
  if (totalIn + extAmount - fee !== totalOut) {
    const available = totalIn + extAmount - fee;
    throw new CloakError(
      available < totalOut ? ErrorCode.INSUFFICIENT_FUNDS : ErrorCode.INVALID_AMOUNT,
      `balance: inputs ${totalIn} + extAmount ${extAmount} - fee ${fee} = ${available}, but outputs total ${totalOut}`,
    );
  }

  const circuitIns = inputs.map((input) => realInput(input, tree, poseidon));
  const { random } = request;
  while (circuitIns.length < N_INPUTS) circuitIns.push(dummyInput(tree.depth, poseidon, random));

  const filler = request.changeAddress ?? Keypair.generate(poseidon, random);
  const plannedOutputs = [...outputs];
  while (plannedOutputs.length < N_OUTPUTS) plannedOutputs.push({ amount: 0n, recipient: filler });
  const outputNotes = plannedOutputs.map((output) => {
    const note = createNote(output.amount, output.recipient.publicKey, randomFieldElement(random));
    return { ...note, commitment: noteCommitment(note, poseidon), ciphertext: encryptNote(note, output.recipient, random) };
  });

  const { extData, extDataHash } = binding.bind(outputNotes[0]!.ciphertext, outputNotes[1]!.ciphertext);
  const publicInputs: TransactionPublicInputs = {
    root: tree.root,
    publicAmount: publicAmount(extAmount, fee),
    extDataHash: toField(extDataHash, "extDataHash"),
    inputNullifiers: [circuitIns[0]!.nullifier, circuitIns[1]!.nullifier],
    outputCommitments: [outputNotes[0]!.commitment, outputNotes[1]!.commitment],
  };

  const dec = (value: bigint | number) => value.toString();
  const circuitInputs: CircuitInputs = {
    root: dec(publicInputs.root),
    publicAmount: dec(publicInputs.publicAmount),
    extDataHash: dec(publicInputs.extDataHash),
    inputNullifier: publicInputs.inputNullifiers.map(dec),
    outputCommitment: publicInputs.outputCommitments.map(dec),
    inAmount: circuitIns.map((i) => dec(i.amount)),
    inPrivateKey: circuitIns.map((i) => dec(i.privateKey)),
    inBlinding: circuitIns.map((i) => dec(i.blinding)),
    inPathIndex: circuitIns.map((i) => dec(i.leafIndex)),
    inPathElements: circuitIns.map((i) => i.pathElements.map(dec)),
    outAmount: outputNotes.map((o) => dec(o.amount)),
    outPublicKey: outputNotes.map((o) => dec(o.publicKey)),
    outBlinding: outputNotes.map((o) => dec(o.blinding)),
  };

  return {
    circuitInputs,
    publicInputs,
    extData,
    outputNotes: outputNotes.map(({ amount, publicKey, blinding, commitment }) => ({ amount, publicKey, blinding, commitment })),
  };
}

/** prepareJoinSplit, then a Groth16 proof whose public signals are checked against what was prepared. */
export async function proveJoinSplit<E>(
  request: JoinSplitRequest,
  binding: ExtDataBinding<E>,
  prover: Prover,
  poseidon: PoseidonHasher,
): Promise<ProvenJoinSplit<E>> {
  if (prover.depth !== request.tree.depth) {
    throw new CloakError(ErrorCode.INVALID_SNAPSHOT, `tree depth ${request.tree.depth} does not match the prover's circuit depth ${prover.depth}`);
  }
  const prepared = prepareJoinSplit(request, binding, poseidon);
  const result = await prover.prove(prepared.circuitInputs);
  const expected = publicSignalsOf(prepared.publicInputs);
  if (result.publicSignals.some((signal, i) => signal !== expected[i])) {
    throw new CloakError(ErrorCode.PROOF_FAILED, "the circuit's public signals differ from the prepared public inputs");
  }
  return { ...prepared, ...result };
}

/** The EVM pool's binding: the ciphertexts complete `draft`, hashed as keccak256(abi.encode(extData)) mod p. */
export function evmExtDataBinding(draft: Omit<EvmExtData, "encryptedOutput1" | "encryptedOutput2">): ExtDataBinding<EvmExtData> {
  return {
    extAmount: draft.extAmount,
    fee: draft.fee,
    bind(encryptedOutput1, encryptedOutput2) {
      const extData: EvmExtData = { ...draft, encryptedOutput1, encryptedOutput2 };
      return { extData, extDataHash: hashEvmExtData(extData) };
    },
  };
}

/** prepareJoinSplit for the EVM pool: `request.extData` is completed with the ciphertexts and keccak-hashed. */
export function prepareTransaction(request: TransactionRequest, poseidon: PoseidonHasher): PreparedTransaction {
  return prepareJoinSplit(request, evmExtDataBinding(request.extData), poseidon);
}

/** prepareTransaction, then a Groth16 proof whose public signals are checked against what was prepared. */
export async function proveTransaction(request: TransactionRequest, prover: Prover, poseidon: PoseidonHasher): Promise<ProvenTransaction> {
  return proveJoinSplit(request, evmExtDataBinding(request.extData), prover, poseidon);
}
