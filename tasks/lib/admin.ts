// How every admin task reaches the chain. A task describes WHAT (the calls on the Orchestrator or a
// pool) and WHO may do it (a role held directly, or a timelock); this module decides HOW: sent by the
// operator's key, scheduled on / executed from a timelock, or wrapped into a Safe proposal (--via-safe).
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { Orchestrator } from "../../types/ethers-contracts/index.js";
import { loadDeployment } from "./connection.ts";
import { requireContract, type DeploymentRecord } from "./deployment-file.ts";
import { TaskError, TaskErrorCode } from "./errors.ts";
import { executeCall, explicitPredecessor, findOpenOperation, operationId, operationSalt, predecessorFor, scheduleCall, timelockAt, type Call } from "./timelock.ts";

export type TimelockName = "StandardTimelock" | "EmergencyTimelock";

export interface AdminRequest {
  /** One line for logs, the Safe proposal and the timelock salt. */
  description: string;
  calls: Call[];
  /**
   * A role the caller holds itself (immediate), or the timelock that holds it (delayed). `safe` names the
   * Safe that holds the role for --via-safe: the governing Safe unless it is the security council's.
   */
  authority: { role: string; safe?: SafeName } | { timelock: TimelockName };
}

/** The deployment's Safes: the governing one, and the security council (docs/governance.md). */
export type SafeName = "Safe" | "SecurityCouncil";

export interface AdminFlags {
  /** Operator account; defaults to the network's first configured account. */
  from: string;
  viaSafe: boolean;
  /** For timelocked actions: execute the scheduled operation instead of scheduling it. */
  execute: boolean;
  /**
   * For scheduling a timelocked action: the id of an operation on the same timelock that must execute
   * first (its predecessor). Empty: the latest open operation changing the same setting, if any.
   */
  after: string;
}

export type AdminOutcome =
  | { kind: "sent"; txHashes: string[] }
  | { kind: "scheduled"; operationId: string; predecessor: string; eta: bigint; txHash: string }
  | { kind: "executed"; operationId: string; txHash: string }
  | { kind: "safe"; path: string; safeTxHash: string; signatures: number; description: string };

/** Hands calls to the Safe layer (tasks/lib/safe-route.ts) when --via-safe is given. */
export type SafeRoute = (calls: Call[], description: string, safe: SafeName) => Promise<AdminOutcome>;

export interface AdminContext {
  hre: HardhatRuntimeEnvironment;
  ethers: HardhatEthers;
  record: DeploymentRecord;
  orchestrator: Orchestrator;
  signer: HardhatEthersSigner;
}

export async function adminContext(hre: HardhatRuntimeEnvironment, from: string): Promise<AdminContext> {
  const { ethers, record } = await loadDeployment(hre);
  const signers = await ethers.getSigners();
  const signer = from ? signers.find((s) => s.address.toLowerCase() === from.toLowerCase()) : signers[0];
  if (!signer) {
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, from ? `--from ${from} is not an account configured for this network` : "no account is configured for this network (set PRIVATE_KEY)");
  }
  const orchestrator = await ethers.getContractAt("Orchestrator", requireContract(record, "Orchestrator").address);
  return { hre, ethers, record, orchestrator, signer };
}

/** Names of the Orchestrator's roles, for messages. */
export const ROLE_NAMES = [
  "DEFAULT_ADMIN_ROLE",
  "GOVERNOR_ROLE",
  "UPGRADER_ROLE",
  "GUARDIAN_ROLE",
  "UNPAUSER_ROLE",
  "RELAYER_MANAGER_ROLE",
  "GUARDIAN_REVOKER_ROLE",
  "SECURITY_COUNCIL_ROLE",
] as const;

/** Current holders of `role`, from RoleGranted/RoleRevoked events. */
export async function roleHolders(orchestrator: Orchestrator, role: string): Promise<string[]> {
  const holders = new Set<string>();
  const granted = await orchestrator.queryFilter(orchestrator.filters.RoleGranted(role), 0);
  const revoked = await orchestrator.queryFilter(orchestrator.filters.RoleRevoked(role), 0);
  const events = [...granted.map((e) => ({ e, add: true })), ...revoked.map((e) => ({ e, add: false }))].sort(
    (a, b) => a.e.blockNumber - b.e.blockNumber || a.e.index - b.e.index,
  );
  for (const { e, add } of events) (add ? holders.add(e.args.account) : holders.delete(e.args.account));
  return [...holders];
}

