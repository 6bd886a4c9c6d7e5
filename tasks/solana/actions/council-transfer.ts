// `npx hardhat solana:council:transfer --new-council <key>`: the security council proposes its successor (the
// admin cannot appoint it), who takes over with solana:council:accept.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { transferSecurityCouncilInstruction } from "@cloak/sdk/solana";
import { runSolanaAdmin, type SolanaAdminArguments } from "../lib/context.ts";
import { publicKeyArgument } from "../lib/deployment.ts";

export default async function solanaCouncilTransfer(args: SolanaAdminArguments & { newCouncil: string }, hre: HardhatRuntimeEnvironment) {
  return runSolanaAdmin(hre, args, async (ctx) => ({
    description: `propose ${args.newCouncil} as security council`,
    instructions: [
      await transferSecurityCouncilInstruction({ securityCouncil: ctx.authority, newSecurityCouncil: publicKeyArgument(args.newCouncil, "new-council"), programId: ctx.shieldPool }),
    ],
  }));
}
