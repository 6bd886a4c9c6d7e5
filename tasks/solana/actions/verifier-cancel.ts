// `npx hardhat solana:verifier:cancel`: drops the proposed verifying key (admin).
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { cancelVerifyingKeyInstruction } from "@cloak/sdk/solana";
import { runSolanaAdmin, type SolanaAdminArguments } from "../lib/context.ts";

export default async function solanaVerifierCancel(args: SolanaAdminArguments, hre: HardhatRuntimeEnvironment) {
  return runSolanaAdmin(hre, args, async (ctx) => ({
    description: "cancel the proposed verifying key",
    instructions: [await cancelVerifyingKeyInstruction({ admin: ctx.authority, programId: ctx.shieldPool })],
  }));
}
