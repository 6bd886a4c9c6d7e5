// `npx hardhat health [--json] --network <net>`: the daily check of the runbook. One snapshot at the head
// block of everything an operator must see first: pauses and the exit window, who holds each Orchestrator
// role (and whether a holder is a plain key), the timelocks and what is queued in them, each pool's tree
// and balance, the relayer registry. Exit code 1 when a finding is critical (a pause, a privileged role
// held outside docs/governance.md's plan).
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { MaxUint256, ZeroAddress, ZeroHash, id, type Interface } from "ethers";
import { ROLE_NAMES } from "../lib/admin.ts";
import { loadDeployment } from "../lib/connection.ts";
import type { DeploymentRecord } from "../lib/deployment-file.ts";
import { raiseExitCode, toJson } from "../lib/output.ts";
import { fetchEvents, type ChainEvent } from "../lib/pool-events.ts";
import { assetBalance, assetInfo, formatAmount, labelOf, resolveStack, watchedOrchestrator, type Stack } from "../lib/stack.ts";

export interface HealthArguments {
  json: boolean;
}

export type Severity = "critical" | "warning";

export interface Finding {
  severity: Severity;
  message: string;
}

export interface Account {
  address: string;
  /** Its name in the deployment file, when it has one. */
  label?: string;
}

export interface RoleReport {
  role: string;
  roleId: string;
  holders: Array<Account & { plainKey: boolean }>;
}

export interface PendingCall {
  target: string;
  targetLabel?: string;
  value: bigint;
  data: string;
  /** The call as `name(args)` when the target's ABI is known. */
  decoded?: string;
}

export interface PendingOperation {
  id: string;
  calls: PendingCall[];
  /** Unix seconds from which the operation can be executed. */
  eta: number;
  state: "pending" | "ready";
}

export interface TimelockReport {
  label: string;
  address: string;
  minDelaySeconds: bigint;
  pending: PendingOperation[];
}

export interface PoolHealth {
  label: string;
  address: string;
  asset: string;
  /** Paused for any reason (its own switch or the global one): transact refuses. */
  paused: boolean;
  /** The pool's own switch, which stays on after a global unpause. */
  ownPause: boolean;
  lastRoot: string;
  nextLeafIndex: number;
  depositLimit: bigint;
  depositLimitText: string;
  balance: bigint;
  balanceText: string;
}

/** The Orchestrator's exit window (docs/governance.md): when a verifier rotation or an upgrade could run. */
export interface ExitWindowReport {
  exitWindowSeconds: bigint;
  /** Since when no pool has been paused; meaningful only while `open`. */
  unpausedSince: number;
  /** False while any pool is paused: no timelocked change can run, and the window restarts on unpause. */
  open: boolean;
  /** Unix seconds from which timelocked changes can run; null while closed. */
  changesExecutableAt: number | null;
  /** Pools paused now, by either switch. */
  pausedPools: string[];
}

export interface HealthReport {
  network: string;
  chainId: string;
  blockNumber: number;
  blockTimestamp: number;
  orchestrator: { address: string; verifier: string; allPaused: boolean };
  exitWindow: ExitWindowReport;
  pools: PoolHealth[];
  roles: RoleReport[];
  timelocks: TimelockReport[];
  relayers: Account[];
  findings: Finding[];
  status: "ok" | "warning" | "critical";
}

const ROLES = ROLE_NAMES;
type RoleName = (typeof ROLES)[number];

function roleId(role: RoleName): string {
  return role === "DEFAULT_ADMIN_ROLE" ? ZeroHash : id(role);
}

/**
 * docs/governance.md: who must hold the privileged roles. Anyone else holding them can bypass a timelock
 * or the exit window, so it is critical; the guardian role may have extra (monitoring) holders, so it is
 * not listed.
 */
