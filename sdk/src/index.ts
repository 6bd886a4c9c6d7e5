export { CloakError, ErrorCode, isCloakError } from "./errors.js";
export {
  AMOUNT_BITS,
  FIELD_SIZE,
  MAX_AMOUNT,
  bigIntToBytes,
  bytesToBigInt,
  mod,
  randomFieldElement,
  type RandomSource,
  toAmount,
  toField,
  toHex32,
  type FieldLike,
} from "./field.js";
export { getPoseidon, type PoseidonBackend, type PoseidonHasher, type PoseidonOptions } from "./poseidon.js";
export { ADDRESS_PREFIX, Keypair, decodeAddress, encodeAddress, type SerializedKeypair, type ShieldedAddress } from "./keys.js";
export {
  createNote,
  deserializeNote,
  noteCommitment,
  noteNullifier,
  serializeNote,
  spendNullifier,
  type NoteData,
  type SerializedNote,
  type SpendableNote,
} from "./note.js";
export {
  ENCRYPTED_NOTE_BYTES,
  ENCRYPTED_NOTE_VERSION,
  decryptNote,
  encryptNote,
  trialDecrypt,
  type DiscoveredNote,
  type EncryptedOutput,
} from "./encryption.js";
export {
  MerkleTree,
  PRODUCTION_TREE_DEPTH,
  ROOT_HISTORY_SIZE,
  EVM_ROOT_HISTORY_SIZE,
  ZERO_LEAF,
  zeroValues,
  type MerklePath,
  type MerkleTreeSnapshot,
} from "./merkle.js";
export { EVM_EXT_DATA_ABI, encodeEvmExtData, hashEvmExtData, publicAmount, validateExtData, type EvmExtData } from "./ext-data.js";
export { encodeSolidityProof, toSolidityProof, type Groth16Proof, type SolidityProof } from "./proof.js";
export {
  ARTIFACT_FILES,
  SnarkjsProver,
  WitnessGenerator,
  loadArtifacts,
  publicInputsOf,
  publicSignalsOf,
  releaseProvingResources,
  verifyProof,
  type CircuitInputs,
  type ProofResult,
  type Prover,
  type ProverArtifacts,
  type TransactionPublicInputs,
} from "./prover.js";
export {
  N_INPUTS,
  N_OUTPUTS,
  evmExtDataBinding,
  prepareJoinSplit,
  prepareTransaction,
  proveJoinSplit,
  proveTransaction,
  type ExtDataBinding,
  type JoinSplitRequest,
  type PreparedJoinSplit,
  type PreparedTransaction,
  type ProvenJoinSplit,
  type ProvenTransaction,
  type TransactionInput,
  type TransactionOutput,
  type TransactionRequest,
} from "./transaction.js";
export { loadNativeAddon, type NativeAddon, type NativeProvingKey } from "./native-addon.js";
export { NativeProver, createProver, type CreateProverOptions, type FixedBaseTablesInfo, type NativeProverOptions, type ProverBackend } from "./native-prover.js";
export { bundledArtifactsDir, loadBundledProver } from "./artifacts.js";
export { toTransactArgs, type PoolExtDataArgs, type PoolProofArgs } from "./evm/transact-args.js";
export { PoolSync, type PoolNote, type PoolSyncOptions, type SyncTarget } from "./evm/pool-sync.js";
export { freshBlockNumber, isRangeRefusal, scanLogs, type LogsHandler, type ScanLogsOptions } from "./evm/logs.js";
export {
  IndexerClient,
  IndexerError,
  IndexerErrorCode,
  type CommitmentPage,
  type IndexedCommitment,
  type IndexedNullifier,
  type IndexerClientOptions,
  type IndexerEvent,
  type IndexerNodes,
  type IndexerPath,
  type IndexerPool,
  type IndexerRoots,
  type NullifierPage,
  type NullifierStatus,
  type NullifierStatuses,
  type PageOptions,
} from "./indexer/client.js";
export { downloadPool, type DownloadedLeaf, type DownloadedPool, type DownloadedTree } from "./indexer/download.js";
export { parseEventStream, type EventStreamMessage } from "./indexer/sse.js";
export {
  RelayerClient,
  RelayerError,
  RelayerErrorCode,
  type RelayInfo,
  type RelayJob,
  type RelayQueueStatus,
  type RelayQuote,
  type RelaySubmission,
  type RelayTransactRequest,
  type WaitOptions,
} from "./relay/client.js";
export { ShieldPoolClient, relayRequestOf, type RelayOptions, type RelayedWithdrawal, type SubmittedTransaction } from "./evm/pool-client.js";
export { selectNotes, totalAmount, type SelectableNote } from "./note-selection.js";
