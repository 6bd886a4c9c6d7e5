import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HDNodeWallet, encryptKeystoreJson } from "ethers";
import { loadEvmCorpus, type EvmCorpusEntry } from "@cloak/service-testkit";
import type { EvmRelayRequest } from "../../src/intake/index.ts";

export const corpus = loadEvmCorpus();

/** Hardhat's default mnemonic: account 3 is EVM_RELAYER, which the corpus's withdrawals pay and the deployment registers. */
export const relayerWallet = HDNodeWallet.fromPhrase("test test test test test test test test test test test junk", undefined, "m/44'/60'/0'/0/3");

/** A corpus withdrawal as a wallet hands it to the relay (POST /api/v1/transact). */
export function requestOf(entry: EvmCorpusEntry): EvmRelayRequest {
  return {
    chain: "evm",
    pool: corpus.header.pool,
    proof: entry.proof,
    publicSignals: [...entry.publicSignals],
    extData: { chainId: corpus.header.chainId, pool: corpus.header.pool, ...entry.extData },
  };
}

/**
 * The relayer key as an operator keeps it: an encrypted keystore and a password file, both mode 600.
 * (A light scrypt: the test's key is Hardhat's public one; an operator's keystore uses ethers' default.)
 */
export async function writeRelayerKeystore(dir: string): Promise<{ keystore: string; passwordFile: string }> {
  const keystore = join(dir, "relayer.keystore.json");
  const passwordFile = join(dir, "relayer.password");
  writeFileSync(keystore, await encryptKeystoreJson({ address: relayerWallet.address, privateKey: relayerWallet.privateKey }, "correct horse", { scrypt: { N: 1 << 10 } }));
  writeFileSync(passwordFile, "correct horse\n");
  chmodSync(keystore, 0o600);
  chmodSync(passwordFile, 0o600);
  return { keystore, passwordFile };
}
