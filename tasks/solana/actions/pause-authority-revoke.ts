// `npx hardhat solana:pause-authority:revoke` (the EVM's guardian:revoke): the admin removes a leaked pause
// key, and any pending one, at once.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { revokePauseAuthorityInstruction } from "@cloak/sdk/solana";
import { runSolanaAdmin, type SolanaAdminArguments } from "../lib/context.ts";

export default async function solanaPauseAuthorityRevoke(args: SolanaAdminArguments, hre: HardhatRuntimeEnvironment) {
  return runSolanaAdmin(hre, args, async (ctx) => ({
    description: "revoke the pause authority",
    instructions: [await revokePauseAuthorityInstruction({ admin: ctx.authority, programId: ctx.shieldPool })],
  }));
}
