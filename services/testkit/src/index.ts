// @cloak/service-testkit: what the services' tests and benchmarks share.
export { TestkitError, TestkitErrorCode } from "./errors.ts";
export { corpusDir, repoRoot } from "./paths.ts";
export {
  EVM_DEPLOYER,
  EVM_DEPOSITOR,
  EVM_RELAYER,
  EVM_WITHDRAWAL_RECIPIENT,
  HARDHAT_ACCOUNTS,
  deployEvm,
  freePort,
  readEvmDeployment,
  runHardhatTask,
  startHardhatNode,
  type EvmDeployment,
  type HardhatNode,
  type HardhatNodeOptions,
} from "./evm-node.ts";
export {
  CORPUS_COUNTS,
  CORPUS_FILES,
  CORPUS_SEED,
  EVM_CORPUS_FORMAT,
  SOLANA_CORPUS_FORMAT,
  SOLANA_CORPUS_RECIPIENT,
  SOLANA_CORPUS_RELAYER,
  assertEvmCorpusMatches,
  checkCorpus,
  commitmentsOf,
  corpusFile,
  currentVkeySha256,
  evmExtDataOf,
  loadEvmCorpus,
  loadSolanaCorpus,
  publicInputsOfEntry,
  solanaExtDataOf,
  type CorpusCheckReport,
  type CorpusProof,
  type EvmCorpus,
  type EvmCorpusEntry,
  type CorpusExtData,
  type EvmCorpusHeader,
  type EvmTarget,
  type SolanaCorpus,
  type SolanaCorpusEntry,
  type SolanaCorpusHeader,
} from "./corpus.ts";
export { corpusAmounts } from "./amounts.ts";
export { corpusOwner, seededRandom } from "./deterministic.ts";
export { submitEvmCorpus, submitEvmWithdrawals, transactCalldata, type SubmitOptions } from "./evm-submit.ts";
export {
  assertSolanaCorpusMatches,
  deploySolana,
  startLocalnet,
  registerSolanaRelayer,
  startSolanaCloak,
  submitSolanaCorpus,
  type Localnet,
  type LocalnetOptions,
  type SolanaCloak,
  type SolanaCloakOptions,
  type SolanaDeployment,
  type SolanaSubmitOptions,
} from "./solana.ts";
export { BACKENDS, Child, freshServerDatabase, reachableTempDir, runTs, type LogLine } from "./processes.ts";
export { runSchemathesis } from "./schemathesis.ts";
export { sharedDatabase, testDatabase, type Backend, type SharedDatabase, type TestDatabase } from "./databases.ts";
export { writeLocalRelay, type LocalRelayFiles, type LocalRelaySetup } from "./local-relay.ts";
export { evmCorpusRequestOf, evmRelayerWallet, solanaCorpusRequestOf, writeEvmRelayerKeystore, writeSolanaRelayerKeypair } from "./relay-fixtures.ts";
