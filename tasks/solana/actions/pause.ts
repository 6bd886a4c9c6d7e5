// `npx hardhat solana:pause -u <url> -k <keypair>` (EP-001): stops every transact at once; the pause
// authority or the admin signs.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { pauseInstruction } from "@cloak/sdk/solana";
import { runSolanaAdmin, type SolanaAdminArguments } from "../lib/context.ts";

export default async function solanaPause(args: SolanaAdminArguments, hre: HardhatRuntimeEnvironment) {
  return runSolanaAdmin(hre, args, async (ctx) => ({
    description: "pause the shield pool",
    instructions: [await pauseInstruction({ authority: ctx.authority, programId: ctx.shieldPool })],
  }));
}
