// `npx hardhat pause [--pool <name|address>]` (runbook EP-001): immediate, guardian role.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { orchestratorAddress, resolvePool, runAdminTask, type AdminTaskArguments } from "../lib/admin-task.ts";

export default async function pause(args: AdminTaskArguments & { pool: string }, hre: HardhatRuntimeEnvironment) {
  return runAdminTask(hre, args, async (ctx) => {
    const pool = args.pool ? resolvePool(ctx, args.pool) : undefined;
    const data = pool ? ctx.orchestrator.interface.encodeFunctionData("pause", [pool]) : ctx.orchestrator.interface.encodeFunctionData("pauseAll");
    return {
      description: pool ? `pause pool ${pool}` : "pause all pools",
      calls: [{ target: orchestratorAddress(ctx), value: 0n, data }],
      authority: { role: await ctx.orchestrator.GUARDIAN_ROLE() },
    };
  });
}
