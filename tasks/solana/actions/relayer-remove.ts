// `npx hardhat solana:relayer:remove --relayer <key>` (EP-002): a relayer can no longer take fees, at once (admin).
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { removeRelayerInstruction } from "@cloak/sdk/solana";
import { runSolanaAdmin, type SolanaAdminArguments } from "../lib/context.ts";
import { publicKeyArgument } from "../lib/deployment.ts";

export default async function solanaRelayerRemove(args: SolanaAdminArguments & { relayer: string }, hre: HardhatRuntimeEnvironment) {
  return runSolanaAdmin(hre, args, async (ctx) => ({
    description: `remove relayer ${args.relayer}`,
    instructions: [await removeRelayerInstruction({ admin: ctx.authority, relayer: publicKeyArgument(args.relayer, "relayer"), programId: ctx.shieldPool })],
  }));
}