const EXCLUSIVE_HOLDERS: Partial<Record<RoleName, readonly string[]>> = {
  DEFAULT_ADMIN_ROLE: ["StandardTimelock"],
  GOVERNOR_ROLE: ["StandardTimelock"],
  UPGRADER_ROLE: ["StandardTimelock"],
  UNPAUSER_ROLE: ["EmergencyTimelock"],
  RELAYER_MANAGER_ROLE: ["Safe"],
  GUARDIAN_REVOKER_ROLE: ["Safe", "EmergencyTimelock"],
  SECURITY_COUNCIL_ROLE: ["SecurityCouncil"],
};

/** A monitoring key may only pause, and the Safe revokes it at once: the one role a plain key may hold. */
const PLAIN_KEY_ALLOWED: readonly RoleName[] = ["GUARDIAN_ROLE"];

export default async function health({ json }: HealthArguments, hre: HardhatRuntimeEnvironment): Promise<HealthReport> {
  const { ethers, record, networkName, chainId } = await loadDeployment(hre);
  const provider = ethers.provider;
  // One block for every read, so the report is a consistent snapshot even while blocks keep coming.
  const blockNumber = await provider.getBlockNumber();
  const blockTag = blockNumber;
  const block = await provider.getBlock(blockNumber);
  const stack = await resolveStack(ethers, record, blockTag);
  const { orchestrator } = stack;
  const account = (address: string): Account => {
    const label = labelOf(record, address);
    return label ? { address, label } : { address };
  };

  const events = await fetchEvents(
    provider,
    [watchedOrchestrator(stack), ...stack.timelocks.map((t) => ({ label: t.label, address: t.address, iface: t.contract.interface }))],
    0,
    blockNumber,
  );
  const orchestratorEvents = events.filter((e) => e.address.toLowerCase() === stack.orchestratorAddress.toLowerCase());

  const allPaused = await orchestrator.allPaused({ blockTag });
  const verifier = await orchestrator.verifier({ blockTag });
  const ownPauses = ownPauseFromEvents(orchestratorEvents);
  const pools: PoolHealth[] = [];
  for (const pool of stack.pools) {
    const paused = await orchestrator.isPaused(pool.address, { blockTag });
    // With the global switch off, isPaused is exactly the pool's own switch; with it on, only the events tell.
    const ownPause = allPaused ? (ownPauses.get(pool.address.toLowerCase()) ?? false) : paused;
    const balance = await assetBalance(provider, pool.asset, pool.address, blockTag);
    const depositLimit = await orchestrator.depositLimit(pool.address, { blockTag });
    const info = await assetInfo(provider, pool.asset);
    pools.push({
      label: pool.label,
      address: pool.address,
      asset: pool.asset,
      paused,
      ownPause,
      lastRoot: await pool.contract.getLastRoot({ blockTag }),
      nextLeafIndex: Number(await pool.contract.nextLeafIndex({ blockTag })),
      depositLimit,
      depositLimitText: formatAmount(depositLimit, info),
      balance,
      balanceText: formatAmount(balance, info),
    });
  }

  const roles = await roleHolders(stack, orchestratorEvents, blockTag, account, async (address) => (await provider.getCode(address, blockTag)) === "0x");
  const timelocks = await timelockReports(stack, events, blockTag, account);
  const relayers = (await orchestrator.relayers({ blockTag })).map(account);
  const executableAt = await orchestrator.changesExecutableAt({ blockTag });
  const exitWindow: ExitWindowReport = {
    exitWindowSeconds: await orchestrator.EXIT_WINDOW({ blockTag }),
    unpausedSince: Number(await orchestrator.unpausedSince({ blockTag })),
    open: executableAt !== MaxUint256,
    changesExecutableAt: executableAt === MaxUint256 ? null : Number(executableAt),
    pausedPools: pools.filter((p) => p.paused).map((p) => p.label),
  };

  const findings = assess({
    record,
    allPaused,
    verifierHasCode: (await provider.getCode(verifier, blockTag)) !== "0x",
    verifier,
    pools,
    roles,
    timelocks,
    relayers,
    exitWindow,
  });
  const status = findings.some((f) => f.severity === "critical") ? "critical" : findings.length > 0 ? "warning" : "ok";
  const report: HealthReport = {
    network: networkName,
    chainId: chainId.toString(),
    blockNumber,
    blockTimestamp: block?.timestamp ?? 0,
    orchestrator: { address: stack.orchestratorAddress, verifier, allPaused },
    exitWindow,
    pools,
    roles,
    timelocks,
    relayers,
    findings,
    status,
  };

  if (json) console.log(toJson(report, 2));
  else printReport(report);
  if (status === "critical") raiseExitCode(1);
  return report;
}

