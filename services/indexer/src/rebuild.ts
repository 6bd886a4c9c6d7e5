import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { CloakError, ErrorCode, FIELD_SIZE, getPoseidon, loadNativeAddon, type PoseidonHasher } from "@cloak/sdk";
import { buildPoseidon } from "circomlibjs";
import { IndexerError, IndexerErrorCode } from "./errors.ts";
import { hashLevelsNative } from "./rebuild-native.ts";
import { packFieldElements, SubtreeHasher, unpackFieldElements, WebAssemblyApi, type WasmModule } from "./rebuild-hasher.ts";
import type { SubtreeTask, WorkerData, WorkerReply } from "./rebuild-worker.ts";
import { IndexedTree, zeroHashes } from "./tree.ts";

/** Below this many leaves the rebuild hashes on the calling thread: starting workers (0.2–0.5 s with tsx) would cost more than they save. */
export const INLINE_BELOW = 20_000;

export interface BuildTreeOptions {
  /** The hasher the tree keeps for later appends; by default the SDK's shared one. */
  poseidon?: PoseidonHasher;
  /** The tree's zero hashes (their count less one is its depth); by default `zeroHashes(poseidon)`. */
  zeros?: readonly bigint[];
  /** Worker threads for the subtrees; by default one per core, 0 hashes everything on this thread. */
  workers?: number;
  /** Trees with fewer leaves are hashed on this thread; by default `INLINE_BELOW`. */
  inlineBelow?: number;
  /** Height of the aligned subtrees handed to the workers; by default about four per worker. */
  subtreeHeight?: number;
  /**
   * "auto" (the default): the native addon's batch Poseidon, one call per level, where @cloak/native loads, and
   * circomlibjs' WebAssembly Poseidon in workers elsewhere; "native" refuses to fall back; "wasm" never uses the
   * addon. `workers`, `inlineBelow` and `subtreeHeight` shape only the WebAssembly path.
   */
  backend?: "auto" | "native" | "wasm";
}

let poseidonModule: Promise<WasmModule> | undefined;

/**
 * circomlibjs' bn128 WebAssembly module with its Poseidon, compiled once. Its builder keeps the bytes it
 * instantiated (single-thread mode); the workers get the compiled module and never load circomlibjs,
 * whose web-worker shim takes over any worker thread it is loaded in.
 */
function compiledPoseidon(): Promise<WasmModule> {
  poseidonModule ??= buildPoseidon().then((poseidon) => {
    const code = (poseidon as { F?: { tm?: { code?: unknown } } } | undefined)?.F?.tm?.code;
    if (!(code instanceof Uint8Array)) throw new Error("circomlibjs' Poseidon no longer keeps its WebAssembly code at F.tm.code: the tree rebuild needs it");
    return WebAssemblyApi.compile(code);
  });
  return poseidonModule;
}

/**
 * Builds the tree of `leaves` with every level, exactly as `new IndexedTree(poseidon, zeros).append(leaves)`
 * would, but without a BigInt round trip per hash: aligned subtrees are hashed in worker threads (each with
 * its own WebAssembly Poseidon), and the few levels above them on this thread.
 */
