// Reading and driving the OpenZeppelin TimelockControllers: what is scheduled, when it is ready, and
// the schedule/execute calls for an operation. The chain's events are the source of truth, so an
// operation scheduled by another operator (or through the Safe UI) is found the same way.
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { TimelockController } from "../../types/ethers-contracts/index.js";
import { TaskError, TaskErrorCode } from "./errors.ts";

export interface Call {
  target: string;
  value: bigint;
  data: string;
}

export type OperationState = "pending" | "ready" | "done" | "cancelled";

export interface Operation {
  id: string;
  timelock: string;
  calls: Call[];
  predecessor: string;
  salt: string;
  /** Unix seconds at which it becomes executable. */
  eta: bigint;
  state: OperationState;
}

const STATE_BY_CODE: Record<number, OperationState | undefined> = { 1: "pending", 2: "ready", 3: "done" };
const ZERO_HASH = `0x${"0".repeat(64)}`;

export async function timelockAt(ethers: HardhatEthers, address: string): Promise<TimelockController> {
  return ethers.getContractAt("TimelockController", address);
}

/** A salt that makes repeated, identical operations distinct (e.g. a second unpause months later). */
export function operationSalt(ethers: HardhatEthers, description: string, nonce: bigint): string {
  return ethers.solidityPackedKeccak256(["string", "uint256"], [description, nonce]);
}

/** The call the Safe (a proposer) makes to schedule `calls` as one operation, runnable only after `predecessor`. */
export async function scheduleCall(timelock: TimelockController, calls: Call[], salt: string, predecessor: string = ZERO_HASH, delay?: bigint): Promise<Call> {
  const minDelay = delay ?? (await timelock.getMinDelay());
  const data =
    calls.length === 1
      ? timelock.interface.encodeFunctionData("schedule", [calls[0]!.target, calls[0]!.value, calls[0]!.data, predecessor, salt, minDelay])
      : timelock.interface.encodeFunctionData("scheduleBatch", [
          calls.map((c) => c.target),
          calls.map((c) => c.value),
          calls.map((c) => c.data),
          predecessor,
          salt,
          minDelay,
        ]);
  return { target: await timelock.getAddress(), value: 0n, data };
}

/** The id the timelock gives `calls` scheduled with this predecessor and salt. */
export async function operationId(timelock: TimelockController, calls: Call[], predecessor: string, salt: string): Promise<string> {
  return calls.length === 1
    ? timelock.hashOperation(calls[0]!.target, calls[0]!.value, calls[0]!.data, predecessor, salt)
    : timelock.hashOperationBatch(calls.map((c) => c.target), calls.map((c) => c.value), calls.map((c) => c.data), predecessor, salt);
}

/** A call's target and function: two operations that share one change the same setting (or proxy). */
function callKey(call: Call): string {
  return `${call.target.toLowerCase()}:${call.data.slice(0, 10)}`;
}

/**
 * The predecessor a new operation must name: the latest still-open operation on this timelock that
 * calls the same function on the same contract (a second verifier rotation, a second upgrade of one
 * proxy, a second limit change). Run in the other order, the older one would undo the newer (an upgrade
 * to V3 followed by the stale one to V2 is a downgrade); with the predecessor set, the timelock refuses
 * to run the newer one first (TimelockUnexecutedPredecessor), whoever executes. The zero hash when
 * nothing open conflicts.
 */
export async function predecessorFor(timelock: TimelockController, calls: Call[]): Promise<string> {
  const keys = new Set(calls.map(callKey));
  const open = (await listOperations(timelock)).filter((op) => (op.state === "pending" || op.state === "ready") && op.calls.some((c) => keys.has(callKey(c))));
  return open.at(-1)?.id ?? ZERO_HASH;
}

/** An operation id as the timelock computes it: keccak256, 32 bytes in hex. */
const OPERATION_ID = /^0x[0-9a-fA-F]{64}$/;

/**
 * The predecessor of a new operation when the operator names one with `--after`: an operation the new
 * one depends on although it calls another function (a grantRole before an action of the new role, an
 * upgrade before a call to the new implementation), which predecessorFor cannot see. It must be an id
 * scheduled on this same timelock (a predecessor elsewhere would never count as done here). A timelock
 * operation has one predecessor, so an open change of the same setting must come before `after` in
 * its chain of predecessors; otherwise the new operation could overtake it and is refused.
 */
