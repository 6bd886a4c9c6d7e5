// The SDK's PoolSync against a real pool with real proofs: reading the chain head afresh (ethers' providers
// cache the block number, so a view created right after a transaction could stop before it), stopping at a
// given block or receipt, and reading a range a node refuses as too wide by splitting it. The refusing node
// is the in-process Hardhat chain behind an EIP-1193 wrapper that answers over-wide eth_getLogs with the
// JSON-RPC error a capped public node sends; every other request reaches the chain unchanged.
import { expect } from "chai";
import { BrowserProvider, type Eip1193Provider } from "ethers";
import { network } from "hardhat";
import {
  CloakError,
  ErrorCode,
  Keypair,
  PoolSync,
  ShieldPoolClient,
  getPoseidon,
  proveTransaction,
  releaseProvingResources,
  scanLogs,
  toTransactArgs,
  type PoseidonHasher,
  type SnarkjsProver,
} from "@cloak/sdk";
import type { ShieldPool } from "../../types/ethers-contracts/index.js";
import { deployStack } from "../support/deploy.ts";
import { PRODUCTION_DEPTH, proverFor } from "../support/fixtures.ts";

const connection = await network.create();
const { ethers } = connection;

/** The widest eth_getLogs range the refusing node answers, in blocks. */
const MAX_LOG_RANGE = 4;

interface LogQuery {
  fromBlock: number;
  toBlock: number;
  refused: boolean;
}

/** The chain's EIP-1193 provider, refusing eth_getLogs over more than `maxRange` blocks and recording every query. */
function refusingNode(maxRange: number): { provider: Eip1193Provider; queries: LogQuery[] } {
  const queries: LogQuery[] = [];
  const provider: Eip1193Provider = {
    async request(request) {
      if (request.method === "eth_getLogs") {
        const [filter] = request.params as [{ fromBlock: string; toBlock: string }];
        const fromBlock = Number(filter.fromBlock);
        const toBlock = Number(filter.toBlock);
        const refused = toBlock - fromBlock + 1 > maxRange;
        queries.push({ fromBlock, toBlock, refused });
        if (refused) throw Object.assign(new Error(`exceed maximum block range: ${maxRange}`), { code: -32005 });
      }
      return connection.provider.request(request as { method: string; params?: unknown[] });
    },
  };
  return { provider, queries };
}

