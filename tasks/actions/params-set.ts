// `npx hardhat params:set --pool <name|address> --deposit-limit <units> [--execute]`: a timelocked
// parameter change (standard timelock, 48 h).
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { TaskError, TaskErrorCode } from "../lib/errors.ts";
import { orchestratorAddress, resolvePool, runAdminTask, type AdminTaskArguments } from "../lib/admin-task.ts";

export default async function paramsSet(args: AdminTaskArguments & { pool: string; depositLimit: string }, hre: HardhatRuntimeEnvironment) {
  return runAdminTask(hre, args, async (ctx) => {
    if (!/^\d+$/.test(args.depositLimit)) throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--deposit-limit: '${args.depositLimit}' is not a whole number`);
    const pool = resolvePool(ctx, args.pool);
    return {
      description: `set deposit limit of ${pool} to ${args.depositLimit}`,
      calls: [{ target: orchestratorAddress(ctx), value: 0n, data: ctx.orchestrator.interface.encodeFunctionData("setDepositLimit", [pool, BigInt(args.depositLimit)]) }],
      authority: { timelock: "StandardTimelock" },
    };
  });
}
