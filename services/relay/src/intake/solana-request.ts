import { PublicKey } from "@solana/web3.js";
import { getBytes } from "ethers";
import { z } from "zod";
import type { Groth16Proof } from "@cloak/sdk";
import { ENCRYPTED_OUTPUT_BYTES, type SolanaExtData } from "@cloak/sdk/solana";
import { fieldElement, parseOrRefuse, snarkjsProof, toGroth16 } from "./request.ts";

// The JSON a wallet posts to have the relay submit its Solana withdrawal. As for EVM, every field is
// bounded in length before it is decoded (base58, BigInt), so an oversized body costs only the check.

const BASE58 = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;
const I64_BOUND = 2n ** 63n;
const U64_BOUND = 2n ** 64n;

/** A 32-byte public key in base58 (what `PublicKey.toBase58()` writes). */
const publicKey = z
  .string()
  .max(44, { error: "must be a base58 public key (at most 44 characters)", abort: true })
  .regex(BASE58, { error: "must be a base58 public key", abort: true })
  .refine(
    (text) => {
      try {
        return new PublicKey(text).toBase58() === text;
      } catch {
        return false;
      }
    },
    { error: "does not decode to a 32-byte public key" },
  );

/** The program's i64 ext_amount; i64::MIN is refused on chain (its magnitude is no i64), so here too. */
const extAmount = z
  .string()
  .max(20, { abort: true })
  .regex(/^-?[0-9]{1,19}$/, { error: "must be a decimal integer", abort: true })
  .refine((text) => BigInt(text) > -I64_BOUND && BigInt(text) < I64_BOUND, { error: "must be in (-2^63, 2^63)" });

const fee = z
  .string()
  .max(20, { abort: true })
  .regex(/^[0-9]{1,20}$/, { error: "must be a decimal integer, not negative", abort: true })
  .refine((text) => BigInt(text) < U64_BOUND, { error: "must be below 2^64" });

/** The program takes fixed-size outputs, so anything else could never land. */
const ciphertext = z
  .string()
  .max(2 + 2 * ENCRYPTED_OUTPUT_BYTES, { error: `must be exactly ${ENCRYPTED_OUTPUT_BYTES} bytes`, abort: true })
  .regex(new RegExp(`^0x[0-9a-fA-F]{${2 * ENCRYPTED_OUTPUT_BYTES}}$`), { error: `must be 0x-prefixed hex of exactly ${ENCRYPTED_OUTPUT_BYTES} bytes` });

export const solanaExtDataSchema = z.strictObject({
  recipient: publicKey,
  extAmount,
  relayer: publicKey,
  fee,
  encryptedOutput1: ciphertext,
  encryptedOutput2: ciphertext,
});

/**
 * A Solana withdrawal handed to the relay: the route's JSON body. `pool` is the pool account
 * (poolPda(mint)); `program`, when given, the shield pool program the wallet proved for — both are in
 * the preimage of extDataHash, so a proof made for another deployment cannot be relayed here.
 */
export const solanaRelayRequestSchema = z.strictObject({
  chain: z.literal("solana"),
  pool: publicKey,
  program: publicKey.optional(),
  proof: snarkjsProof,
  /** root, publicAmount, extDataHash, inputNullifier ×2, outputCommitment ×2: the circuit's order. */
  publicSignals: z.array(fieldElement).length(7, { error: "must hold exactly 7 field elements" }),
  extData: solanaExtDataSchema,
});

export type SolanaRelayRequest = z.input<typeof solanaRelayRequestSchema>;

/** A request after its schema: keys decoded, numbers as bigints, ExtData as the SDK hashes it. */
export interface ParsedSolanaRelayRequest {
  pool: PublicKey;
  program: PublicKey | undefined;
  proof: Groth16Proof;
  publicSignals: bigint[];
  extData: SolanaExtData;
}

/** Checks the body against the schema; the first problem becomes INVALID_REQUEST naming its field. */
export function parseSolanaRelayRequest(body: unknown): ParsedSolanaRelayRequest {
  const { pool, program, proof, publicSignals, extData } = parseOrRefuse(solanaRelayRequestSchema, body);
  return {
    pool: new PublicKey(pool),
    program: program === undefined ? undefined : new PublicKey(program),
    proof: toGroth16(proof),
    publicSignals: publicSignals.map((signal) => BigInt(signal)),
    extData: {
      recipient: new PublicKey(extData.recipient),
      extAmount: BigInt(extData.extAmount),
      relayer: new PublicKey(extData.relayer),
      fee: BigInt(extData.fee),
      encryptedOutput1: getBytes(extData.encryptedOutput1),
      encryptedOutput2: getBytes(extData.encryptedOutput2),
    },
  };
}
