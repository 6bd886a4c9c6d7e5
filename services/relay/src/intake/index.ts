// The relay's intake: what it checks before accepting a withdrawal (the API routes call this).
export { evmExtDataSchema, evmRelayRequestSchema, parseEvmRelayRequest, type EvmRelayRequest, type ParsedEvmRelayRequest } from "./request.ts";
export {
  EVM_WITHDRAW_GAS,
  EvmIntake,
  bundledVerificationKey,
  evmIntakeDeployment,
  quoteEvm,
  type EvmIntakeAccepted,
  type EvmIntakeDeployment,
  type EvmIntakeOptions,
  type EvmQuote,
  type IntakePool,
} from "./evm.ts";
export {
  solanaExtDataSchema,
  solanaRelayRequestSchema,
  parseSolanaRelayRequest,
  type ParsedSolanaRelayRequest,
  type SolanaRelayRequest,
} from "./solana-request.ts";
export {
  NULLIFIER_RECORD_BYTES,
  SOLANA_SIGNATURE_FEE,
  SolanaIntake,
  quoteSolana,
  solanaIntakeDeployment,
  type SolanaIntakeAccepted,
  type SolanaIntakeDeployment,
  type SolanaIntakeOptions,
  type SolanaIntakePool,
  type SolanaQuote,
  type SolanaQuoteInput,
  type SolanaRead,
} from "./solana.ts";
