// `npx hardhat solana:registry:admin:transfer --new-admin <key>`: proposes the scramble registry's next admin,
// who takes over with solana:registry:admin:accept.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { transferRegistryAdminInstruction } from "@cloak/sdk/solana";
import { runSolanaAdmin, type SolanaAdminArguments } from "../lib/context.ts";
import { publicKeyArgument } from "../lib/deployment.ts";

export default async function solanaRegistryAdminTransfer(args: SolanaAdminArguments & { newAdmin: string }, hre: HardhatRuntimeEnvironment) {
  return runSolanaAdmin(hre, args, async (ctx) => ({
    description: `propose ${args.newAdmin} as registry admin`,
    instructions: [await transferRegistryAdminInstruction({ admin: ctx.authority, newAdmin: publicKeyArgument(args.newAdmin, "new-admin"), programId: ctx.registryProgram })],
  }));
}
