// `npx hardhat upgrade:execute --proxy <name>` (runbook UP-001, day 7): executes the proxy's scheduled
// upgrade once the standard delay has passed, and checks the proxy now runs the new implementation.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { adminContext, describeOutcome } from "../lib/admin.ts";
import { requireContract } from "../lib/deployment-file.ts";
import { TaskError, TaskErrorCode } from "../lib/errors.ts";
import { executeCall, listOperations, timelockAt } from "../lib/timelock.ts";

const IMPLEMENTATION_SLOT = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";

export default async function upgradeExecute(args: { proxy: string; from: string }, hre: HardhatRuntimeEnvironment) {
  const ctx = await adminContext(hre, args.from);
  const proxy = requireContract(ctx.record, args.proxy).address;
  const timelock = await timelockAt(ctx.ethers, requireContract(ctx.record, "StandardTimelock").address);
  const uups = new ctx.ethers.Interface(["function upgradeToAndCall(address newImplementation, bytes data)"]);
  const selector = uups.getFunction("upgradeToAndCall")!.selector;
  const op = (await listOperations(timelock)).find(
    (o) => (o.state === "pending" || o.state === "ready") && o.calls.some((c) => c.target.toLowerCase() === proxy.toLowerCase() && c.data.startsWith(selector)),
  );
  if (!op) throw new TaskError(TaskErrorCode.OPERATION_NOT_READY, `no upgrade of ${args.proxy} is scheduled (run upgrade:propose first)`);
  const now = BigInt((await ctx.ethers.provider.getBlock("latest"))!.timestamp);
  const call = await executeCall(timelock, op, now);
  const tx = await ctx.signer.sendTransaction({ to: call.target, data: call.data });
  await tx.wait();
  const implementation = ctx.ethers.getAddress(`0x${(await ctx.ethers.provider.getStorage(proxy, IMPLEMENTATION_SLOT)).slice(26)}`);
  const expected = uups.decodeFunctionData("upgradeToAndCall", op.calls[0]!.data)[0] as string;
  if (implementation !== ctx.ethers.getAddress(expected)) {
    throw new TaskError(TaskErrorCode.DEPLOYMENT_INVALID, `${args.proxy} runs ${implementation} after the upgrade, expected ${expected}`);
  }
  const entry = ctx.record.contracts[args.proxy]!;
  entry.details = { ...entry.details, implementation };
  console.log(`upgrade ${args.proxy}: ${describeOutcome({ kind: "executed", operationId: op.id, txHash: tx.hash })}; implementation ${implementation}`);
  return { operationId: op.id, txHash: tx.hash, implementation };
}
