import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode } from "../src/index.js";
import { decodeSlotHashes } from "../src/solana/index.js";
import { assertCloakError } from "./helpers.js";

function slotHashesData(entries: { slot: bigint; fill: number }[], declared = entries.length): Uint8Array {
  const data = new Uint8Array(8 + entries.length * 40);
  const view = new DataView(data.buffer);
  view.setBigUint64(0, BigInt(declared), true);
  entries.forEach(({ slot, fill }, i) => {
    view.setBigUint64(8 + i * 40, slot, true);
    data.fill(fill, 16 + i * 40, 48 + i * 40);
  });
  return data;
}

describe("SlotHashes sysvar decoding", () => {
  it("reads the entries newest first, as the sysvar stores them", () => {
    const entries = decodeSlotHashes(slotHashesData([{ slot: 41n, fill: 7 }, { slot: 40n, fill: 9 }]));
    assert.deepEqual(entries, [
      { slot: 41n, hash: new Uint8Array(32).fill(7) },
      { slot: 40n, hash: new Uint8Array(32).fill(9) },
    ]);
  });

  it("refuses data shorter than the entries it declares", () => {
    assertCloakError(() => decodeSlotHashes(slotHashesData([{ slot: 41n, fill: 7 }], 2)), ErrorCode.INVALID_ACCOUNT_DATA, "SlotHashes");
    assertCloakError(() => decodeSlotHashes(new Uint8Array(4)), ErrorCode.INVALID_ACCOUNT_DATA, "SlotHashes");
  });
});
