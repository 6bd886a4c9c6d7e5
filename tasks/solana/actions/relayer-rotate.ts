// `npx hardhat solana:relayer:rotate --relayer <old> --replacement <new>` (EP-002): removes then adds in
// one transaction, so a full list (16) can still be rotated and there is never a moment with both or neither.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { addRelayerInstruction, removeRelayerInstruction } from "@cloak/sdk/solana";
import { runSolanaAdmin, type SolanaAdminArguments } from "../lib/context.ts";
import { publicKeyArgument } from "../lib/deployment.ts";

export default async function solanaRelayerRotate(args: SolanaAdminArguments & { relayer: string; replacement: string }, hre: HardhatRuntimeEnvironment) {
  return runSolanaAdmin(hre, args, async (ctx) => ({
    description: `rotate relayer ${args.relayer} -> ${args.replacement}`,
    instructions: [
      await removeRelayerInstruction({ admin: ctx.authority, relayer: publicKeyArgument(args.relayer, "relayer"), programId: ctx.shieldPool }),
      await addRelayerInstruction({ admin: ctx.authority, relayer: publicKeyArgument(args.replacement, "replacement"), programId: ctx.shieldPool }),
    ],
  }));
}
