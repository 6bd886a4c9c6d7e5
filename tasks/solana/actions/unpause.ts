// `npx hardhat solana:unpause -u <url> -k <admin keypair>` (RP-001): resumes transacts; admin only. The
// exit window of a pending key rotation restarts from this moment.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { unpauseInstruction } from "@cloak/sdk/solana";
import { runSolanaAdmin, type SolanaAdminArguments } from "../lib/context.ts";

export default async function solanaUnpause(args: SolanaAdminArguments, hre: HardhatRuntimeEnvironment) {
  return runSolanaAdmin(hre, args, async (ctx) => ({
    description: "unpause the shield pool",
    instructions: [await unpauseInstruction({ admin: ctx.authority, programId: ctx.shieldPool })],
  }));
}
