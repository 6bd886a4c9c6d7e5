// `npx hardhat solana:pause-authority:transfer --new-pause-authority <key>`: proposes the next pause
// authority (admin), who takes over with solana:pause-authority:accept.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { transferPauseAuthorityInstruction } from "@cloak/sdk/solana";
import { runSolanaAdmin, type SolanaAdminArguments } from "../lib/context.ts";
import { publicKeyArgument } from "../lib/deployment.ts";

export default async function solanaPauseAuthorityTransfer(args: SolanaAdminArguments & { newPauseAuthority: string }, hre: HardhatRuntimeEnvironment) {
  return runSolanaAdmin(hre, args, async (ctx) => ({
    description: `propose ${args.newPauseAuthority} as pause authority`,
    instructions: [
      await transferPauseAuthorityInstruction({ admin: ctx.authority, newPauseAuthority: publicKeyArgument(args.newPauseAuthority, "new-pause-authority"), programId: ctx.shieldPool }),
    ],
  }));
}
