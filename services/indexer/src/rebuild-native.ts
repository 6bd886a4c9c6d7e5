import type { NativeAddon } from "@cloak/sdk";

const BYTES = 32;
const LIMB = 0xffffffffffffffffn;

function writeElement(view: DataView, offset: number, value: bigint): void {
  view.setBigUint64(offset, value >> 192n);
  view.setBigUint64(offset + 8, (value >> 128n) & LIMB);
  view.setBigUint64(offset + 16, (value >> 64n) & LIMB);
  view.setBigUint64(offset + 24, value & LIMB);
}

function readElement(view: DataView, offset: number): bigint {
  return (
    (view.getBigUint64(offset) << 192n) |
    (view.getBigUint64(offset + 8) << 128n) |
    (view.getBigUint64(offset + 16) << 64n) |
    view.getBigUint64(offset + 24)
  );
}

/**
 * Fills levels 1..depth of `layers` from its leaves (level 0) with the native addon's batch Poseidon: one call
 * per level, every pair of the level in it (the addon spreads a large batch over all cores), an odd last node
 * paired with the level's zero hash. Leaves must already be field elements.
 */
export function hashLevelsNative(addon: NativeAddon, layers: bigint[][], zeros: readonly bigint[]): void {
  for (let level = 1; level < layers.length; level++) {
    const below = layers[level - 1]!;
    const row = layers[level]!;
    const input = new Uint8Array(2 * BYTES * row.length);
    const view = new DataView(input.buffer);
    for (let i = 0; i < below.length; i++) writeElement(view, BYTES * i, below[i]!);
    if (below.length % 2 === 1) writeElement(view, BYTES * below.length, zeros[level - 1]!);
    const hashed = addon.poseidonHashBatch(2, input);
    const out = new DataView(hashed.buffer, hashed.byteOffset, hashed.byteLength);
    for (let i = 0; i < row.length; i++) row[i] = readElement(out, BYTES * i);
  }
}
