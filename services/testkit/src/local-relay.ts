// What `npm run relay` needs on the local chains (`npm run chains`): the relayer keys as an operator
// keeps them (an encrypted EVM keystore with its password file, a Solana keypair file, all mode 600),
// the Solana key funded and registered with the shield pool, and a config file naming them. These keys
// exist only for chains that live in memory; nothing here is fit for a real cluster.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { encryptKeystoreJson } from "ethers";
import { Keypair } from "@solana/web3.js";
import { stringify } from "smol-toml";
import { evmRelayerWallet, writeOwnerOnly } from "./relay-fixtures.ts";
import { registerSolanaRelayer } from "./solana.ts";
import type { Localnet } from "../../../localnet/launcher.ts";
import type { SolanaDeployment } from "../../../tasks/solana/lib/deployment.ts";

/** Enough for the lookup table, the nullifier rent of many withdrawals, and well above the balance thresholds. */
const SOLANA_RELAYER_SOL = 100;

export interface LocalRelaySetup {
  /** The folder holding the keys and relay.toml (created). */
  readonly dir: string;
  readonly evm: { readonly rpcUrl: string; readonly chainId: bigint; readonly deploymentFile: string };
  readonly solana: { readonly node: Localnet; readonly deployment: SolanaDeployment; readonly deploymentFile: string };
}

export interface LocalRelayFiles {
  readonly config: string;
  readonly evmRelayer: string;
  readonly solanaRelayer: string;
  /** Every file written, for whoever removes them with the chains. */
  readonly files: readonly string[];
}

/**
 * Writes the local relay's keys and config under `dir`, and registers a new Solana relayer key with the
 * shield pool (funded by airdrop). The EVM relayer is Hardhat's account 3, which deployEvm registered.
 */
export async function writeLocalRelay(setup: LocalRelaySetup): Promise<LocalRelayFiles> {
  mkdirSync(setup.dir, { recursive: true, mode: 0o700 });
  const evmWallet = evmRelayerWallet;
  const password = randomBytes(24).toString("base64url");
  const passwordFile = writeOwnerOnly(join(setup.dir, "evm-relayer.password"), `${password}\n`);
  // ethers' default scrypt, as an operator's keystore has: the relay pays it once at start.
  const keystore = writeOwnerOnly(join(setup.dir, "evm-relayer.keystore.json"), await encryptKeystoreJson({ address: evmWallet.address, privateKey: evmWallet.privateKey }, password));

  const { node, deployment } = setup.solana;
  const solanaKey = Keypair.generate();
  const keypairFile = writeOwnerOnly(join(setup.dir, "solana-relayer.json"), JSON.stringify(Array.from(solanaKey.secretKey)));
  await registerSolanaRelayer(node, deployment, solanaKey.publicKey, SOLANA_RELAYER_SOL);

  const config = writeOwnerOnly(
    join(setup.dir, "relay.toml"),
    `# Written by npm run chains for its local chains; removed with them.\n${stringify({
      evm: { rpc_urls: [setup.evm.rpcUrl], chain_id: Number(setup.evm.chainId), deployment: setup.evm.deploymentFile },
      solana: { rpc_urls: [node.rpcUrl], deployment: setup.solana.deploymentFile, commitment: "confirmed" },
      keys: { evm_keystore: keystore, evm_password_file: passwordFile, solana_keypair: keypairFile },
    })}`,
  );
  return { config, evmRelayer: evmWallet.address, solanaRelayer: solanaKey.publicKey.toBase58(), files: [config, passwordFile, keystore, keypairFile] };
}
