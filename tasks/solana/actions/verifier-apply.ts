// `npx hardhat solana:verifier:apply` (EP-003): installs the proposed key once its delay has passed with the
// pool unpaused throughout (admin); the program names what it still waits for.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { applyVerifyingKeyInstruction } from "@cloak/sdk/solana";
import { runSolanaAdmin, type SolanaAdminArguments } from "../lib/context.ts";

export default async function solanaVerifierApply(args: SolanaAdminArguments, hre: HardhatRuntimeEnvironment) {
  return runSolanaAdmin(hre, args, async (ctx) => ({
    description: "apply the proposed verifying key",
    instructions: [await applyVerifyingKeyInstruction({ admin: ctx.authority, programId: ctx.shieldPool })],
  }));
}
