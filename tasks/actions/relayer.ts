// `npx hardhat relayer:add|remove|rotate` (runbook EP-002): immediate, relayer-manager role (the Safe).
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { orchestratorAddress, requireAddress, runAdminTask, type AdminTaskArguments } from "../lib/admin-task.ts";

export interface RelayerArguments extends AdminTaskArguments {
  relayer: string;
  replacement: string;
}

function relayerTask(action: "add" | "remove" | "rotate") {
  return async (args: RelayerArguments, hre: HardhatRuntimeEnvironment) =>
    runAdminTask(hre, args, async (ctx) => {
      const relayer = requireAddress(ctx, args.relayer, "relayer");
      const i = ctx.orchestrator.interface;
      const data =
        action === "add"
          ? i.encodeFunctionData("addRelayer", [relayer])
          : action === "remove"
            ? i.encodeFunctionData("removeRelayer", [relayer])
            : i.encodeFunctionData("rotateRelayer", [relayer, requireAddress(ctx, args.replacement, "replacement")]);
      return {
        description: action === "rotate" ? `rotate relayer ${relayer} -> ${args.replacement}` : `${action} relayer ${relayer}`,
        calls: [{ target: orchestratorAddress(ctx), value: 0n, data }],
        authority: { role: await ctx.orchestrator.RELAYER_MANAGER_ROLE() },
      };
    });
}

export const add = relayerTask("add");
export const remove = relayerTask("remove");
export const rotate = relayerTask("rotate");
