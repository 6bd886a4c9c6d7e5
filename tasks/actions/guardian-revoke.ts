// `npx hardhat guardian:revoke --guardian <address> --via-safe`: takes GUARDIAN_ROLE from a key at once
// (GUARDIAN_REVOKER_ROLE, held by the Safe and the emergency timelock), so a leaked monitoring key cannot
// keep re-pausing the pools. It can only revoke, never grant.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { TaskError, TaskErrorCode } from "../lib/errors.ts";
import { orchestratorAddress, requireAddress, runAdminTask, type AdminTaskArguments } from "../lib/admin-task.ts";

export default async function guardianRevoke(args: AdminTaskArguments & { guardian: string }, hre: HardhatRuntimeEnvironment) {
  return runAdminTask(hre, args, async (ctx) => {
    const guardian = requireAddress(ctx, args.guardian, "guardian");
    if (!(await ctx.orchestrator.hasRole(await ctx.orchestrator.GUARDIAN_ROLE(), guardian))) {
      throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--guardian: ${guardian} holds no GUARDIAN_ROLE; nothing to revoke`);
    }
    return {
      description: `revoke guardian ${guardian}`,
      calls: [{ target: orchestratorAddress(ctx), value: 0n, data: ctx.orchestrator.interface.encodeFunctionData("revokeGuardian", [guardian]) }],
      authority: { role: await ctx.orchestrator.GUARDIAN_REVOKER_ROLE() },
    };
  });
}
