import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Contract, JsonRpcProvider, getAddress } from "ethers";
import { MerkleTree, PRODUCTION_TREE_DEPTH, getPoseidon, toHex32 } from "@cloak/sdk";
import {
  EVM_RELAYER,
  EVM_WITHDRAWAL_RECIPIENT,
  TestkitError,
  TestkitErrorCode,
  commitmentsOf,
  deployEvm,
  loadEvmCorpus,
  startHardhatNode,
  submitEvmCorpus,
  submitEvmWithdrawals,
  type EvmDeployment,
  type HardhatNode,
} from "../src/index.ts";

const POOL_VIEWS = ["function getLastRoot() view returns (bytes32)", "function isKnownRoot(bytes32) view returns (bool)", "function isSpent(bytes32) view returns (bool)"];
const corpus = loadEvmCorpus();
const poseidon = await getPoseidon();
let node: HardhatNode;
let deployment: EvmDeployment;
let provider: JsonRpcProvider;
let pool: Contract;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "cloak-testkit-evm-"));
  node = await startHardhatNode();
  deployment = await deployEvm(node.url, dir);
  provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
  pool = new Contract(deployment.pool, POOL_VIEWS, provider);
});

after(async () => {
  provider?.destroy();
  await node?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const rootAfter = (deposits: number[]) => {
  const tree = new MerkleTree(PRODUCTION_TREE_DEPTH, poseidon);
  tree.insertMany(commitmentsOf(deposits.map((i) => corpus.deposits[i]!)));
  return tree.root;
};

describe("the EVM corpus on a fresh hardhat node", () => {
  it("is bound to the deployment deployEvm makes, and the pool accepts the empty root the deposits use", async () => {
    assert.equal(getAddress(corpus.header.pool), getAddress(deployment.pool));
    assert.equal(deployment.chainId, 31337n);
    assert.ok(deployment.poolDeployBlock > 0);
    assert.equal(await pool.getFunction("isKnownRoot")(toHex32(BigInt(corpus.header.roots.deposits))), true);
  });

  it("lands 20 deposits sent 4 at a time, and the pool's root is the SDK tree's over their commitments", async () => {
    const receipts = await submitEvmCorpus(node.url, deployment, { to: 20, concurrency: 4 });
    assert.equal(receipts.length, 20);
    assert.ok(receipts.every((receipt) => receipt.status === 1));
    const root = BigInt(await pool.getFunction("getLastRoot")());
    assert.equal(root, rootAfter([...Array(20).keys()]));
  });

  it("lands the remaining deposits in a later batch, then relayed withdrawals sent by the relayer that pay the recipient", async () => {
    await submitEvmCorpus(node.url, deployment, { from: 20, concurrency: 8 });
    assert.equal(BigInt(await pool.getFunction("getLastRoot")()), BigInt(corpus.header.roots.withdrawals));
    const receipts = await submitEvmWithdrawals(node.url, deployment, { to: 2 });
    // Read at the receipts' blocks: ethers' cached "latest" may predate them.
    const before = await provider.getBalance(EVM_WITHDRAWAL_RECIPIENT, receipts[0]!.blockNumber - 1);
    assert.ok(receipts.every((receipt) => receipt.status === 1 && receipt.from === EVM_RELAYER));
    const paid = corpus.withdrawals.slice(0, 2).reduce((sum, entry) => sum - BigInt(entry.extData.extAmount), 0n);
    assert.equal((await provider.getBalance(EVM_WITHDRAWAL_RECIPIENT, receipts[1]!.blockNumber)) - before, paid);
    const nullifier = toHex32(BigInt(corpus.withdrawals[1]!.publicSignals[3]!));
    assert.equal(await pool.getFunction("isSpent")(nullifier), true);
  });

  it("refuses a corpus made for another pool, naming both deployments", async () => {
    const other = { ...corpus, header: { ...corpus.header, pool: "0x1111111111111111111111111111111111111111" } };
    await assert.rejects(submitEvmCorpus(node.url, deployment, { corpus: other, to: 1 }), (error: unknown) => {
      assert.ok(error instanceof TestkitError);
      assert.equal(error.code, TestkitErrorCode.CORPUS_MISMATCH);
      assert.equal(
        error.message,
        `the EVM corpus was made for pool 0x1111111111111111111111111111111111111111 on chain 31337, not pool ${getAddress(deployment.pool)} on chain 31337: run npm run corpus`,
      );
      return true;
    });
  });
});
