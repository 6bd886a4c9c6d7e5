/** Bytes of one field element in the packed buffers the rebuild passes between threads. */
export const FIELD_BYTES = 32;
/** Deepest tree the hasher keeps zero hashes for (a leaf index is a 32-bit number). */
export const MAX_TREE_DEPTH = 32;
/** 64 KiB pages the module's memory starts with: more than the minimum circomlibjs' module imports (25). */
const INITIAL_PAGES = 64;

/** The exports of circomlibjs' bn128 WebAssembly module (with its Poseidon) that the rebuild calls. */
interface PoseidonWasmExports {
  /** Poseidon over `nInputs` Montgomery-form elements at pIn, capacity element at pState, `nOut` outputs to pOut. */
  poseidon(pState: number, pIn: number, nInputs: number, pOut: number, nOut: number): void;
  frm_batchToMontgomery(pIn: number, count: number, pOut: number): void;
  frm_batchFromMontgomery(pIn: number, count: number, pOut: number): void;
}

const EXPORTS = ["poseidon", "frm_batchToMontgomery", "frm_batchFromMontgomery"];

/** A compiled WebAssembly.Module (opaque here; worker threads receive it by structured clone). */
export interface WasmModule {
  readonly brand: "WebAssembly.Module";
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
/** The part of the WebAssembly JS API the rebuild uses: the package's TypeScript libs (ES2023, Node types) do not declare it. */
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  compile(code: Uint8Array): Promise<WasmModule>;
}
export const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/**
 * Hashes whole subtrees inside circomlibjs' WebAssembly Poseidon (the module the SDK's hash runs, so the
 * same outputs), calling the permutation once per node on nodes kept in Montgomery form in the module's
 * memory. The SDK's per-hash path converts every input and output between BigInt and Montgomery form
 * through several WebAssembly calls; here only the leaves go in and the finished levels come out,
 * each in one batch call.
 */
export class SubtreeHasher {
  readonly #memory: WasmMemory;
  readonly #wasm: PoseidonWasmExports;
  readonly #pState: number;
  readonly #pZeros: number;
  readonly #pPair: number;
  readonly #pData: number;
  #u8: Uint8Array;

