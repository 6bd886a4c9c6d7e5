// `npx hardhat emergency:verifier --verifier <address> --via-safe`: the documented emergency path for a
// live exploit of the verifier (docs/governance.md). The security council Safe replaces the verifier at
// once, without the exit window, which the Orchestrator allows only while the global pause is on. The new
// verifier passes the same known-answer check as `verifier:rotate` first.
import { join } from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { TaskError, TaskErrorCode } from "../lib/errors.ts";
import { orchestratorAddress, requireAddress, runAdminTask, type AdminTaskArguments } from "../lib/admin-task.ts";
import { knownAnswerCheck } from "../lib/verifier-check.ts";

export default async function emergencyVerifier(args: AdminTaskArguments & { verifier: string; depth: number }, hre: HardhatRuntimeEnvironment) {
  return runAdminTask(hre, args, async (ctx) => {
    const verifier = requireAddress(ctx, args.verifier, "verifier");
    if (!(await ctx.orchestrator.allPaused())) {
      throw new TaskError(
        TaskErrorCode.INVALID_ARGUMENT,
        "the global pause is off: the council may replace the verifier only during an emergency (run `pause` first; the contract refuses with NotInEmergency)",
      );
    }
    const artifacts = join(hre.config.paths.root, "circuits", "artifacts", `transaction_${args.depth}`);
    await knownAnswerCheck(ctx.ethers, verifier, artifacts);
    console.log(`${verifier} accepts a real proof made with ${artifacts} and rejects it with any public signal altered`);
    return {
      description: `emergency verifier replacement by the security council: ${verifier}`,
      calls: [{ target: orchestratorAddress(ctx), value: 0n, data: ctx.orchestrator.interface.encodeFunctionData("emergencySetVerifier", [verifier]) }],
      authority: { role: await ctx.orchestrator.SECURITY_COUNCIL_ROLE(), safe: "SecurityCouncil" },
    };
  });
}
