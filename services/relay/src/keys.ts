import { readFileSync, statSync } from "node:fs";
import { Keypair } from "@solana/web3.js";
import { Wallet } from "ethers";
import type { RelayConfig } from "./config.ts";
import { RelayError, RelayErrorCode } from "./errors.ts";

/** The variable the EVM keystore's password comes from when no password file is configured. */
export const EVM_PASSWORD_VARIABLE = "RELAY_EVM_KEYSTORE_PASSWORD";

/** A secret's file must be its owner's alone: a key readable by others is a key already leaked. */
function ownerOnly(key: string, path: string): string {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    throw new RelayError(RelayErrorCode.INVALID_CONFIG, `${key} = "${path}": cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if ((mode & 0o077) !== 0) {
    throw new RelayError(RelayErrorCode.INVALID_CONFIG, `${key} = "${path}": readable by others (mode ${(mode & 0o777).toString(8)}); make it its owner's only: chmod 600 ${path}`);
  }
  return readFileSync(path, "utf8");
}

/**
 * The EVM relayer key from its encrypted JSON keystore (`[keys] evm_keystore`), with the password from
 * `[keys] evm_password_file` or RELAY_EVM_KEYSTORE_PASSWORD — never from the config file itself.
 */
export async function loadEvmWallet(keys: RelayConfig["keys"], env: NodeJS.ProcessEnv = process.env): Promise<Wallet> {
  if (!keys.evm_keystore) throw new RelayError(RelayErrorCode.INVALID_CONFIG, "keys.evm_keystore: required to relay on EVM (an encrypted JSON keystore)");
  const keystore = ownerOnly("keys.evm_keystore", keys.evm_keystore);
  const password = keys.evm_password_file ? ownerOnly("keys.evm_password_file", keys.evm_password_file).replace(/\r?\n$/, "") : env[EVM_PASSWORD_VARIABLE];
  if (password === undefined) throw new RelayError(RelayErrorCode.INVALID_CONFIG, `keys.evm_password_file: unset, and ${EVM_PASSWORD_VARIABLE} is not set either`);
  try {
    const wallet = await Wallet.fromEncryptedJson(keystore, password);
    return wallet instanceof Wallet ? wallet : new Wallet(wallet.privateKey);
  } catch {
    throw new RelayError(RelayErrorCode.INVALID_CONFIG, `keys.evm_keystore = "${keys.evm_keystore}": cannot be decrypted with the given password`);
  }
}

/**
 * The Solana relayer key from its keypair file (`[keys] solana_keypair`, the solana CLI's format: a JSON
 * array of the 64 secret-key bytes), which must be its owner's alone like the EVM keystore.
 */
export function loadSolanaKeypair(keys: RelayConfig["keys"]): Keypair {
  if (!keys.solana_keypair) throw new RelayError(RelayErrorCode.INVALID_CONFIG, "keys.solana_keypair: required to relay on Solana (a keypair file, the solana CLI's format)");
  const text = ownerOnly("keys.solana_keypair", keys.solana_keypair);
  let bytes: unknown;
  try {
    bytes = JSON.parse(text);
  } catch {
    bytes = null;
  }
  if (!Array.isArray(bytes) || bytes.length !== 64 || !bytes.every((byte) => Number.isInteger(byte) && byte >= 0 && byte <= 255)) {
    throw new RelayError(RelayErrorCode.INVALID_CONFIG, `keys.solana_keypair = "${keys.solana_keypair}": not a Solana keypair (a JSON array of 64 bytes)`);
  }
  try {
    return Keypair.fromSecretKey(Uint8Array.from(bytes as number[]));
  } catch {
    throw new RelayError(RelayErrorCode.INVALID_CONFIG, `keys.solana_keypair = "${keys.solana_keypair}": its 64 bytes are not a secret key with its public key`);
  }
}
