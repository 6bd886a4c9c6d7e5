import { AbiCoder, getAddress, hexlify, keccak256 } from "ethers";
import { CloakError, ErrorCode } from "./errors.js";
import { FIELD_SIZE, MAX_AMOUNT, mod } from "./field.js";

/**
 * The public part of a transaction that the proof commits to through `extDataHash`. The chain acts on
 * it (who is paid, how much, which relayer earns the fee) and publishes the encrypted outputs.
 * `chainId` and `pool` bind a proof to one pool on one chain, so it cannot be replayed elsewhere.
 */
export interface EvmExtData {
  chainId: bigint;
  pool: string;
  recipient: string;
  /** > 0 deposits into the pool, < 0 withdraws to `recipient`, 0 is a private transfer. */
  extAmount: bigint;
  relayer: string;
  fee: bigint;
  encryptedOutput1: Uint8Array;
  encryptedOutput2: Uint8Array;
}

/** Solidity's view of the struct, in field order; `abi.encode(extData)` of this tuple is what is hashed. */
export const EVM_EXT_DATA_ABI =
  "tuple(uint256 chainId, address pool, address recipient, int256 extAmount, address relayer, uint256 fee, bytes encryptedOutput1, bytes encryptedOutput2)";

const coder = AbiCoder.defaultAbiCoder();

function checkedAddress(value: string, field: string): string {
  try {
    return getAddress(value);
  } catch {
    throw new CloakError(ErrorCode.INVALID_EXT_DATA, `extData.${field}: '${value}' is not an EVM address`);
  }
}

export function validateExtData(extData: EvmExtData): void {
  const magnitude = extData.extAmount < 0n ? -extData.extAmount : extData.extAmount;
  if (magnitude > MAX_AMOUNT) throw new CloakError(ErrorCode.INVALID_EXT_DATA, "extData.extAmount: magnitude must be below 2^248");
  if (extData.fee < 0n || extData.fee > MAX_AMOUNT) throw new CloakError(ErrorCode.INVALID_EXT_DATA, "extData.fee: must be in [0, 2^248)");
  if (extData.chainId <= 0n) throw new CloakError(ErrorCode.INVALID_EXT_DATA, "extData.chainId: must be positive");
  checkedAddress(extData.pool, "pool");
  checkedAddress(extData.recipient, "recipient");
  checkedAddress(extData.relayer, "relayer");
}

/** abi.encode(extData) exactly as the pool contract computes it. */
export function encodeEvmExtData(extData: EvmExtData): string {
  validateExtData(extData);
  return coder.encode(
    [EVM_EXT_DATA_ABI],
    [
      [
        extData.chainId,
        checkedAddress(extData.pool, "pool"),
        checkedAddress(extData.recipient, "recipient"),
        extData.extAmount,
        checkedAddress(extData.relayer, "relayer"),
        extData.fee,
        hexlify(extData.encryptedOutput1),
        hexlify(extData.encryptedOutput2),
      ],
    ],
  );
}

/** extDataHash = uint256(keccak256(abi.encode(extData))) mod p */
export function hashEvmExtData(extData: EvmExtData): bigint {
  return BigInt(keccak256(encodeEvmExtData(extData))) % FIELD_SIZE;
}

/** publicAmount = (extAmount - fee) mod p: the value entering (or, negative, leaving) the shielded pool. */
export function publicAmount(extAmount: bigint, fee: bigint): bigint {
  return mod(extAmount - fee);
}