/** Each pool's own switch as the last PoolPaused / PoolUnpaused event left it. */
function ownPauseFromEvents(events: readonly ChainEvent[]): Map<string, boolean> {
  const state = new Map<string, boolean>();
  for (const event of events) {
    if (event.name === "PoolPaused" || event.name === "PoolUnpaused") {
      state.set(String(event.values.pool).toLowerCase(), event.name === "PoolPaused");
    }
  }
  return state;
}

/** Candidates from RoleGranted/RoleRevoked, each confirmed with hasRole so a missed log cannot invent a holder. */
async function roleHolders(
  stack: Stack,
  events: readonly ChainEvent[],
  blockTag: number,
  account: (a: string) => Account,
  isPlainKey: (address: string) => Promise<boolean>,
): Promise<RoleReport[]> {
  const candidates = new Map<string, Set<string>>();
  for (const event of events) {
    if (event.name !== "RoleGranted" && event.name !== "RoleRevoked") continue;
    const role = String(event.values.role);
    const holder = String(event.values.account);
    const set = candidates.get(role) ?? new Set<string>();
    if (event.name === "RoleGranted") set.add(holder);
    else set.delete(holder);
    candidates.set(role, set);
  }
  const reports: RoleReport[] = [];
  for (const role of ROLES) {
    const rid = roleId(role);
    const holders: RoleReport["holders"] = [];
    for (const holder of candidates.get(rid) ?? []) {
      if (await stack.orchestrator.hasRole(rid, holder, { blockTag })) holders.push({ ...account(holder), plainKey: await isPlainKey(holder) });
    }
    reports.push({ role, roleId: rid, holders });
  }
  return reports;
}

async function timelockReports(stack: Stack, events: readonly ChainEvent[], blockTag: number, account: (a: string) => Account): Promise<TimelockReport[]> {
  // Governance calls target the Orchestrator, a pool (upgrades) or a timelock itself (updateDelay).
  const decoders: Interface[] = [stack.orchestrator.interface];
  if (stack.pools[0]) decoders.push(stack.pools[0].contract.interface);
  if (stack.timelocks[0]) decoders.push(stack.timelocks[0].contract.interface);
  const reports: TimelockReport[] = [];
  for (const timelock of stack.timelocks) {
    // A rescheduled id (same call, same salt, after a cancel) keeps only its latest calls.
    const scheduled = new Map<string, Map<number, PendingCall>>();
    for (const event of events) {
      if (event.address.toLowerCase() !== timelock.address.toLowerCase() || event.name !== "CallScheduled") continue;
      const opId = String(event.values.id);
      const calls = scheduled.get(opId) ?? new Map<number, PendingCall>();
      const target = String(event.values.target);
      const data = String(event.values.data);
      const named = account(target);
      const decoded = decodeCall(decoders, data);
      calls.set(Number(event.values.index as bigint), {
        target,
        ...(named.label ? { targetLabel: named.label } : {}),
        value: event.values.value as bigint,
        data,
        ...(decoded ? { decoded } : {}),
      });
      scheduled.set(opId, calls);
    }
    const pending: PendingOperation[] = [];
    for (const [opId, calls] of scheduled) {
      const state = Number(await timelock.contract.getOperationState(opId, { blockTag }));
      // OperationState: 0 Unset (never or cancelled), 1 Waiting, 2 Ready, 3 Done.
      if (state !== 1 && state !== 2) continue;
      pending.push({
        id: opId,
        calls: [...calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call),
        eta: Number(await timelock.contract.getTimestamp(opId, { blockTag })),
        state: state === 2 ? "ready" : "pending",
      });
    }
    pending.sort((a, b) => a.eta - b.eta);
    reports.push({ label: timelock.label, address: timelock.address, minDelaySeconds: await timelock.contract.getMinDelay({ blockTag }), pending });
  }
  return reports;
}