  /** A hasher with its own instance and memory of `module` (which a worker receives from the lead, compiled once). */
  constructor(module: WasmModule) {
    this.#memory = new WebAssemblyApi.Memory({ initial: INITIAL_PAGES });
    const exports = new WebAssemblyApi.Instance(module, { env: { memory: this.#memory } }).exports;
    const missing = EXPORTS.filter((name) => typeof exports[name] !== "function");
    if (missing.length > 0) throw new Error(`circomlibjs' WebAssembly module lacks ${missing.join(", ")}: the tree rebuild needs them`);
    this.#wasm = exports as unknown as PoseidonWasmExports;
    this.#u8 = new Uint8Array(this.#memory.buffer);
    // The module's allocator is a bump pointer in word 0, set by its data segment: our region starts above it.
    const base = (new Uint32Array(this.#memory.buffer)[0]! + FIELD_BYTES - 1) & ~(FIELD_BYTES - 1);
    this.#pState = base;
    this.#pZeros = base + FIELD_BYTES;
    this.#pPair = this.#pZeros + (MAX_TREE_DEPTH + 1) * FIELD_BYTES;
    this.#pData = this.#pPair + 2 * FIELD_BYTES;
    this.#reserve(this.#pData);
    this.#u8.fill(0, this.#pState, this.#pPair);
    // Montgomery form of 0 is 0, so zeros[0] needs no conversion; each next level is H(z, z).
    for (let level = 0; level < MAX_TREE_DEPTH; level++) {
      const zero = this.#pZeros + level * FIELD_BYTES;
      this.#u8.copyWithin(this.#pPair, zero, zero + FIELD_BYTES);
      this.#u8.copyWithin(this.#pPair + FIELD_BYTES, zero, zero + FIELD_BYTES);
      this.#wasm.poseidon(this.#pState, this.#pPair, 2, zero + FIELD_BYTES, 1);
    }
  }

  #reserve(end: number): void {
    const have = this.#memory.buffer.byteLength;
    if (end > have) {
      this.#memory.grow(Math.ceil((end - have) / 65536));
      this.#u8 = new Uint8Array(this.#memory.buffer); // growing detached the old view
    }
  }

  /**
   * Hashes `count` packed leaves (little-endian, `FIELD_BYTES` each) up `height` levels and returns
   * levels 1..height packed one after the other, each `ceil(count / 2^level)` nodes wide. A level of
   * odd width pairs its last node with the zero subtree of its level in the whole tree, `baseLevel`
   * plus the local level (the leaves are a subtree whose bottom sits at `baseLevel`).
   */
  hashLevels(leaves: Uint8Array, count: number, height: number, baseLevel: number): Uint8Array {
    if (leaves.byteLength !== count * FIELD_BYTES) throw new Error(`${count} leaves need ${count * FIELD_BYTES} bytes, got ${leaves.byteLength}`);
    if (baseLevel + height > MAX_TREE_DEPTH) throw new Error(`levels up to ${baseLevel + height} exceed the supported depth ${MAX_TREE_DEPTH}`);
    const widths = [count];
    for (let level = 1; level <= height; level++) widths.push(Math.ceil(widths[level - 1]! / 2));
    const above = widths.slice(1).reduce((sum, width) => sum + width, 0);
    // The staging area holds the input leaves, then the finished levels in standard form.
    const staging = this.#pData;
    const offsets = [staging + Math.max(count, above) * FIELD_BYTES];
    for (let level = 1; level <= height; level++) offsets.push(offsets[level - 1]! + widths[level - 1]! * FIELD_BYTES);
    this.#reserve(offsets[height]! + widths[height]! * FIELD_BYTES);

    this.#u8.set(leaves, staging);
    this.#wasm.frm_batchToMontgomery(staging, count, offsets[0]!);
    for (let level = 0; level < height; level++) {
      const width = widths[level]!;
      const from = offsets[level]!;
      const to = offsets[level + 1]!;
      const pairs = width >> 1;
      for (let p = 0; p < pairs; p++) this.#wasm.poseidon(this.#pState, from + p * 2 * FIELD_BYTES, 2, to + p * FIELD_BYTES, 1);
      if (width & 1) {
        const last = from + (width - 1) * FIELD_BYTES;
        const zero = this.#pZeros + (baseLevel + level) * FIELD_BYTES;
        this.#u8.copyWithin(this.#pPair, last, last + FIELD_BYTES);
        this.#u8.copyWithin(this.#pPair + FIELD_BYTES, zero, zero + FIELD_BYTES);
        this.#wasm.poseidon(this.#pState, this.#pPair, 2, to + pairs * FIELD_BYTES, 1);
      }
    }
    if (height === 0) return new Uint8Array(0);
    this.#wasm.frm_batchFromMontgomery(offsets[1]!, above, staging);
    return this.#u8.slice(staging, staging + above * FIELD_BYTES);
  }
}

/**
 * Packs `values[from..to)`, `FIELD_BYTES` each (values must be field elements): little-endian as the
 * WebAssembly hasher reads them, or big-endian (`littleEndian` false) as the native addon's batch does.
 */
export function packFieldElements(values: readonly bigint[], from = 0, to = values.length, littleEndian = true): Uint8Array {
  const bytes = new Uint8Array((to - from) * FIELD_BYTES);
  const view = new DataView(bytes.buffer);
  // Word k (bits 64k..64k+63) sits at word slot k little-endian, at slot 3 - k big-endian.
  const slot = (k: number): number => 8 * (littleEndian ? k : 3 - k);
  for (let i = from, offset = 0; i < to; i++, offset += FIELD_BYTES) {
    const value = values[i]!;
    view.setBigUint64(offset + slot(0), BigInt.asUintN(64, value), littleEndian);
    view.setBigUint64(offset + slot(1), BigInt.asUintN(64, value >> 64n), littleEndian);
    view.setBigUint64(offset + slot(2), BigInt.asUintN(64, value >> 128n), littleEndian);
    view.setBigUint64(offset + slot(3), value >> 192n, littleEndian);
  }
  return bytes;
}

/** Reads `count` packed elements (see packFieldElements) from `bytes` at element `start` into `out` from `at` on. */
export function unpackFieldElements(bytes: Uint8Array, start: number, count: number, out: bigint[], at: number, littleEndian = true): void {
  // Four 64-bit words and three shifts per element: far fewer BigInt operations than byte by byte.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const slot = (k: number): number => 8 * (littleEndian ? k : 3 - k);
  for (let i = 0, offset = start * FIELD_BYTES; i < count; i++, offset += FIELD_BYTES) {
    out[at + i] =
      view.getBigUint64(offset + slot(0), littleEndian) |
      (view.getBigUint64(offset + slot(1), littleEndian) << 64n) |
      (view.getBigUint64(offset + slot(2), littleEndian) << 128n) |
      (view.getBigUint64(offset + slot(3), littleEndian) << 192n);
  }
}
