// `npx hardhat rescue --token <erc20> --to <address> --amount <units> [--execute]` (runbook EP-004):
// returns tokens sent to the Orchestrator by mistake; a standard-timelock operation. The contract
// refuses pool assets, so this can never reach users' funds.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { TaskError, TaskErrorCode } from "../lib/errors.ts";
import { orchestratorAddress, requireAddress, runAdminTask, type AdminTaskArguments } from "../lib/admin-task.ts";

export default async function rescue(args: AdminTaskArguments & { token: string; to: string; amount: string }, hre: HardhatRuntimeEnvironment) {
  return runAdminTask(hre, args, async (ctx) => {
    if (!/^\d+$/.test(args.amount)) throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--amount: '${args.amount}' is not a whole number`);
    const token = requireAddress(ctx, args.token, "token");
    const to = requireAddress(ctx, args.to, "to");
    const assets = await Promise.all(
      (await ctx.orchestrator.pools()).map(async (pool) => (await ctx.ethers.getContractAt("ShieldPool", pool)).token()),
    );
    if (assets.some((asset) => asset.toLowerCase() === token.toLowerCase())) {
      throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--token: ${token} is a pool asset; pool funds can never be rescued`);
    }
    return {
      description: `rescue ${args.amount} of ${token} to ${to}`,
      calls: [{ target: orchestratorAddress(ctx), value: 0n, data: ctx.orchestrator.interface.encodeFunctionData("rescueTokens", [token, to, BigInt(args.amount)]) }],
      authority: { timelock: "StandardTimelock" },
    };
  });
}
