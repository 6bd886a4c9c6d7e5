// Reproducible randomness for the corpus generator. A corpus is public test data: every key, blinding,
// ephemeral encryption key and Groth16 blinding factor is derived from the corpus seed and a label
// naming the transaction, so regenerating writes the same bytes and a reviewer can rederive any note.
// Nothing here may be used for notes holding value.
/// <reference path="./ffjavascript.d.ts" />
import { createHash } from "node:crypto";
import { ChaCha, buildBn128 } from "ffjavascript";
import { Keypair as SolanaKeypair } from "@solana/web3.js";
import { Keypair, type PoseidonHasher, type RandomSource } from "@cloak/sdk";

/** SHA-256(seed ‖ "/" ‖ label ‖ "/" ‖ counter), block after block: a byte stream per (seed, label). */
export function seededRandom(seed: string, label: string): RandomSource {
  let counter = 0;
  let buffered = new Uint8Array(0);
  return (length) => {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      if (buffered.length === 0) buffered = createHash("sha256").update(`${seed}/${label}/${counter++}`).digest();
      const take = Math.min(buffered.length, length - filled);
      out.set(buffered.subarray(0, take), filled);
      buffered = buffered.subarray(take);
      filled += take;
    }
    return out;
  };
}

/** The shielded key that owns a chain's corpus notes (e.g. `corpusOwner(seed, "evm", poseidon)`). */
export function corpusOwner(seed: string, chain: "evm" | "solana", poseidon: PoseidonHasher): Keypair {
  return Keypair.fromSeed(createHash("sha256").update(`${seed}/${chain}/owner`).digest(), poseidon);
}

/** A Solana keypair the corpus names (its relayer, its withdrawals' recipient): ed25519 from SHA-256(seed/solana/role). */
export function solanaCorpusKeypair(seed: string, role: "relayer" | "recipient"): SolanaKeypair {
  return SolanaKeypair.fromSeed(createHash("sha256").update(`${seed}/solana/${role}`).digest());
}

interface SeedableCurve {
  Fr: { random(): unknown; fromRng(rng: ChaCha): unknown };
}

/**
 * snarkjs draws a Groth16 proof's blinding factors r and s from ffjavascript's per-thread ChaCha, seeded
 * once from the OS. The corpus generator instead reseeds it before every proof from (seed, label), so a
 * proof depends only on its transaction. snarkjs proves on the process-wide bn128 curve
 * (globalThis.curve_bn128, which buildBn128 creates or returns), so replacing that curve's Fr.random
 * reaches exactly the prover and nothing outside this process.
 */
export async function seedableProofRandomness(): Promise<(seed: string, label: string) => void> {
  const curve = (await buildBn128()) as SeedableCurve;
  let rng: ChaCha | undefined;
  curve.Fr.random = () => {
    if (!rng) throw new Error("proof randomness requested before it was seeded for this proof");
    return curve.Fr.fromRng(rng);
  };
  return (seed, label) => {
    const digest = createHash("sha256").update(`${seed}/${label}/groth16`).digest();
    const words: number[] = [];
    for (let i = 0; i < 8; i++) words.push(digest.readUInt32LE(i * 4));
    rng = new ChaCha(words);
  };
}
