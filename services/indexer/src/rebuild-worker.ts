// A rebuild worker: hashes the subtrees the lead sends it, one at a time, with its own WebAssembly Poseidon.
import { parentPort, workerData } from "node:worker_threads";
import { SubtreeHasher, type WasmModule } from "./rebuild-hasher.ts";

/** One aligned subtree: its packed leaves (transferred), bottom level and how many levels to hash. */
export interface SubtreeTask {
  id: number;
  leaves: ArrayBuffer;
  count: number;
  height: number;
  baseLevel: number;
}

export type WorkerReply = { ready: true } | { id: number; levels: ArrayBuffer } | { id: number; error: string };

/** What the lead starts a worker with: circomlibjs' module, compiled once (this thread never loads circomlibjs). */
export interface WorkerData {
  module: WasmModule;
}

const port = parentPort;
if (!port) throw new Error("rebuild-worker.ts runs only as a worker thread");
const hasher = new SubtreeHasher((workerData as WorkerData).module);
port.on("message", (task: SubtreeTask) => {
  let reply: WorkerReply;
  try {
    const levels = hasher.hashLevels(new Uint8Array(task.leaves), task.count, task.height, task.baseLevel);
    reply = { id: task.id, levels: levels.buffer as ArrayBuffer };
  } catch (error) {
    reply = { id: task.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply, "levels" in reply ? [reply.levels] : []);
});
port.postMessage({ ready: true } satisfies WorkerReply);
