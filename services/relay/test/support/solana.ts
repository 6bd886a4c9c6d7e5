import { PublicKey, type TransactionInstruction } from "@solana/web3.js";
import { sendSolanaInstructions } from "@cloak/sdk/solana";
import { loadSolanaCorpus, solanaCorpusRequestOf, type SolanaCloak, type SolanaCorpusEntry } from "@cloak/service-testkit";
import type { SolanaRelayRequest } from "../../src/intake/index.ts";

export const solanaCorpus = loadSolanaCorpus();

/** A Solana corpus entry as a wallet hands it to the relay (POST /api/v1/transact). */
export function solanaRequestOf(entry: SolanaCorpusEntry): SolanaRelayRequest {
  return solanaCorpusRequestOf(solanaCorpus, entry);
}

/** Sends governance instructions signed by the deploy's authority (admin, pause authority and security council of a fresh deploy). */
export async function asAuthority(cloak: SolanaCloak, ...instructions: TransactionInstruction[]): Promise<void> {
  const { shieldPool, scrambleRegistry } = cloak.deployment.programs;
  await sendSolanaInstructions(
    cloak.node.connection,
    { payer: cloak.node.authority, instructions },
    { programIds: { shieldPool: new PublicKey(shieldPool), scrambleRegistry: new PublicKey(scrambleRegistry) }, commitment: "confirmed" },
  );
}