describe("PoolSync", function () {
  let prover: SnarkjsProver;
  let poseidon: PoseidonHasher;
  let pool: ShieldPool;
  let poolAddress: string;
  let deployBlock: number;
  let client: ShieldPoolClient;

  before(async function () {
    prover = await proverFor(PRODUCTION_DEPTH);
    poseidon = await getPoseidon();
    const first = (await ethers.provider.getBlockNumber()) + 1;
    ({ pool } = await deployStack(ethers));
    poolAddress = await pool.getAddress();
    deployBlock = first;
    const [, user] = await ethers.getSigners();
    client = new ShieldPoolClient(user!, poolAddress, prover, poseidon, { fromBlock: deployBlock });
  });

  after(releaseProvingResources);

  it("sees a transaction mined right after its provider cached an older block number", async function () {
    const alice = Keypair.generate(poseidon);
    await client.sync.sync();
    const chainId = (await ethers.provider.getNetwork()).chainId;
    const proven = await proveTransaction(
      { tree: client.sync.tree, inputs: [], outputs: [{ amount: 400n, recipient: alice }], extData: { chainId, pool: poolAddress, recipient: ethers.ZeroAddress, relayer: ethers.ZeroAddress, extAmount: 400n, fee: 0n } },
      prover,
      poseidon,
    );
    // Proven first, so the cache is filled just before the transaction; a long cache makes ethers' stale
    // answer certain instead of a matter of timing (its expiry timer outlives the test by under a minute).
    const cached = new BrowserProvider(connection.provider as Eip1193Provider, undefined, { cacheTimeout: 60_000 });
    const before = await cached.getBlockNumber();
    const { proof, extData } = toTransactArgs(proven);
    const receipt = (await (await pool.transact(proof, extData, { value: 400n })).wait())!;
    expect(await cached.getBlockNumber()).to.equal(before);
    expect(receipt.blockNumber).to.be.greaterThan(before);

    const view = new PoolSync(cached, poolAddress, poseidon, { fromBlock: deployBlock });
    await view.sync();
    expect(view.balanceOf(alice)).to.equal(400n);
    expect(view.nextBlock).to.equal(receipt.blockNumber + 1);
    cached.destroy();
  });

  it("stops at a receipt's block: a later transaction waits for the next sync", async function () {
    const alice = Keypair.generate(poseidon);
    const first = await client.deposit(100n, alice);
    await client.deposit(200n, alice);
    const view = new PoolSync(ethers.provider, poolAddress, poseidon, { fromBlock: deployBlock });

    await view.sync(first.receipt);
    expect(view.balanceOf(alice)).to.equal(100n);
    expect(view.nextBlock).to.equal(first.receipt.blockNumber + 1);
    await view.sync();
    expect(view.balanceOf(alice)).to.equal(300n);
  });

  it("stops at { toBlock } and at a block number alike", async function () {
    const alice = Keypair.generate(poseidon);
    const { receipt } = await client.deposit(50n, alice);
    const byOption = new PoolSync(ethers.provider, poolAddress, poseidon, { fromBlock: deployBlock });
    const byNumber = new PoolSync(ethers.provider, poolAddress, poseidon, { fromBlock: deployBlock });
    await byOption.sync({ toBlock: receipt.blockNumber - 1 });
    await byNumber.sync(receipt.blockNumber - 1);
    expect(byOption.balanceOf(alice)).to.equal(0n);
    expect(byNumber.balanceOf(alice)).to.equal(0n);
    await byOption.sync({ toBlock: receipt.blockNumber });
    expect(byOption.balanceOf(alice)).to.equal(50n);
    expect(byOption.tree.root).to.equal(BigInt(await pool.getLastRoot()));
  });

  it("splits a range the node refuses as too wide and rebuilds the same tree", async function () {
    const alice = Keypair.generate(poseidon);
    await client.deposit(70n, alice);
    await ethers.provider.send("hardhat_mine", ["0x9"]);
    await client.deposit(30n, alice);
    const node = refusingNode(MAX_LOG_RANGE);
    const capped = new BrowserProvider(node.provider);

    const view = new PoolSync(capped, poolAddress, poseidon, { fromBlock: deployBlock });
    await view.sync();
    expect(view.balanceOf(alice)).to.equal(100n);
    expect(view.tree.root).to.equal(BigInt(await pool.getLastRoot()));
    const head = await ethers.provider.getBlockNumber();
    expect(node.queries[0]).to.deep.equal({ fromBlock: deployBlock, toBlock: head, refused: true });
    const answered = node.queries.filter((query) => !query.refused);
    expect(answered.every((query) => query.toBlock - query.fromBlock + 1 <= MAX_LOG_RANGE)).to.equal(true);
    // The answered ranges tile [deployBlock, head] in order, with no gap and no overlap.
    expect(answered.map((query) => query.fromBlock)).to.deep.equal([deployBlock, ...answered.slice(0, -1).map((query) => query.toBlock + 1)]);
    expect(answered.at(-1)!.toBlock).to.equal(head);
    capped.destroy();
  });

  it("reads in chunks of maxRange blocks without being refused", async function () {
    const node = refusingNode(MAX_LOG_RANGE);
    const capped = new BrowserProvider(node.provider);
    const head = await ethers.provider.getBlockNumber();
    const view = new PoolSync(capped, poolAddress, poseidon, { fromBlock: deployBlock, maxRange: MAX_LOG_RANGE });
    await view.sync(head);
    expect(view.tree.root).to.equal(BigInt(await pool.getLastRoot()));
    expect(node.queries.filter((query) => query.refused)).to.deep.equal([]);
    const expected: LogQuery[] = [];
    for (let start = deployBlock; start <= head; start += MAX_LOG_RANGE) {
      expected.push({ fromBlock: start, toBlock: Math.min(head, start + MAX_LOG_RANGE - 1), refused: false });
    }
    expect(node.queries).to.deep.equal(expected);
    capped.destroy();
  });

  it("passes on an error that is not a range refusal", async function () {
    const failing = new BrowserProvider({
      async request(request) {
        if (request.method === "eth_getLogs") throw Object.assign(new Error("internal error: database is locked"), { code: -32603 });
        return connection.provider.request(request as { method: string; params?: unknown[] });
      },
    });
    const error = await scanLogs(failing, [poolAddress], deployBlock, deployBlock + 1, () => undefined).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    // ethers wraps the node's JSON-RPC error; the node's own code and message come through unchanged.
    const wrapped = error as Error & { code?: string; error?: { code: number; message: string } };
    expect(wrapped.code).to.equal("UNKNOWN_ERROR");
    expect({ code: wrapped.error?.code, message: wrapped.error?.message }).to.deep.equal({ code: -32603, message: "internal error: database is locked" });
    failing.destroy();
  });

  it("refuses a maxRange that is not a positive whole number of blocks", async function () {
    const error = await scanLogs(ethers.provider, [poolAddress], deployBlock, deployBlock + 1, () => undefined, { maxRange: 0 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(CloakError);
    expect((error as CloakError).code).to.equal(ErrorCode.INVALID_OPTION);
    expect((error as CloakError).message).to.equal("maxRange: 0 is not a positive whole number of blocks");
  });

  it("refuses a view without a starting block", function () {
    const make = () => new PoolSync(ethers.provider, poolAddress, poseidon, { fromBlock: -1 });
    expect(make).to.throw(CloakError, "fromBlock: -1 is not a block number (pass the pool's deployment block)");
  });
});
