// `npx hardhat solana:pow:set --required <true|false>`: whether every transact paying a fee must consume a
// scramble-registry claim (admin). Turning it off is also the recovery when the registry is lost or hostile.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { setPowRequiredInstruction } from "@cloak/sdk/solana";
import { runSolanaAdmin, type SolanaAdminArguments } from "../lib/context.ts";
import { booleanArgument } from "../lib/numbers.ts";

export default async function solanaPowSet(args: SolanaAdminArguments & { required: string }, hre: HardhatRuntimeEnvironment) {
  const powRequired = booleanArgument(args.required, "required");
  return runSolanaAdmin(hre, args, async (ctx) => ({
    description: `${powRequired ? "require" : "stop requiring"} a PoW claim for relayed transacts`,
    instructions: [await setPowRequiredInstruction({ admin: ctx.authority, powRequired, programId: ctx.shieldPool })],
  }));
}
