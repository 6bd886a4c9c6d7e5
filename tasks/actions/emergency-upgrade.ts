// `npx hardhat emergency:upgrade --proxy <name> --impl <Contract> --via-safe`: the security council's
// emergency upgrade (docs/governance.md, EP-005): after the same storage-layout check as
// upgrade:propose, the council Safe calls upgradeToAndCall on the proxy at once, without the exit
// window, which the Orchestrator and the pools allow only while the global pause is on.
import { Interface } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { requireGlobalPause, runAdminTask } from "../lib/admin-task.ts";
import { requireContract } from "../lib/deployment-file.ts";
import { currentContractName, prepareImplementation } from "../lib/upgrades.ts";
import type { UpgradeArguments } from "./upgrade-propose.ts";

const UUPS = new Interface(["function upgradeToAndCall(address newImplementation, bytes data)"]);

export default async function emergencyUpgrade(args: UpgradeArguments, hre: HardhatRuntimeEnvironment) {
  return runAdminTask(hre, { ...args, execute: false }, async (ctx) => {
    await requireGlobalPause(ctx, "upgrade", "the contracts refuse");
    const proxy = requireContract(ctx.record, args.proxy).address;
    const implementation = await prepareImplementation(hre, proxy, currentContractName(ctx.record, args.proxy), args.impl);
    console.log(`${args.impl} is storage-compatible; implementation at ${implementation}`);
    return {
      description: `emergency upgrade by the security council: ${args.proxy} to ${args.impl} (${implementation})`,
      calls: [{ target: proxy, value: 0n, data: UUPS.encodeFunctionData("upgradeToAndCall", [implementation, "0x"]) }],
      authority: { role: await ctx.orchestrator.SECURITY_COUNCIL_ROLE(), safe: "SecurityCouncil" },
    };
  });
}
