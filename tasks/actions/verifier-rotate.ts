// `npx hardhat verifier:rotate --verifier <address> [--depth 20] [--execute]` (runbook EP-003): after a
// known-answer check (the new verifier accepts a real proof made with its key's artifacts and rejects
// it with any one public signal altered), scheduled on the standard timelock (48 h); proofs under the
// old key keep working until the operation executes.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { TaskError, TaskErrorCode } from "../lib/errors.ts";
import { orchestratorAddress, requireAddress, runAdminTask, type AdminTaskArguments } from "../lib/admin-task.ts";
import { checkVerifierForDepth } from "../lib/verifier-check.ts";

export default async function verifierRotate(args: AdminTaskArguments & { verifier: string; depth: number }, hre: HardhatRuntimeEnvironment) {
  return runAdminTask(hre, args, async (ctx) => {
    const verifier = requireAddress(ctx, args.verifier, "verifier");
    if ((await ctx.ethers.provider.getCode(verifier)) === "0x") {
      throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--verifier: ${verifier} has no code; deploy the exported verifier first`);
    }
    // Executing an operation that already passed the check needs no new proof.
    if (!args.execute) {
      await checkVerifierForDepth(ctx.ethers, hre.config.paths.root, verifier, args.depth);
    }
    return {
      description: `rotate verifier to ${verifier}`,
      calls: [{ target: orchestratorAddress(ctx), value: 0n, data: ctx.orchestrator.interface.encodeFunctionData("setVerifier", [verifier]) }],
      authority: { timelock: "StandardTimelock" },
    };
  });
}