function decodeCall(decoders: readonly Interface[], data: string): string | undefined {
  for (const iface of decoders) {
    try {
      const parsed = iface.parseTransaction({ data });
      if (parsed) return `${parsed.name}(${parsed.args.map((a: unknown) => String(a)).join(", ")})`;
    } catch {
      // Not this ABI's selector (or malformed arguments): try the next one.
    }
  }
  return undefined;
}

function assess(input: {
  record: DeploymentRecord;
  allPaused: boolean;
  verifier: string;
  verifierHasCode: boolean;
  pools: PoolHealth[];
  roles: RoleReport[];
  timelocks: TimelockReport[];
  relayers: Account[];
  exitWindow: ExitWindowReport;
}): Finding[] {
  const findings: Finding[] = [];
  const critical = (message: string) => findings.push({ severity: "critical", message });
  const warning = (message: string) => findings.push({ severity: "warning", message });

  if (input.allPaused) critical("every pool is paused (global pause); resuming goes through the emergency timelock (RP-001)");
  for (const pool of input.pools) {
    if (pool.ownPause) critical(`${pool.label} is paused by its own switch`);
  }
  if (!input.verifierHasCode) critical(`the Orchestrator's verifier ${input.verifier} has no code: every transact reverts`);
  for (const role of input.roles) {
    const expectedNames = EXCLUSIVE_HOLDERS[role.role as RoleName];
    if (role.holders.length === 0) {
      (role.role === "DEFAULT_ADMIN_ROLE" ? critical : warning)(`${role.role} has no holder`);
      continue;
    }
    for (const holder of role.holders) {
      if (holder.plainKey && !PLAIN_KEY_ALLOWED.includes(role.role as RoleName)) {
        warning(`${role.role} is held by a plain key ${who(holder)}, not a Safe or timelock: one leaked key holds the power`);
      }
    }
    if (!expectedNames) continue;
    const expected = expectedNames.map((name) => ({ name, address: input.record.contracts[name]?.address?.toLowerCase() }));
    for (const holder of role.holders) {
      if (!expected.some((e) => e.address === holder.address.toLowerCase())) {
        critical(`${role.role} is held by ${who(holder)}; docs/governance.md gives it only to ${expectedNames.join(" and ")}`);
      }
    }
    for (const { name, address } of expected) {
      if (!role.holders.some((h) => h.address.toLowerCase() === address)) warning(`${role.role} is not held by ${name}${address ? ` (${address})` : " (not in the deployment file)"}`);
    }
  }
  const standard = input.timelocks.find((t) => t.label === "StandardTimelock");
  if (standard && standard.minDelaySeconds < input.exitWindow.exitWindowSeconds) {
    warning(
      `StandardTimelock's delay (${duration(standard.minDelaySeconds)}) is below the exit window (${duration(input.exitWindow.exitWindowSeconds)}): a verifier rotation or an upgrade can run before users have seen it coming for the whole window`,
    );
  }
  for (const timelock of input.timelocks) {
    for (const op of timelock.pending) {
      if (op.calls.some((c) => c.decoded?.startsWith("updateDelay("))) {
        warning(`${timelock.label} has a queued updateDelay (${op.id}): it changes how long every later operation is public before it runs`);
      }
    }
  }
  const pending = input.timelocks.reduce((n, t) => n + t.pending.length, 0);
  if (pending > 0) warning(`${pending} timelock operation(s) queued: check each is one the signers agreed to`);
  if (input.relayers.length === 0) warning("no relayer is registered: withdrawals through a relayer cannot be paid");
  return findings;
}

