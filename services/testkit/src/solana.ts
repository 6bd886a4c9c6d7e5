// The local Solana node (localnet/launcher.ts) with Cloak deployed by the operator's deploy library, and
// the Solana corpus sent to it in order through the SDK's client.
import { join } from "node:path";
import { LAMPORTS_PER_SOL, Keypair as SolanaKeypair, PublicKey } from "@solana/web3.js";
import { CloakError, ErrorCode, PRODUCTION_TREE_DEPTH, getPoseidon, type Prover } from "@cloak/sdk";
import { NATIVE_MINT, SolanaShieldPoolClient, addRelayerInstruction, poolPda, sendSolanaInstructions } from "@cloak/sdk/solana";
import { startLocalnet, type Localnet, type LocalnetOptions } from "../../../localnet/launcher.ts";
import { deploySolana, type SolanaDeployOptions } from "../../../tasks/solana/lib/deploy.ts";
import type { SolanaDeployment } from "../../../tasks/solana/lib/deployment.ts";
import { loadSolanaCorpus, publicInputsOfEntry, solanaExtDataOf, type SolanaCorpus } from "./corpus.ts";
import { TestkitError, TestkitErrorCode } from "./errors.ts";

export { startLocalnet, type Localnet, type LocalnetOptions, deploySolana, type SolanaDeployment };

/**
 * Funds `relayer` by airdrop (`sol` SOL: the lookup table, nullifier rent, above the relay's balance
 * thresholds) and registers it with the shield pool, signed by the node's authority (the admin).
 */
export async function registerSolanaRelayer(node: Localnet, deployment: SolanaDeployment, relayer: PublicKey, sol = 100): Promise<void> {
  await node.airdrop(relayer, sol * LAMPORTS_PER_SOL);
  const programIds = { shieldPool: new PublicKey(deployment.programs.shieldPool), scrambleRegistry: new PublicKey(deployment.programs.scrambleRegistry) };
  await sendSolanaInstructions(
    node.connection,
    { payer: node.authority, instructions: [await addRelayerInstruction({ programId: programIds.shieldPool, admin: node.authority.publicKey, relayer })] },
    { programIds },
  );
}

export interface SolanaCloak {
  node: Localnet;
  deployment: SolanaDeployment;
  /** `<ledger>/solana-localnet.json`, the deployment record (removed with the ledger on stop). */
  deploymentFile: string;
}

export interface SolanaCloakOptions extends LocalnetOptions {
  /** Passed to deploySolana: "create" (default) also opens a token pool with a test mint; null opens only the SOL pool. */
  tokenMint?: SolanaDeployOptions["tokenMint"];
  /** Whether relayed withdrawals must consume a PoW claim; the protocol's default, true, unless given. */
  powRequired?: boolean;
}

/** A fresh local node with both programs initialized and the SOL pool open; `node.stop()` ends both. */
export async function startSolanaCloak(options: SolanaCloakOptions = {}): Promise<SolanaCloak> {
  const node = await startLocalnet(options);
  try {
    const deploymentFile = join(node.ledger, "solana-localnet.json");
    const deployment = await deploySolana({
      connection: node.connection,
      authority: node.authority,
      cluster: "localnet",
      deploymentFile,
      ...(options.tokenMint !== undefined ? { tokenMint: options.tokenMint } : {}),
      ...(options.powRequired !== undefined ? { powRequired: options.powRequired } : {}),
    });
    return { node, deployment, deploymentFile };
  } catch (error) {
    await node.stop();
    throw error;
  }
}

/** Refuses a deployment whose shield-pool program (and so SOL pool account) the corpus was not bound to. */
export function assertSolanaCorpusMatches(corpus: SolanaCorpus, deployment: SolanaDeployment): void {
  const program = new PublicKey(deployment.programs.shieldPool);
  const pool = poolPda(NATIVE_MINT, program)[0];
  if (corpus.header.shieldPoolProgram !== program.toBase58() || corpus.header.pool !== pool.toBase58()) {
    throw new TestkitError(
      TestkitErrorCode.CORPUS_MISMATCH,
      `the Solana corpus was made for program ${corpus.header.shieldPoolProgram}, pool ${corpus.header.pool}, not program ${program.toBase58()}, pool ${pool.toBase58()}: run npm run corpus`,
    );
  }
}

export interface SolanaSubmitOptions {
  /** First deposit to send; the pool must already hold deposits 0 .. from - 1 (each is proven against the root after the one before). */
  from?: number;
  /** One past the last deposit; every deposit unless given. */
  to?: number;
  /** Pays the deposits and the transaction fees; a new key funded by airdrop unless given. */
  payer?: SolanaKeypair;
  /** The committed corpus unless given. */
  corpus?: SolanaCorpus;
}

/** The client's prover is never asked: every corpus transaction arrives proven. */
const provenOnly: Prover = {
  name: "pre-proven",
  depth: PRODUCTION_TREE_DEPTH,
  prove: () => Promise.reject(new CloakError(ErrorCode.PROOF_FAILED, "the corpus client sends only pre-proven transactions")),
  verify: () => Promise.reject(new CloakError(ErrorCode.PROOF_FAILED, "the corpus client sends only pre-proven transactions")),
};

/** Sends corpus deposits [from, to) into the SOL pool, one after another; their signatures in order. */
export async function submitSolanaCorpus(cloak: SolanaCloak, options: SolanaSubmitOptions = {}): Promise<string[]> {
  const corpus = options.corpus ?? loadSolanaCorpus();
  assertSolanaCorpusMatches(corpus, cloak.deployment);
  const from = options.from ?? 0;
  const to = Math.min(options.to ?? corpus.deposits.length, corpus.deposits.length);
  const chosen = corpus.deposits.slice(from, to);
  const needed = chosen.reduce((sum, entry) => sum + BigInt(entry.extData.extAmount), 0n);
  const payer = options.payer ?? (await cloak.node.fundedKeypair(Math.ceil(Number(needed) / 1e9) + 10));
  const client = new SolanaShieldPoolClient(cloak.node.connection, payer, NATIVE_MINT, provenOnly, await getPoseidon(), {
    programId: new PublicKey(cloak.deployment.programs.shieldPool),
    registryProgramId: new PublicKey(cloak.deployment.programs.scrambleRegistry),
  });
  const signatures: string[] = [];
  for (const entry of chosen) {
    try {
      const sent = await client.submitProven({ proof: entry.proof, publicInputs: publicInputsOfEntry(entry), extData: solanaExtDataOf(entry.extData) });
      signatures.push(sent.signature);
    } catch (error) {
      throw new TestkitError(TestkitErrorCode.SUBMIT_FAILED, `Solana corpus deposit ${entry.index}: ${(error as Error).message}`, { cause: error });
    }
  }
  return signatures;
}
