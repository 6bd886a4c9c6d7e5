// `npx hardhat solana:pause-authority:accept -k <pending pause authority keypair>`: the proposed key takes over.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { acceptPauseAuthorityInstruction } from "@cloak/sdk/solana";
import { runSolanaAdmin, type SolanaAdminArguments } from "../lib/context.ts";

export default async function solanaPauseAuthorityAccept(args: SolanaAdminArguments, hre: HardhatRuntimeEnvironment) {
  return runSolanaAdmin(hre, args, async (ctx) => ({
    description: "accept the pause authority",
    instructions: [await acceptPauseAuthorityInstruction({ pendingPauseAuthority: ctx.authority, programId: ctx.shieldPool })],
  }));
}
