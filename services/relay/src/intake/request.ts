import { getBytes, isAddress } from "ethers";
import { z } from "zod";
import { ENCRYPTED_NOTE_BYTES, FIELD_SIZE, MAX_AMOUNT, type EvmExtData, type Groth16Proof } from "@cloak/sdk";
import { RelayError, RelayErrorCode } from "../errors.ts";

// The JSON a wallet posts to have the relay submit its EVM withdrawal. Every field is bounded in length
// before anything is parsed into a bigint, so an oversized body costs the relay nothing but the check.

/** BN254's base field: a proof's point coordinates live below it (the public signals below FIELD_SIZE). */
const BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
/** A decimal of at most 78 digits or 0x with at most 64 hex digits: the two ways a 256-bit value is written. */
const UINT = /^(?:[0-9]{1,78}|0x[0-9a-fA-F]{1,64})$/;
const INT = /^-?[0-9]{1,78}$/;

const address = z
  .string()
  .max(42)
  .regex(ADDRESS, { error: "must be a 0x-prefixed 20-byte hex address", abort: true })
  .refine(isAddress, { error: "has mixed case that is not its EIP-55 checksum" });

const below = (bound: bigint, what: string) =>
  z
    .string()
    .max(80)
    // abort: the refinement converts with BigInt, which throws on what the pattern refused.
    .regex(UINT, { error: "must be a decimal or 0x-hex unsigned integer", abort: true })
    .refine((text) => BigInt(text) < bound, { error: `must be below ${what}` });

/** A public signal: below the scalar field, written in decimal or 0x-hex (shared with the Solana request). */
export const fieldElement = below(FIELD_SIZE, "the scalar field size");
const coordinate = below(BASE_FIELD, "the base field size");
const pair = z.tuple([coordinate, coordinate]);

/** snarkjs' affine form, as the SDK's prover returns it (projective third coordinates are tolerated and dropped). */
export const snarkjsProof = z.strictObject({
  pi_a: z.union([pair, z.tuple([coordinate, coordinate, coordinate])]),
  pi_b: z.union([z.tuple([pair, pair]), z.tuple([pair, pair, pair])]),
  pi_c: z.union([pair, z.tuple([coordinate, coordinate, coordinate])]),
  protocol: z.literal("groth16").optional(),
  curve: z.literal("bn128").optional(),
});

/** The Solidity verifier's form, as toTransactArgs builds it for ShieldPool.transact: B's coordinates swapped. */
const solidityProof = z.strictObject({ pA: pair, pB: z.tuple([pair, pair]), pC: pair });

const amount = z
  .string()
  .max(80, { abort: true })
  .regex(INT, { error: "must be a decimal integer", abort: true })
  .refine((text) => (text.startsWith("-") ? -BigInt(text) : BigInt(text)) < MAX_AMOUNT, { error: "magnitude must be below 2^248" });

const ciphertext = z
  .string()
  .max(2 + 2 * ENCRYPTED_NOTE_BYTES, { error: `must be at most ${ENCRYPTED_NOTE_BYTES} bytes` })
  .regex(/^0x(?:[0-9a-fA-F]{2})*$/, { error: "must be 0x-prefixed hex bytes" });

export const evmExtDataSchema = z.strictObject({
  chainId: z.string().max(80).regex(UINT, { error: "must be a decimal or 0x-hex unsigned integer" }),
  pool: address,
  recipient: address,
  extAmount: amount,
  relayer: address,
  fee: amount.refine((text) => !text.startsWith("-"), { error: "must not be negative" }),
  encryptedOutput1: ciphertext,
  encryptedOutput2: ciphertext,
});

/** An EVM withdrawal (or private transfer) handed to the relay: the route's JSON body. */
export const evmRelayRequestSchema = z.strictObject({
  chain: z.literal("evm"),
  pool: address,
  proof: z.union([snarkjsProof, solidityProof], { error: "must be {pi_a, pi_b, pi_c} (snarkjs) or {pA, pB, pC} (Solidity)" }),
  /** root, publicAmount, extDataHash, inputNullifier ×2, outputCommitment ×2: the circuit's order. */
  publicSignals: z.array(fieldElement).length(7, { error: "must hold exactly 7 field elements" }),
  extData: evmExtDataSchema,
});

export type EvmRelayRequest = z.input<typeof evmRelayRequestSchema>;

/** A request after its schema: the proof in snarkjs' form, numbers as bigints, ExtData as the SDK hashes it. */
export interface ParsedEvmRelayRequest {
  pool: string;
  proof: Groth16Proof;
  publicSignals: bigint[];
  extData: EvmExtData;
}

const dec = (value: string) => BigInt(value).toString();

/** Either proof form as snarkjs verifies it: decimal strings, B in snarkjs' coordinate order. */
export function toGroth16(proof: z.output<typeof evmRelayRequestSchema>["proof"]): Groth16Proof {
  if ("pA" in proof) {
    const [b0, b1] = proof.pB;
    return {
      pi_a: [dec(proof.pA[0]), dec(proof.pA[1])],
      pi_b: [
        [dec(b0[1]), dec(b0[0])],
        [dec(b1[1]), dec(b1[0])],
      ],
      pi_c: [dec(proof.pC[0]), dec(proof.pC[1])],
    };
  }
  return {
    pi_a: [dec(proof.pi_a[0]), dec(proof.pi_a[1])],
    pi_b: [
      [dec(proof.pi_b[0][0]), dec(proof.pi_b[0][1])],
      [dec(proof.pi_b[1][0]), dec(proof.pi_b[1][1])],
    ],
    pi_c: [dec(proof.pi_c[0]), dec(proof.pi_c[1])],
  };
}

/** `schema`'s output for `body`; its first problem becomes INVALID_REQUEST naming the field. */
export function parseOrRefuse<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new RelayError(RelayErrorCode.INVALID_REQUEST, `${issue.path.join(".") || "(body)"}: ${issue.message}`);
  }
  return result.data;
}

/** Checks the body against the schema; the first problem becomes INVALID_REQUEST naming its field. */
export function parseEvmRelayRequest(body: unknown): ParsedEvmRelayRequest {
  const { pool, proof, publicSignals, extData } = parseOrRefuse(evmRelayRequestSchema, body);
  const { chainId, extAmount, fee, encryptedOutput1, encryptedOutput2, ...addresses } = extData;
  const [output1, output2] = [encryptedOutput1, encryptedOutput2].map((hex) => getBytes(hex)) as [Uint8Array, Uint8Array];
  return {
    pool,
    proof: toGroth16(proof),
    publicSignals: publicSignals.map((signal) => BigInt(signal)),
    extData: { ...addresses, chainId: BigInt(chainId), extAmount: BigInt(extAmount), fee: BigInt(fee), encryptedOutput1: output1, encryptedOutput2: output2 },
  };
}
