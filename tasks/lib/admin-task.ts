// Shared plumbing of the admin tasks: their common options, the pool argument, and running a request.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { adminContext, describeOutcome, runAdmin, type AdminContext, type AdminOutcome, type AdminRequest } from "./admin.ts";
import { requireContract } from "./deployment-file.ts";
import { TaskError, TaskErrorCode } from "./errors.ts";
import { safeRoute, type SafeFlags } from "./safe-route.ts";

/** Options every admin task takes (declared once in tasks/index.ts). */
export interface AdminTaskArguments extends SafeFlags {
  from: string;
  viaSafe: boolean;
  execute: boolean;
  after: string;
}

/** A pool given as a deployment name ("native", a token address key) or an address. */
export function resolvePool(ctx: AdminContext, pool: string): string {
  if (ctx.ethers.isAddress(pool)) return ctx.ethers.getAddress(pool);
  const entry = ctx.record.contracts[`ShieldPool.${pool}`];
  if (!entry) {
    const known = Object.keys(ctx.record.contracts).filter((k) => k.startsWith("ShieldPool.") && k !== "ShieldPool.implementation");
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--pool: '${pool}' is neither an address nor a pool of this deployment (${known.join(", ")})`);
  }
  return entry.address;
}

export function requireAddress(ctx: AdminContext, value: string, field: string): string {
  if (!ctx.ethers.isAddress(value)) throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--${field}: '${value}' is not an address`);
  return ctx.ethers.getAddress(value);
}

export async function runAdminTask(
  hre: HardhatRuntimeEnvironment,
  args: AdminTaskArguments,
  build: (ctx: AdminContext) => Promise<AdminRequest>,
): Promise<AdminOutcome> {
  const ctx = await adminContext(hre, args.from);
  const request = await build(ctx);
  const outcome = await runAdmin(ctx, request, args, (calls, description, safe) => safeRoute(ctx, args, calls, description, safe));
  console.log(`${request.description}: ${describeOutcome(outcome)}`);
  return outcome;
}

export function orchestratorAddress(ctx: AdminContext): string {
  return requireContract(ctx.record, "Orchestrator").address;
}

/** The security council acts only during the global pause; say so before a Safe proposal is written. */
export async function requireGlobalPause(ctx: AdminContext, action: string, refusedBy: string): Promise<void> {
  if (await ctx.orchestrator.allPaused()) return;
  throw new TaskError(
    TaskErrorCode.INVALID_ARGUMENT,
    `the global pause is off: the council may ${action} only during an emergency (run \`pause\` first; ${refusedBy} with NotInEmergency)`,
  );
}
