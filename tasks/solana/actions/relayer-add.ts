// `npx hardhat solana:relayer:add --relayer <key>`: registers a relayer that may take fees (admin; 16 at most).
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { addRelayerInstruction } from "@cloak/sdk/solana";
import { runSolanaAdmin, type SolanaAdminArguments } from "../lib/context.ts";
import { publicKeyArgument } from "../lib/deployment.ts";

export default async function solanaRelayerAdd(args: SolanaAdminArguments & { relayer: string }, hre: HardhatRuntimeEnvironment) {
  return runSolanaAdmin(hre, args, async (ctx) => ({
    description: `add relayer ${args.relayer}`,
    instructions: [await addRelayerInstruction({ admin: ctx.authority, relayer: publicKeyArgument(args.relayer, "relayer"), programId: ctx.shieldPool })],
  }));
}
