// `npx hardhat solana:admin:transfer --new-admin <key>`: proposes the shield pool's next admin, who takes
// over with solana:admin:accept (admin).
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { transferAdminInstruction } from "@cloak/sdk/solana";
import { runSolanaAdmin, type SolanaAdminArguments } from "../lib/context.ts";
import { publicKeyArgument } from "../lib/deployment.ts";

export default async function solanaAdminTransfer(args: SolanaAdminArguments & { newAdmin: string }, hre: HardhatRuntimeEnvironment) {
  return runSolanaAdmin(hre, args, async (ctx) => ({
    description: `propose ${args.newAdmin} as shield pool admin`,
    instructions: [await transferAdminInstruction({ admin: ctx.authority, newAdmin: publicKeyArgument(args.newAdmin, "new-admin"), programId: ctx.shieldPool })],
  }));
}
