import { Program, type Provider } from "@coral-xyz/anchor";
import type { Connection, PublicKey } from "@solana/web3.js";
import { CloakError, ErrorCode } from "../errors.js";
import { SCRAMBLE_REGISTRY_PROGRAM_ID, SHIELD_POOL_PROGRAM_ID } from "./constants.js";
import { keyBytes } from "./encoding.js";
import { SCRAMBLE_REGISTRY_IDL, type ScrambleRegistry } from "./idl/scramble_registry.js";
import { SHIELD_POOL_IDL, type ShieldPool } from "./idl/shield_pool.js";

/**
 * Anchor clients of the two programs, typed by their generated IDLs. A client with a provider can send
 * and fetch; the offline ones only build instructions and decode data, and fail with NOT_INITIALIZED
 * if asked to reach the network.
 */

export type { ScrambleRegistry } from "./idl/scramble_registry.js";
export type { ShieldPool } from "./idl/shield_pool.js";
export type ShieldPoolProgram = Program<ShieldPool>;
export type ScrambleRegistryProgram = Program<ScrambleRegistry>;

/** The IDL with `address` replaced, so the client talks to another deployment of the same program. */
function idlAt<T extends { address: string }>(idl: T, programId: PublicKey): T {
  keyBytes(programId, "programId", ErrorCode.INVALID_INSTRUCTION_INPUT);
  return { ...idl, address: programId.toBase58() };
}

/** A provider for building and decoding only: reading its connection is an error. */
export function offlineProvider(): Provider {
  return {
    get connection(): Connection {
      throw new CloakError(ErrorCode.NOT_INITIALIZED, "provider.connection: this client is offline; pass a provider with a connection to send or fetch");
    },
  };
}

/** The shield pool client at `programId` (SHIELD_POOL_PROGRAM_ID by default). */
export function shieldPoolProgram(provider: Provider, programId: PublicKey = SHIELD_POOL_PROGRAM_ID): ShieldPoolProgram {
  // Anchor takes the IDL as the program emits it (snake_case) and types the client by its camelCase form.
  return new Program(idlAt(SHIELD_POOL_IDL, programId) as unknown as ShieldPool, provider);
}

/** The scramble registry client at `programId` (SCRAMBLE_REGISTRY_PROGRAM_ID by default). */
export function scrambleRegistryProgram(provider: Provider, programId: PublicKey = SCRAMBLE_REGISTRY_PROGRAM_ID): ScrambleRegistryProgram {
  return new Program(idlAt(SCRAMBLE_REGISTRY_IDL, programId) as unknown as ScrambleRegistry, provider);
}

const offlineShieldPools = new Map<string, ShieldPoolProgram>();
const offlineRegistries = new Map<string, ScrambleRegistryProgram>();

/** A cached offline shield pool client: builds instructions and decodes accounts and events. */
export function offlineShieldPoolProgram(programId: PublicKey = SHIELD_POOL_PROGRAM_ID): ShieldPoolProgram {
  keyBytes(programId, "programId", ErrorCode.INVALID_INSTRUCTION_INPUT);
  const key = programId.toBase58();
  let program = offlineShieldPools.get(key);
  if (!program) {
    program = shieldPoolProgram(offlineProvider(), programId);
    offlineShieldPools.set(key, program);
  }
  return program;
}

/** A cached offline scramble registry client: builds instructions and decodes accounts and events. */
export function offlineScrambleRegistryProgram(programId: PublicKey = SCRAMBLE_REGISTRY_PROGRAM_ID): ScrambleRegistryProgram {
  keyBytes(programId, "programId", ErrorCode.INVALID_INSTRUCTION_INPUT);
  const key = programId.toBase58();
  let program = offlineRegistries.get(key);
  if (!program) {
    program = scrambleRegistryProgram(offlineProvider(), programId);
    offlineRegistries.set(key, program);
  }
  return program;
}
