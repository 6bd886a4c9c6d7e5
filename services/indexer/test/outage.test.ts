import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, connect, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Contract, JsonRpcProvider } from "ethers";
import { IndexerClient } from "@cloak/sdk";
import { deployEvm, freePort, startHardhatNode, submitEvmCorpus, type EvmDeployment, type HardhatNode } from "@cloak/service-testkit";
import { eventually, getJson, sharedDatabase, startIndexer, waitReady, type IndexerProcess, type SharedDatabase } from "./support/indexer.ts";

/**
 * The RPC endpoint the indexer is given: a TCP relay to the Hardhat node that can be taken down and
 * brought back. Killing the node itself would lose its chain (a Hardhat node keeps no state on disk),
 * which would test a reorg, not an outage.
 */
class RpcRelay {
  #server: Server | null = null;
  readonly #sockets = new Set<Socket>();
  constructor(
    readonly port: number,
    readonly target: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    this.#server = createServer((client) => {
      const upstream = connect(this.target, "127.0.0.1");
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on("close", () => this.#sockets.delete(socket));
        socket.on("error", () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.#server!.listen(this.port, "127.0.0.1", resolve));
  }

  async down(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    this.#server = null;
  }
}

interface Ready {
  status: number;
  reasons: string[];
}

describe("a running indexer when PostgreSQL or the RPC goes away and comes back", () => {
  let node: HardhatNode;
  let deployment: EvmDeployment;
  let dir: string;
  let database: SharedDatabase;
  let relay: RpcRelay;
  let indexer: IndexerProcess;
  let pool: string;
  const ready = async (): Promise<Ready> => {
    const { status, body } = await getJson(`${indexer.url}/ready`);
    return { status, reasons: (body as { reasons: string[] }).reasons };
  };
  const chainRoot = async () => {
    const provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
    try {
      return (await new Contract(deployment.pool, ["function getLastRoot() view returns (bytes32)"], provider).getFunction("getLastRoot")()) as string;
    } finally {
      provider.destroy();
    }
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "cloak-indexer-outage-"));
    node = await startHardhatNode();
    deployment = await deployEvm(node.url, dir);
    pool = deployment.pool.toLowerCase();
    await submitEvmCorpus(node.url, deployment, { to: 2 });
    relay = new RpcRelay(await freePort(), node.port);
    await relay.up();
    database = await sharedDatabase({ owned: true });
    indexer = await startIndexer({ dir, database, evm: { url: relay.url, deployment: deployment.path, chainId: Number(deployment.chainId) } });
    await waitReady(indexer);
  });

  after(async () => {
    await indexer?.stop();
    await relay?.down();
    await node?.stop();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers /ready 503 while PostgreSQL is down, then recovers on its own with what was deposited meanwhile", async () => {
    await database.stopServer!();
    const down = await eventually(async () => {
      const answer = await ready();
      return answer.status === 503 ? answer : undefined;
    }, "/ready = 503 with the database down");
    assert.ok(down.reasons.includes("database unavailable"), down.reasons.join("; "));
    await submitEvmCorpus(node.url, deployment, { from: 2, to: 4 });
    await database.startServer!();
    await waitReady(indexer);
    const served = await eventually(async () => {
      const state = await new IndexerClient(indexer.url).pool(pool);
      return state.leaves === 8 ? state : undefined;
    }, "the deposits made during the outage indexed");
    assert.equal(served.root, await chainRoot());
  });

  it("answers /ready 503 while the RPC is down, then recovers on its own with what was deposited meanwhile", async () => {
    await relay.down();
    const down = await eventually(async () => {
      const answer = await ready();
      return answer.status === 503 ? answer : undefined;
    }, "/ready = 503 with the RPC down");
    assert.ok(down.reasons.some((reason) => reason.startsWith("evm RPC unreachable") || reason.startsWith("last ingest round failed")), down.reasons.join("; "));
    await submitEvmCorpus(node.url, deployment, { from: 4, to: 6 });
    await relay.up();
    await waitReady(indexer);
    const served = await eventually(async () => {
      const state = await new IndexerClient(indexer.url).pool(pool);
      return state.leaves === 12 ? state : undefined;
    }, "the deposits made during the outage indexed");
    assert.equal(served.root, await chainRoot());
  });
});
