// `npx hardhat solana:admin:accept -k <pending admin keypair>`: the proposed admin takes over the shield pool.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { acceptAdminInstruction } from "@cloak/sdk/solana";
import { runSolanaAdmin, type SolanaAdminArguments } from "../lib/context.ts";

export default async function solanaAdminAccept(args: SolanaAdminArguments, hre: HardhatRuntimeEnvironment) {
  return runSolanaAdmin(hre, args, async (ctx) => ({
    description: "accept the shield pool admin role",
    instructions: [await acceptAdminInstruction({ pendingAdmin: ctx.authority, programId: ctx.shieldPool })],
  }));
}
