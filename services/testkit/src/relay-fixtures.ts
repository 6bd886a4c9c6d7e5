// The corpus's relayer keys as a relay process reads them, and its withdrawals as a wallet posts them to
// POST /api/v1/transact: what the relay's tests and `npm run bench:relay` share. Both keys are public
// (Hardhat's mnemonic, the corpus seed), so the files exist only for chains that live in memory.
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HDNodeWallet, encryptKeystoreJson } from "ethers";
import { SOLANA_CORPUS_RELAYER, type EvmCorpus, type EvmCorpusEntry, type SolanaCorpus, type SolanaCorpusEntry } from "./corpus.ts";

/** Hardhat's public test mnemonic and the path of account 3, the relayer deployEvm registers (EVM_RELAYER). */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
const EVM_RELAYER_PATH = "m/44'/60'/0'/0/3";

/** EVM_RELAYER's wallet: the corpus's EVM withdrawals pay it and the deployment registers it. */
export const evmRelayerWallet = HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, EVM_RELAYER_PATH);

/** Writes `content` readable by its owner only, as the relay requires of key files. */
export function writeOwnerOnly(path: string, content: string): string {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

/**
 * EVM_RELAYER's key as an operator keeps it: an encrypted keystore and a password file, both mode 600.
 * A light scrypt, since the key is public; an operator's keystore uses ethers' default (writeLocalRelay).
 */
export async function writeEvmRelayerKeystore(dir: string): Promise<{ keystore: string; passwordFile: string }> {
  const password = "correct horse";
  const keystore = writeOwnerOnly(join(dir, "relayer.keystore.json"), await encryptKeystoreJson({ address: evmRelayerWallet.address, privateKey: evmRelayerWallet.privateKey }, password, { scrypt: { N: 1 << 10 } }));
  return { keystore, passwordFile: writeOwnerOnly(join(dir, "relayer.password"), `${password}\n`) };
}

/** SOLANA_CORPUS_RELAYER as a keypair file in the solana CLI's format, mode 600. */
export function writeSolanaRelayerKeypair(dir: string): string {
  return writeOwnerOnly(join(dir, "solana-relayer.json"), JSON.stringify(Array.from(SOLANA_CORPUS_RELAYER.secretKey)));
}

/** An EVM corpus withdrawal as a wallet posts it to the relay (the relay's EvmRelayRequest). */
export function evmCorpusRequestOf(corpus: EvmCorpus, entry: EvmCorpusEntry) {
  return {
    chain: "evm" as const,
    pool: corpus.header.pool,
    proof: entry.proof,
    publicSignals: [...entry.publicSignals],
    extData: { chainId: corpus.header.chainId, pool: corpus.header.pool, ...entry.extData },
  };
}

/** A Solana corpus withdrawal as a wallet posts it to the relay (the relay's SolanaRelayRequest). */
export function solanaCorpusRequestOf(corpus: SolanaCorpus, entry: SolanaCorpusEntry) {
  return {
    chain: "solana" as const,
    pool: corpus.header.pool,
    program: corpus.header.shieldPoolProgram,
    proof: entry.proof,
    publicSignals: [...entry.publicSignals],
    extData: { ...entry.extData },
  };
}
