import { toHex32, toSolidityProof } from "@cloak/sdk";
import { hexlify, type Interface } from "ethers";
import type { ParsedEvmRelayRequest } from "./intake/index.ts";

/** `ShieldPool.transact(proof, extData)` calldata for a checked request (public signals in the circuit's order). */
export function evmTransactCalldata(pool: Interface, request: ParsedEvmRelayRequest): string {
  const [root, , , nullifier0, nullifier1, commitment0, commitment1] = request.publicSignals as [bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  const { pA, pB, pC } = toSolidityProof(request.proof);
  const { extData } = request;
  return pool.encodeFunctionData("transact", [
    { pA, pB, pC, root: toHex32(root), inputNullifiers: [toHex32(nullifier0), toHex32(nullifier1)], outputCommitments: [toHex32(commitment0), toHex32(commitment1)] },
    { ...extData, encryptedOutput1: hexlify(extData.encryptedOutput1), encryptedOutput2: hexlify(extData.encryptedOutput2) },
  ]);
}
