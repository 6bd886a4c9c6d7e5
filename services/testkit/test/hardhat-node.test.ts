import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startHardhatNode } from "../src/index.ts";

async function blockNumber(url: string): Promise<number> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
  });
  return Number(((await response.json()) as { result: string }).result);
}

describe("startHardhatNode", () => {
  it("kill() takes the RPC down at once, and a node started again on the same port serves a fresh chain", async () => {
    const node = await startHardhatNode();
    await fetch(node.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "evm_mine", params: [] }) });
    assert.equal(await blockNumber(node.url), 1);
    await node.kill();
    await assert.rejects(blockNumber(node.url), (error: unknown) => error instanceof TypeError && error.message === "fetch failed");
    const again = await startHardhatNode({ port: node.port });
    try {
      assert.equal(again.url, node.url);
      assert.equal(again.chainId, 31337n);
      assert.equal(await blockNumber(again.url), 0);
    } finally {
      await again.stop();
    }
  });
});
