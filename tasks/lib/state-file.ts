// `cloak-state/1`: what state:export writes and state:verify reads (runbook RP-002). Everything needed to
// rebuild each pool's tree, nullifier set and accounting without a node: amounts are decimal strings,
// bytes32 values 0x-hex, indexes and block numbers JSON numbers.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { TaskError, TaskErrorCode } from "./errors.ts";
import type { PoolHistory } from "./pool-events.ts";

export const STATE_FORMAT = "cloak-state/1";

export interface ExportedCommitment {
  tree: number;
  index: number;
  commitment: string;
  encryptedOutput: string;
  blockNumber: number;
  transactionHash: string;
}

export interface ExportedNullifier {
  nullifier: string;
  blockNumber: number;
  transactionHash: string;
}

export interface ExportedTransact {
  extAmount: string;
  fee: string;
  recipient: string;
  relayer: string;
  newRoot: string;
  blockNumber: number;
  transactionHash: string;
}

export interface ExportedPool {
  label: string;
  address: string;
  /** Zero address for the native coin. */
  asset: string;
  implementation: string;
  levels: number;
  /** Paused by its own switch or the global one. */
  paused: boolean;
  depositLimit: string;
  lastRoot: string;
  /** Roots the pool accepted at the block, oldest first, the last being lastRoot (at most ROOT_HISTORY_SIZE). */
  rootHistory: string[];
  nextLeafIndex: number;
  /** The pool's balance of its asset at the block. */
  balance: string;
  commitments: ExportedCommitment[];
  nullifiers: ExportedNullifier[];
  transacts: ExportedTransact[];
}

export interface StateExport {
  format: typeof STATE_FORMAT;
  network: string;
  chainId: string;
  blockNumber: number;
  blockHash: string;
  blockTimestamp: number;
  orchestrator: {
    address: string;
    implementation: string;
    verifier: string;
    allPaused: boolean;
    relayers: string[];
  };
  pools: ExportedPool[];
}

/** The history part of an exported pool, in the types the log reader produces. */
export function historyOf(pool: Pick<ExportedPool, "commitments" | "nullifiers" | "transacts">): PoolHistory {
  return {
    commitments: pool.commitments.map((c) => ({ ...c })),
    nullifiers: pool.nullifiers.map((n) => ({ ...n })),
    transacts: pool.transacts.map((t) => ({ ...t, extAmount: BigInt(t.extAmount), fee: BigInt(t.fee) })),
  };
}

export function exportHistory(history: PoolHistory): Pick<ExportedPool, "commitments" | "nullifiers" | "transacts"> {
  return {
    commitments: history.commitments.map((c) => ({ ...c })),
    nullifiers: history.nullifiers.map((n) => ({ ...n })),
    transacts: history.transacts.map((t) => ({ ...t, extAmount: t.extAmount.toString(), fee: t.fee.toString() })),
  };
}

/** Through a temporary file and a rename: a recovery must never start from a half-written export. */
export function writeStateExport(path: string, state: StateExport): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, path);
}

function invalid(path: string, why: string): TaskError {
  return new TaskError(TaskErrorCode.STATE_FILE_INVALID, `${path}: ${why}`);
}

/** Reads an export and checks its version and shape (not its content: that is state:verify's job). */
export function readStateExport(path: string): StateExport {
  if (!existsSync(path)) throw invalid(path, "no such file");
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    throw invalid(path, "not valid JSON");
  }
  const state = parsed as Partial<StateExport> | null;
  if (!state || typeof state !== "object") throw invalid(path, "expected an object");
  if (state.format !== STATE_FORMAT) throw invalid(path, `format '${String(state.format)}' is not '${STATE_FORMAT}'`);
  if (!Array.isArray(state.pools)) throw invalid(path, "pools: expected an array");
  state.pools.forEach((pool: Partial<ExportedPool>, i) => {
    for (const key of ["commitments", "nullifiers", "transacts", "rootHistory"] as const) {
      if (!Array.isArray(pool[key])) throw invalid(path, `pools[${i}].${key}: expected an array`);
    }
    for (const key of ["levels", "nextLeafIndex"] as const) {
      if (typeof pool[key] !== "number") throw invalid(path, `pools[${i}].${key}: expected a number`);
    }
    for (const key of ["lastRoot", "balance", "address"] as const) {
      if (typeof pool[key] !== "string") throw invalid(path, `pools[${i}].${key}: expected a string`);
    }
  });
  return state as StateExport;
}
