import { evmCorpusRequestOf, evmRelayerWallet, loadEvmCorpus, writeEvmRelayerKeystore, type EvmCorpusEntry } from "@cloak/service-testkit";
import type { EvmRelayRequest } from "../../src/intake/index.ts";

export const corpus = loadEvmCorpus();

/** Hardhat's account 3, EVM_RELAYER, which the corpus's withdrawals pay and the deployment registers. */
export const relayerWallet = evmRelayerWallet;

/** A corpus withdrawal as a wallet hands it to the relay (POST /api/v1/transact). */
export function requestOf(entry: EvmCorpusEntry): EvmRelayRequest {
  return evmCorpusRequestOf(corpus, entry);
}

/** The relayer key as an operator keeps it: an encrypted keystore and a password file, both mode 600. */
export const writeRelayerKeystore = writeEvmRelayerKeystore;
