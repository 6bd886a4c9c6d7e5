// `npx hardhat upgrade:propose --proxy <name> --impl <Contract> [--via-safe]` (runbook UP-001, day 1):
// checks storage-layout compatibility, deploys the implementation and schedules upgradeToAndCall on
// the standard timelock (48 h).
import { Interface } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { runAdminTask, type AdminTaskArguments } from "../lib/admin-task.ts";
import { requireContract } from "../lib/deployment-file.ts";
import { currentContractName, prepareImplementation } from "../lib/upgrades.ts";

const UUPS = new Interface(["function upgradeToAndCall(address newImplementation, bytes data)"]);

export interface UpgradeArguments extends AdminTaskArguments {
  proxy: string;
  impl: string;
}

export default async function upgradePropose(args: UpgradeArguments, hre: HardhatRuntimeEnvironment) {
  return runAdminTask(hre, { ...args, execute: false }, async (ctx) => {
    const proxy = requireContract(ctx.record, args.proxy).address;
    const implementation = await prepareImplementation(hre, proxy, currentContractName(ctx.record, args.proxy), args.impl);
    console.log(`${args.impl} is storage-compatible; implementation at ${implementation}`);
    return {
      description: `upgrade ${args.proxy} to ${args.impl} (${implementation})`,
      calls: [{ target: proxy, value: 0n, data: UUPS.encodeFunctionData("upgradeToAndCall", [implementation, "0x"]) }],
      authority: { timelock: "StandardTimelock" as const },
    };
  });
}