async function requireRole(ctx: AdminContext, role: string, account: string): Promise<void> {
  if (await ctx.orchestrator.hasRole(role, account)) return;
  const name = (await Promise.all(ROLE_NAMES.map(async (n) => [n, await ctx.orchestrator[n]()] as const))).find(([, id]) => id === role)?.[0] ?? role;
  const holders = await roleHolders(ctx.orchestrator, role);
  throw new TaskError(
    TaskErrorCode.MISSING_ROLE,
    `${account} lacks ${name} on the Orchestrator; it is held by ${holders.join(", ") || "nobody"}${
      holders.some((h) => [ctx.record.contracts.Safe?.address, ctx.record.contracts.SecurityCouncil?.address].includes(h)) ? " (use --via-safe)" : ""
    }`,
  );
}

async function send(ctx: AdminContext, calls: Call[]): Promise<string[]> {
  const hashes: string[] = [];
  for (const call of calls) {
    const tx = await ctx.signer.sendTransaction({ to: call.target, data: call.data, value: call.value });
    await tx.wait();
    hashes.push(tx.hash);
  }
  return hashes;
}

export async function runAdmin(ctx: AdminContext, request: AdminRequest, flags: AdminFlags, viaSafe: SafeRoute): Promise<AdminOutcome> {
  if ("role" in request.authority) {
    if (flags.execute) throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, "--execute applies to timelocked actions only");
    if (flags.after) throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--after: ${request.description} takes effect at once; only timelocked actions have a predecessor`);
    if (flags.viaSafe) return viaSafe(request.calls, request.description, request.authority.safe ?? "Safe");
    await requireRole(ctx, request.authority.role, ctx.signer.address);
    return { kind: "sent", txHashes: await send(ctx, request.calls) };
  }

  const timelock = await timelockAt(ctx.ethers, requireContract(ctx.record, request.authority.timelock).address);
  if (flags.execute) {
    if (flags.after) {
      throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, "--after applies when scheduling; --execute runs the operation with the predecessor it was scheduled with");
    }
    const op = await findOpenOperation(timelock, request.calls);
    if (!op) throw new TaskError(TaskErrorCode.OPERATION_NOT_READY, `nothing is scheduled on the ${request.authority.timelock} for: ${request.description}`);
    const now = BigInt((await ctx.ethers.provider.getBlock("latest"))!.timestamp);
    const [txHash] = await send(ctx, [await executeCall(timelock, op, now)]);
    return { kind: "executed", operationId: op.id, txHash: txHash! };
  }
  const nonce = BigInt(await ctx.ethers.provider.getBlockNumber());
  const salt = operationSalt(ctx.ethers, request.description, nonce);
  const predecessor = flags.after
    ? await explicitPredecessor(timelock, request.authority.timelock, request.calls, flags.after)
    : await predecessorFor(timelock, request.calls);
  const schedule = await scheduleCall(timelock, request.calls, salt, predecessor);
  if (flags.viaSafe) return viaSafe([schedule], `schedule on ${request.authority.timelock}: ${request.description}`, "Safe");
  if (!(await timelock.hasRole(await timelock.PROPOSER_ROLE(), ctx.signer.address))) {
    throw new TaskError(TaskErrorCode.MISSING_ROLE, `${ctx.signer.address} cannot propose to the ${request.authority.timelock}; its proposer is the Safe (use --via-safe)`);
  }
  const [txHash] = await send(ctx, [schedule]);
  const id = await operationId(timelock, request.calls, predecessor, salt);
  return { kind: "scheduled", operationId: id, predecessor, eta: await timelock.getTimestamp(id), txHash: txHash! };
}

export function describeOutcome(outcome: AdminOutcome): string {
  switch (outcome.kind) {
    case "sent":
      return `sent: ${outcome.txHashes.join(", ")}`;
    case "scheduled":
      return `scheduled operation ${outcome.operationId}; executable from ${new Date(Number(outcome.eta) * 1000).toISOString()}${
        /^0x0+$/.test(outcome.predecessor) ? "" : `, after operation ${outcome.predecessor}`
      } (tx ${outcome.txHash})`;
    case "executed":
      return `executed operation ${outcome.operationId} (tx ${outcome.txHash})`;
    case "safe":
      return `Safe proposal ${outcome.safeTxHash} with ${outcome.signatures} signature(s) written to ${outcome.path}; co-sign with safe:sign, run with safe:execute`;
  }
}
