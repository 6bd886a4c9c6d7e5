// `npx hardhat verifier:rotate --verifier <address> [--execute]` (runbook EP-003): scheduled on the
// standard timelock (48 h); proofs under the old key keep working until the operation executes.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { TaskError, TaskErrorCode } from "../lib/errors.ts";
import { orchestratorAddress, requireAddress, runAdminTask, type AdminTaskArguments } from "../lib/admin-task.ts";

export default async function verifierRotate(args: AdminTaskArguments & { verifier: string }, hre: HardhatRuntimeEnvironment) {
  return runAdminTask(hre, args, async (ctx) => {
    const verifier = requireAddress(ctx, args.verifier, "verifier");
    if ((await ctx.ethers.provider.getCode(verifier)) === "0x") {
      throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--verifier: ${verifier} has no code; deploy the exported verifier first`);
    }
    return {
      description: `rotate verifier to ${verifier}`,
      calls: [{ target: orchestratorAddress(ctx), value: 0n, data: ctx.orchestrator.interface.encodeFunctionData("setVerifier", [verifier]) }],
      authority: { timelock: "StandardTimelock" },
    };
  });
}
