// `npx hardhat solana:registry:admin:accept -k <pending admin keypair>`: the proposed admin takes over the registry.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { acceptRegistryAdminInstruction } from "@cloak/sdk/solana";
import { runSolanaAdmin, type SolanaAdminArguments } from "../lib/context.ts";

export default async function solanaRegistryAdminAccept(args: SolanaAdminArguments, hre: HardhatRuntimeEnvironment) {
  return runSolanaAdmin(hre, args, async (ctx) => ({
    description: "accept the registry admin role",
    instructions: [await acceptRegistryAdminInstruction({ pendingAdmin: ctx.authority, programId: ctx.registryProgram })],
  }));
}
