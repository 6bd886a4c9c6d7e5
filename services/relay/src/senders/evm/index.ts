export { EvmSender, type EvmConfirmation, type EvmSenderOptions, type EvmTxRequest } from "./sender.ts";
export { EvmRevertError, decodeRevert, shieldPoolInterface } from "./revert.ts";
export { evmStore, type EvmAccount, type SignedEvmTransaction, type StoredEvmTransaction } from "./store.ts";
export { FailoverJsonRpcProvider } from "./failover-provider.ts";