export async function explicitPredecessor(timelock: TimelockController, timelockName: string, calls: Call[], after: string): Promise<string> {
  if (!OPERATION_ID.test(after)) {
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--after: '${after}' is not an operation id (0x followed by 64 hex digits, as upgrade:status lists them)`);
  }
  const operations = await listOperations(timelock);
  const byId = new Map(operations.map((op) => [op.id.toLowerCase(), op]));
  const named = byId.get(after.toLowerCase());
  if (!named || named.state === "cancelled") {
    throw new TaskError(
      TaskErrorCode.INVALID_ARGUMENT,
      `--after: operation ${after} is ${named ? "cancelled" : "not scheduled"} on the ${timelockName}; a predecessor must be an operation of the same timelock (upgrade:status lists them)`,
    );
  }
  const sameSetting = await predecessorFor(timelock, calls);
  let link: Operation | undefined = named;
  while (link && link.id !== sameSetting) link = byId.get(link.predecessor.toLowerCase());
  if (sameSetting !== ZERO_HASH && !link) {
    throw new TaskError(
      TaskErrorCode.INVALID_ARGUMENT,
      `--after: operation ${sameSetting} changes the same setting and is still open, but ${after} does not wait for it; the new operation could run before it (schedule after ${sameSetting}'s chain, or cancel it)`,
    );
  }
  return named.id;
}

/** Every operation the timelock has seen, with its current state, from its events. */
export async function listOperations(timelock: TimelockController): Promise<Operation[]> {
  const address = await timelock.getAddress();
  const scheduled = await timelock.queryFilter(timelock.filters.CallScheduled(), 0);
  const salts = new Map((await timelock.queryFilter(timelock.filters.CallSalt(), 0)).map((e) => [e.args.id, e.args.salt]));
  // An id can be scheduled again after a cancellation; only its latest scheduling describes it.
  const latest = new Map<string, string>();
  for (const event of scheduled) latest.set(event.args.id, event.transactionHash);
  const byId = new Map<string, Operation>();
  for (const event of scheduled) {
    const { id, target, value, data, predecessor } = event.args;
    if (latest.get(id) !== event.transactionHash) continue;
    let op = byId.get(id);
    if (!op) {
      op = { id, timelock: address, calls: [], predecessor, salt: salts.get(id) ?? ZERO_HASH, eta: 0n, state: "pending" };
      byId.set(id, op);
    }
    op.calls.push({ target, value, data });
  }
  for (const op of byId.values()) {
    op.eta = await timelock.getTimestamp(op.id);
    // A cancelled operation's timestamp is deleted, so the contract reports it as unset.
    op.state = STATE_BY_CODE[Number(await timelock.getOperationState(op.id))] ?? "cancelled";
  }
  return [...byId.values()];
}

/** The not-yet-executed operation whose calls are exactly `calls`, if any. */
export async function findOpenOperation(timelock: TimelockController, calls: Call[]): Promise<Operation | undefined> {
  const same = (a: Call[], b: Call[]) =>
    a.length === b.length && a.every((c, i) => c.target.toLowerCase() === b[i]!.target.toLowerCase() && c.data === b[i]!.data && c.value === b[i]!.value);
  return (await listOperations(timelock)).find((op) => (op.state === "pending" || op.state === "ready") && same(op.calls, calls));
}

/** The execute call for a ready operation; explains when it will be ready otherwise. */
export async function executeCall(timelock: TimelockController, op: Operation, now: bigint): Promise<Call> {
  if (op.state === "pending") {
    const wait = op.eta - now;
    throw new TaskError(
      TaskErrorCode.OPERATION_NOT_READY,
      `operation ${op.id} is not ready: it becomes executable at ${new Date(Number(op.eta) * 1000).toISOString()} (in ${wait} s)`,
    );
  }
  if (op.state !== "ready") throw new TaskError(TaskErrorCode.OPERATION_NOT_READY, `operation ${op.id} is ${op.state}`);
  if (op.predecessor !== ZERO_HASH && !(await timelock.isOperationDone(op.predecessor))) {
    throw new TaskError(
      TaskErrorCode.OPERATION_NOT_READY,
      `operation ${op.id} must wait for its predecessor ${op.predecessor} (scheduled before it for the same setting, or named with --after): execute that one first (or cancel both and schedule again)`,
    );
  }
  const data =
    op.calls.length === 1
      ? timelock.interface.encodeFunctionData("execute", [op.calls[0]!.target, op.calls[0]!.value, op.calls[0]!.data, op.predecessor, op.salt])
      : timelock.interface.encodeFunctionData("executeBatch", [
          op.calls.map((c) => c.target),
          op.calls.map((c) => c.value),
          op.calls.map((c) => c.data),
          op.predecessor,
          op.salt,
        ]);
  return { target: await timelock.getAddress(), value: 0n, data };
}
