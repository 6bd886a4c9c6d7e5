import { createServer, connect, type Socket } from "node:net";
import { freePort } from "@cloak/service-testkit";

/** A TCP relay in front of a node: a "primary" RPC endpoint a test can kill while the node lives on. */
export interface RpcProxy {
  readonly url: string;
  /** Stops listening and cuts every open connection, as an endpoint that dies does. */
  kill(): Promise<void>;
}

export async function startRpcProxy(targetPort: number): Promise<RpcProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    track(client);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async kill() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
