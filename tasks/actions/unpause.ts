// `npx hardhat unpause [--pool <name|address>] [--execute]` (runbook RP-001): scheduled on the
// emergency timelock (6 h); `--execute` runs it once ready.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { orchestratorAddress, resolvePool, runAdminTask, type AdminTaskArguments } from "../lib/admin-task.ts";

export default async function unpause(args: AdminTaskArguments & { pool: string }, hre: HardhatRuntimeEnvironment) {
  return runAdminTask(hre, args, async (ctx) => {
    const pool = args.pool ? resolvePool(ctx, args.pool) : undefined;
    const data = pool ? ctx.orchestrator.interface.encodeFunctionData("unpause", [pool]) : ctx.orchestrator.interface.encodeFunctionData("unpauseAll");
    return {
      description: pool ? `unpause pool ${pool}` : "unpause all pools",
      calls: [{ target: orchestratorAddress(ctx), value: 0n, data }],
      authority: { timelock: "EmergencyTimelock" },
    };
  });
}
