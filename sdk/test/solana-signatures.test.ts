import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PublicKey, type ConfirmedSignatureInfo, type Finality, type SignaturesForAddressOptions } from "@solana/web3.js";
import { CloakError, ErrorCode } from "../src/index.js";
import { MAX_SIGNATURE_PAGE, fetchAddressSignatures } from "../src/solana/index.js";

const address = new PublicKey("9Jaw4xLbCfkpz1esbw9fi8aBDdxCqfgZHzx469BJsz3o");

/** An address's history of `count` transactions, two a slot from slot 10, answered as a node does: newest first, honouring before, until and limit. */
function nodeWithHistory(count: number) {
  const history: ConfirmedSignatureInfo[] = Array.from({ length: count }, (_, i) => ({
    signature: `sig${i}`,
    slot: 10 + Math.floor(i / 2),
    err: null,
    memo: null,
    blockTime: null,
  }));
  const asked: (SignaturesForAddressOptions & { commitment: Finality | undefined })[] = [];
  const connection = {
    getSignaturesForAddress: async (asking: PublicKey, options: SignaturesForAddressOptions = {}, commitment?: Finality) => {
      assert.ok(asking.equals(address));
      asked.push({ ...options, commitment });
      const newestFirst = [...history].reverse();
      const start = options.before === undefined ? 0 : newestFirst.findIndex((entry) => entry.signature === options.before) + 1;
      const end = options.until === undefined ? newestFirst.length : newestFirst.findIndex((entry) => entry.signature === options.until);
      return newestFirst.slice(start, end).slice(0, options.limit ?? MAX_SIGNATURE_PAGE);
    },
  };
  return { connection, asked };
}

const names = (entries: readonly ConfirmedSignatureInfo[]) => entries.map((entry) => entry.signature);

describe("fetchAddressSignatures", () => {
  it("pages backwards with before until a short page and answers the whole history oldest first", async () => {
    const { connection, asked } = nodeWithHistory(5);
    const listed = await fetchAddressSignatures(connection, address, { pageSize: 2 });
    assert.deepEqual(names(listed), ["sig0", "sig1", "sig2", "sig3", "sig4"]);
    assert.deepEqual(asked, [
      { limit: 2, commitment: "confirmed" },
      { limit: 2, before: "sig3", commitment: "confirmed" },
      { limit: 2, before: "sig1", commitment: "confirmed" },
    ]);
  });

  it("passes until and the commitment on every page, answering only the newer transactions", async () => {
    const { connection, asked } = nodeWithHistory(6);
    const listed = await fetchAddressSignatures(connection, address, { until: "sig1", pageSize: 2, commitment: "finalized" });
    assert.deepEqual(names(listed), ["sig2", "sig3", "sig4", "sig5"]);
    assert.deepEqual(asked.map((call) => [call.until, call.commitment]), [
      ["sig1", "finalized"],
      ["sig1", "finalized"],
      ["sig1", "finalized"],
    ]);
  });

  it("stops paging at the first page reaching below fromSlot and leaves out the older slots", async () => {
    // Slots: sig0,1 → 10; sig2,3 → 11; sig4,5 → 12; sig6,7 → 13.
    const { connection, asked } = nodeWithHistory(8);
    const listed = await fetchAddressSignatures(connection, address, { fromSlot: 12, pageSize: 3 });
    assert.deepEqual(names(listed), ["sig4", "sig5", "sig6", "sig7"]);
    assert.deepEqual(asked.map((call) => call.before), [undefined, "sig5"]);
  });

  it("refuses a page size the node would not serve, naming it", async () => {
    const { connection, asked } = nodeWithHistory(1);
    for (const pageSize of [0, MAX_SIGNATURE_PAGE + 1, 2.5]) {
      await assert.rejects(fetchAddressSignatures(connection, address, { pageSize }), (error: unknown) => {
        assert.ok(error instanceof CloakError);
        assert.equal(error.code, ErrorCode.INVALID_OPTION);
        assert.equal(error.message, `pageSize: must be an integer from 1 to 1000, got ${pageSize}`);
        return true;
      });
    }
    assert.equal(asked.length, 0);
  });
});