// ---------------------------------------------------------------- text report

function duration(seconds: bigint | number): string {
  const s = Number(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return [h ? `${h}h` : "", m ? `${m}m` : "", rest || (!h && !m) ? `${rest}s` : ""].filter(Boolean).join(" ");
}

function who(account: Account): string {
  return account.label ? `${account.label} (${account.address})` : account.address;
}

function printReport(report: HealthReport): void {
  const iso = (t: number) => new Date(t * 1000).toISOString();
  console.log(`Cloak health: network '${report.network}' (chain ${report.chainId}) at block ${report.blockNumber}, ${iso(report.blockTimestamp)}`);

  console.log("\nPause");
  console.log(`  global: ${report.orchestrator.allPaused ? "PAUSED" : "not paused"}`);
  for (const pool of report.pools) {
    const why = pool.ownPause && report.orchestrator.allPaused ? " (own switch and global)" : pool.ownPause ? " (own switch)" : pool.paused ? " (global)" : "";
    console.log(`  ${pool.label}: ${pool.paused ? `PAUSED${why}` : "not paused"}`);
  }

  const window = report.exitWindow;
  console.log(`\nExit window (${duration(window.exitWindowSeconds)} unpaused before any verifier rotation or upgrade)`);
  if (!window.open) {
    const what = report.orchestrator.allPaused ? "the global pause" : window.pausedPools.join(", ");
    console.log(`  CLOSED by ${what}: no verifier rotation or upgrade can run; the window restarts when the last pause lifts`);
  } else {
    const at = window.changesExecutableAt!;
    const state = at <= report.blockTimestamp ? "changes may run now" : `changes may run in ${duration(at - report.blockTimestamp)}`;
    console.log(`  open since ${iso(window.unpausedSince)}; timelocked changes executable from ${iso(at)} (${state})`);
  }

  console.log("\nPools");
  for (const pool of report.pools) {
    console.log(`  ${pool.label} ${pool.address}`);
    console.log(`    asset ${pool.asset === ZeroAddress ? "native" : pool.asset}, balance ${pool.balanceText}, deposit limit ${pool.depositLimitText}`);
    console.log(`    next leaf index ${pool.nextLeafIndex}, last root ${pool.lastRoot}`);
  }
  console.log(`  verifier ${report.orchestrator.verifier}`);

  console.log(`\nRoles (Orchestrator ${report.orchestrator.address})`);
  for (const role of report.roles) {
    const holders = role.holders.map((h) => `${who(h)}${h.plainKey ? " [plain key]" : ""}`);
    console.log(`  ${role.role.padEnd(22)} ${holders.length ? holders.join(", ") : "(none)"}`);
  }

  console.log("\nTimelocks");
  for (const timelock of report.timelocks) {
    console.log(`  ${timelock.label} ${timelock.address}: delay ${duration(timelock.minDelaySeconds)}, ${timelock.pending.length} queued`);
    for (const op of timelock.pending) {
      const when = op.state === "ready" ? "ready now" : `ready in ${duration(Math.max(0, op.eta - report.blockTimestamp))}`;
      console.log(`    ${op.id} ${op.state.toUpperCase()} ETA ${iso(op.eta)} (${when})`);
      for (const call of op.calls) {
        console.log(`      → ${call.targetLabel ?? call.target}: ${call.decoded ?? call.data}${call.value > 0n ? ` with value ${call.value}` : ""}`);
      }
    }
  }

  console.log(`\nRelayers (${report.relayers.length})`);
  for (const relayer of report.relayers) console.log(`  ${who(relayer)}`);

  console.log("\nFindings");
  if (report.findings.length === 0) console.log("  none");
  for (const finding of report.findings) console.log(`  ${finding.severity === "critical" ? "✖ CRITICAL" : "! WARNING "} ${finding.message}`);
  console.log(`\nStatus: ${report.status.toUpperCase()}`);
}
