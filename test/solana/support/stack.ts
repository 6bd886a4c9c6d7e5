// A deployed Cloak stack on a local node for the end-to-end tests: both programs initialized by the
// deploy library (registry, config, SOL pool, test mint and its pool), a registered and funded relayer,
// and the helpers the scenarios share (test tokens, balances read back from a landed transaction,
// program errors asserted by name, code and program).
import assert from "node:assert/strict";
import { join } from "node:path";
import { createAssociatedTokenAccountIdempotentInstruction, createMintToInstruction, getAssociatedTokenAddressSync } from "@solana/spl-token";
import { PublicKey, type Keypair as SolanaKeypair, type VersionedTransactionResponse } from "@solana/web3.js";
import {
  SCRAMBLE_REGISTRY_PROGRAM_ID,
  SHIELD_POOL_PROGRAM_ID,
  SolanaTransactionError,
  addRelayerInstruction,
  sendSolanaInstructions,
  type SolanaProgramError,
} from "@cloak/sdk/solana";
import { deploySolana, type SolanaDeployment } from "../../../tasks/solana/lib/deploy.ts";
import type { Localnet } from "../../../localnet/launcher.ts";

export interface SolanaStack {
  deployment: SolanaDeployment;
  /** The test mint the deploy created (6 decimals; the node's authority mints it). */
  testMint: PublicKey;
  /** Registered with the shield pool and funded: signs and pays the relayed transactions. */
  relayer: SolanaKeypair;
}

/** Deploys on `node` (the deployment record goes into its ledger directory) and registers a relayer. */
export async function deployStack(node: Localnet, options: { powRequired: boolean }): Promise<SolanaStack> {
  const deployment = await deploySolana({
    connection: node.connection,
    authority: node.authority,
    cluster: "localnet",
    deploymentFile: join(node.ledger, "deployment.json"),
    tokenMint: "create",
    powRequired: options.powRequired,
  });
  assert.ok(deployment.testMint, "the deploy created the test mint");
  const relayer = await node.fundedKeypair(10);
  await sendSolanaInstructions(node.connection, {
    payer: node.authority,
    instructions: [await addRelayerInstruction({ admin: node.authority.publicKey, relayer: relayer.publicKey })],
  });
  return { deployment, testMint: new PublicKey(deployment.testMint.address), relayer };
}

/** Mints `amount` base units of the test mint to `owner`'s associated token account, creating it as a wallet would. */
export async function mintTestTokens(node: Localnet, mint: PublicKey, owner: PublicKey, amount: bigint): Promise<PublicKey> {
  const account = getAssociatedTokenAddressSync(mint, owner);
  await sendSolanaInstructions(node.connection, {
    payer: node.authority,
    instructions: [
      createAssociatedTokenAccountIdempotentInstruction(node.authority.publicKey, account, owner, mint),
      createMintToInstruction(mint, account, node.authority.publicKey, amount),
    ],
  });
  return account;
}

/** A landed transaction, its lookup-table accounts resolved. */
export async function landed(node: Localnet, signature: string): Promise<VersionedTransactionResponse> {
  const response = await node.connection.getTransaction(signature, { maxSupportedTransactionVersion: 0, commitment: "confirmed" });
  assert.ok(response?.meta, `transaction ${signature} is known to the node with its meta`);
  assert.equal(response.meta.err, null);
  return response;
}

/** Asserts that `action` fails with exactly `name` (and its code) of `program`, raised by that program's deployment. */
export async function assertProgramError(action: Promise<unknown>, expected: Pick<SolanaProgramError, "program" | "name" | "code">): Promise<SolanaTransactionError> {
  const error = await action.then(
    () => assert.fail(`expected ${expected.program} error ${expected.name}, but the transaction succeeded`),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof SolanaTransactionError, `expected a SolanaTransactionError, got ${error instanceof Error ? error.stack : JSON.stringify(error)}`);
  assert.deepEqual({ program: error.programError?.program, name: error.programError?.name, code: error.programError?.code }, expected);
  assert.equal(error.customCode, expected.code);
  const programId = expected.program === "shield_pool" ? SHIELD_POOL_PROGRAM_ID : SCRAMBLE_REGISTRY_PROGRAM_ID;
  assert.equal(error.programId?.toBase58(), programId.toBase58());
  return error;
}
