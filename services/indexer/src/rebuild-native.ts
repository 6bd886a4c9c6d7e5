import type { NativeAddon } from "@cloak/sdk";
import { packFieldElements, unpackFieldElements } from "./rebuild-hasher.ts";

/**
 * Fills levels 1..depth of `layers` from its leaves (level 0) with the native addon's batch Poseidon: one call
 * per level, every pair of the level in it (the addon spreads a large batch over all cores), an odd last node
 * paired with the level's zero hash. Leaves must already be field elements.
 */
export function hashLevelsNative(addon: NativeAddon, layers: bigint[][], zeros: readonly bigint[]): void {
  for (let level = 1; level < layers.length; level++) {
    const below = layers[level - 1]!;
    const pairs = below.length % 2 === 1 ? [...below, zeros[level - 1]!] : below;
    const hashed = addon.poseidonHashBatch(2, packFieldElements(pairs, 0, pairs.length, false));
    unpackFieldElements(hashed, 0, layers[level]!.length, layers[level]!, 0, false);
  }
}