export async function buildTree(leaves: readonly bigint[], options: BuildTreeOptions = {}): Promise<IndexedTree> {
  const poseidon = options.poseidon ?? (await getPoseidon());
  const zeros = options.zeros ?? zeroHashes(poseidon);
  const depth = zeros.length - 1;
  const capacity = 2 ** depth;
  if (leaves.length > capacity) {
    throw new IndexerError(IndexerErrorCode.TREE_FULL, `a depth-${depth} tree holds ${capacity} leaves; 0 + ${leaves.length} do not fit`);
  }
  for (const [i, leaf] of leaves.entries()) {
    if (leaf < 0n || leaf >= FIELD_SIZE) throw new CloakError(ErrorCode.INVALID_FIELD_ELEMENT, `leaf ${i}: ${leaf} is outside the field`);
  }
  const layers: bigint[][] = [leaves.slice()];
  for (let level = 1, width = leaves.length; level <= depth; level++) {
    width = Math.ceil(width / 2);
    layers.push(new Array<bigint>(width));
  }
  if (leaves.length === 0) return new IndexedTree(poseidon, zeros, layers);

  const backend = options.backend ?? "auto";
  if (backend !== "wasm") {
    const { addon, reason } = await loadNativeAddon();
    if (addon) {
      hashLevelsNative(addon, layers, zeros);
      return new IndexedTree(poseidon, zeros, layers);
    }
    if (backend === "native") throw new CloakError(ErrorCode.NATIVE_UNAVAILABLE, `rebuild backend "native": ${reason ?? "the addon did not load"}`);
  }

  const workers = options.workers ?? availableParallelism();
  let lowest = 0;
  if (workers > 0 && leaves.length >= (options.inlineBelow ?? INLINE_BELOW)) {
    lowest = Math.min(depth, Math.max(1, options.subtreeHeight ?? Math.floor(Math.log2(leaves.length / (4 * workers)))));
    await hashSubtreesInWorkers(leaves, lowest, workers, layers);
  }
  // The levels above the workers' subtrees: a handful of nodes (all of them for a small tree).
  const bottom = layers[lowest]!;
  // A fresh instance (a few milliseconds) rather than a kept one: its memory grows with the tree and goes with it.
  const packed = new SubtreeHasher(await compiledPoseidon()).hashLevels(packFieldElements(bottom), bottom.length, depth - lowest, lowest);
  spreadLevels(packed, bottom.length, lowest, depth - lowest, 0, layers);
  return new IndexedTree(poseidon, zeros, layers);
}

/** Copies levels 1..height of a subtree (packed as `SubtreeHasher.hashLevels` returns them) into `layers`. */
function spreadLevels(packed: Uint8Array, count: number, baseLevel: number, height: number, firstLeaf: number, layers: bigint[][]): void {
  let start = 0;
  let width = count;
  for (let level = 1; level <= height; level++) {
    width = Math.ceil(width / 2);
    // The subtree is aligned: its first leaf is a multiple of 2^height, so this division is exact.
    unpackFieldElements(packed, start, width, layers[baseLevel + level]!, firstLeaf / 2 ** level);
    start += width;
  }
}

/** The worker entry is TypeScript: each worker loads tsx itself, resolved from here so any working directory will do. */
function startWorker(module: WasmModule): Worker {
  const workerData: WorkerData = { module };
  return new Worker(new URL("./rebuild-worker.ts", import.meta.url), { execArgv: ["--import", import.meta.resolve("tsx")], workerData });
}

/** Hashes levels 1..height of every aligned 2^height-leaf subtree in worker threads, each taking the next subtree when done. */
async function hashSubtreesInWorkers(leaves: readonly bigint[], height: number, workerCount: number, layers: bigint[][]): Promise<void> {
  const span = 2 ** height;
  const tasks = Math.ceil(leaves.length / span);
  const module = await compiledPoseidon();
  const workers = Array.from({ length: Math.min(workerCount, tasks) }, () => startWorker(module));
  let next = 0;
  let finished = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const dispatch = (worker: Worker): void => {
        if (next === tasks) return;
        const id = next++;
        const start = id * span;
        const end = Math.min(leaves.length, start + span);
        const packed = packFieldElements(leaves, start, end);
        const task: SubtreeTask = { id, leaves: packed.buffer as ArrayBuffer, count: end - start, height, baseLevel: 0 };
        worker.postMessage(task, [task.leaves]);
      };
      for (const worker of workers) {
        worker.on("message", (reply: WorkerReply) => {
          if ("ready" in reply) return dispatch(worker);
          if ("error" in reply) return reject(new Error(`rebuild worker failed on subtree ${reply.id}: ${reply.error}`));
          const start = reply.id * span;
          spreadLevels(new Uint8Array(reply.levels), Math.min(span, leaves.length - start), 0, height, start, layers);
          if (++finished === tasks) resolve();
          else dispatch(worker);
        });
        worker.on("error", reject);
        worker.on("exit", (code) => {
          if (finished < tasks) reject(new Error(`a rebuild worker exited with code ${code} before the tree was done`));
        });
      }
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
