// `npx hardhat solana:council:accept -k <pending council keypair>`: the proposed security council takes over.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { acceptSecurityCouncilInstruction } from "@cloak/sdk/solana";
import { runSolanaAdmin, type SolanaAdminArguments } from "../lib/context.ts";

export default async function solanaCouncilAccept(args: SolanaAdminArguments, hre: HardhatRuntimeEnvironment) {
  return runSolanaAdmin(hre, args, async (ctx) => ({
    description: "accept the security council role",
    instructions: [await acceptSecurityCouncilInstruction({ pendingSecurityCouncil: ctx.authority, programId: ctx.shieldPool })],
  }));
}
