// `npx hardhat solana:registry:update [--min-difficulty n] [--max-difficulty n] [--target-interval-slots n]
// [--miner-fee-share-bps n] [--reveal-window-slots n] [--claim-window-slots n] [--max-consumptions n]
// [--consumer-authority key]`: retunes the scramble registry (its admin). What is left out keeps its current
// value; the live difficulty is kept, clamped into the new bounds by the program.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { fetchRegistry, updateRegistryParamsInstruction, type RegistryParams } from "@cloak/sdk/solana";
import { TaskError, TaskErrorCode } from "../../lib/errors.ts";
import { runSolanaAdmin, type SolanaAdminArguments } from "../lib/context.ts";
import { publicKeyArgument } from "../lib/deployment.ts";
import { wholeNumberOr } from "../lib/numbers.ts";

export interface RegistryUpdateArguments extends SolanaAdminArguments {
  minDifficulty: string;
  maxDifficulty: string;
  targetIntervalSlots: string;
  minerFeeShareBps: string;
  revealWindowSlots: string;
  claimWindowSlots: string;
  maxConsumptions: string;
  consumerAuthority: string;
}

export default async function solanaRegistryUpdate(args: RegistryUpdateArguments, hre: HardhatRuntimeEnvironment) {
  return runSolanaAdmin(hre, args, async (ctx) => {
    const registry = await fetchRegistry(ctx.cluster.connection, { programId: ctx.registryProgram });
    if (!registry) throw new TaskError(TaskErrorCode.STATE_UNAVAILABLE, `the registry ${ctx.record.accounts.registry} does not exist on the cluster`);
    const minDifficulty = wholeNumberOr(args.minDifficulty, "min-difficulty", registry.minDifficulty);
    const maxDifficulty = wholeNumberOr(args.maxDifficulty, "max-difficulty", registry.maxDifficulty);
    const clamp = (value: bigint) => (value < minDifficulty ? minDifficulty : value > maxDifficulty ? maxDifficulty : value);
    const params: RegistryParams = {
      consumerAuthority: args.consumerAuthority.trim() ? publicKeyArgument(args.consumerAuthority, "consumer-authority") : registry.consumerAuthority,
      // update_params validates initial_difficulty and otherwise keeps the live one: pass the live one, clamped.
      initialDifficulty: clamp(registry.difficulty),
      minDifficulty,
      maxDifficulty,
      targetIntervalSlots: wholeNumberOr(args.targetIntervalSlots, "target-interval-slots", registry.targetIntervalSlots),
      minerFeeShareBps: Number(wholeNumberOr(args.minerFeeShareBps, "miner-fee-share-bps", BigInt(registry.minerFeeShareBps))),
      revealWindowSlots: wholeNumberOr(args.revealWindowSlots, "reveal-window-slots", registry.revealWindowSlots),
      claimWindowSlots: wholeNumberOr(args.claimWindowSlots, "claim-window-slots", registry.claimWindowSlots),
      maxConsumptions: Number(wholeNumberOr(args.maxConsumptions, "max-consumptions", BigInt(registry.maxConsumptions))),
    };
    const changed = (Object.keys(params) as (keyof RegistryParams)[])
      .filter((name): name is Exclude<keyof RegistryParams, "initialDifficulty"> => name !== "initialDifficulty")
      .filter((name) => String(params[name]) !== String(registry[name]))
      .map((name) => `${name} ${String(registry[name])} -> ${String(params[name])}`);
    return {
      description: `update the registry (${changed.length ? changed.join(", ") : "no change"})`,
      instructions: [await updateRegistryParamsInstruction({ admin: ctx.authority, params, programId: ctx.registryProgram })],
    };
  });
}
