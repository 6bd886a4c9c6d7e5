// `npx hardhat emergency:verifier --verifier <address> --via-safe`: the documented emergency path for a
// live exploit of the verifier (docs/governance.md). The security council Safe replaces the verifier at
// once, without the exit window, which the Orchestrator allows only while the global pause is on. The new
// verifier passes the same known-answer check as `verifier:rotate` first.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { orchestratorAddress, requireAddress, requireGlobalPause, runAdminTask, type AdminTaskArguments } from "../lib/admin-task.ts";
import { checkVerifierForDepth } from "../lib/verifier-check.ts";

export default async function emergencyVerifier(args: AdminTaskArguments & { verifier: string; depth: number }, hre: HardhatRuntimeEnvironment) {
  return runAdminTask(hre, args, async (ctx) => {
    const verifier = requireAddress(ctx, args.verifier, "verifier");
    await requireGlobalPause(ctx, "replace the verifier", "the contract refuses");
    await checkVerifierForDepth(ctx.ethers, hre.config.paths.root, verifier, args.depth);
    return {
      description: `emergency verifier replacement by the security council: ${verifier}`,
      calls: [{ target: orchestratorAddress(ctx), value: 0n, data: ctx.orchestrator.interface.encodeFunctionData("emergencySetVerifier", [verifier]) }],
      authority: { role: await ctx.orchestrator.SECURITY_COUNCIL_ROLE(), safe: "SecurityCouncil" },
    };
  });
}
