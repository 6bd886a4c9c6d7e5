// `npx hardhat solana:verifier:delay --seconds <n>`: sets the key rotation delay (admin); the program refuses
// less than 48 hours (DelayTooShort). It applies to a pending proposal too.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { setVerifyingKeyDelayInstruction } from "@cloak/sdk/solana";
import { runSolanaAdmin, type SolanaAdminArguments } from "../lib/context.ts";
import { wholeNumber } from "../lib/numbers.ts";

export default async function solanaVerifierDelay(args: SolanaAdminArguments & { seconds: string }, hre: HardhatRuntimeEnvironment) {
  const seconds = wholeNumber(args.seconds, "seconds");
  return runSolanaAdmin(hre, args, async (ctx) => ({
    description: `set the verifying key rotation delay to ${seconds} s`,
    instructions: [await setVerifyingKeyDelayInstruction({ admin: ctx.authority, delaySeconds: seconds, programId: ctx.shieldPool })],
  }));
}
