import { RpcEndpoints, type BaseConfig } from "@cloak/service-kit";
import { FetchRequest, JsonRpcProvider, type JsonRpcPayload, type JsonRpcResult } from "ethers";
import type { Logger } from "pino";

/**
 * An ethers provider over every URL of `[evm] rpc_urls`, for what the relay reads besides its sender
 * (the intake's checks, quotes, the balance): each request goes through the kit's RpcEndpoints, so it
 * fails over down the list and skips an endpoint whose circuit is open, as the sender does. A provider
 * on `rpc_urls[0]` alone refused every withdrawal (503) once the primary endpoint died, while the
 * sender went on through the next one.
 */
export class FailoverJsonRpcProvider extends JsonRpcProvider {
  readonly #rpc: RpcEndpoints;
  readonly #timeoutMs: number;
  readonly #chainId: number;
  readonly #endpoints = new Map<string, JsonRpcProvider>();

  constructor(evm: Pick<BaseConfig["evm"], "rpc_urls" | "timeout" | "retries" | "chain_id">, logger: Logger) {
    super(evm.rpc_urls[0], evm.chain_id, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
    this.#rpc = new RpcEndpoints({ name: "evm", urls: evm.rpc_urls, timeoutMs: evm.timeout, retries: evm.retries, logger });
    this.#timeoutMs = evm.timeout;
    this.#chainId = evm.chain_id;
  }

  #endpoint(url: string): JsonRpcProvider {
    let provider = this.#endpoints.get(url);
    if (!provider) {
      const request = new FetchRequest(url);
      request.timeout = this.#timeoutMs;
      provider = new JsonRpcProvider(request, this.#chainId, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
      this.#endpoints.set(url, provider);
    }
    return provider;
  }

  // Only a transport failure throws here and moves to the next endpoint; the node's JSON-RPC errors
  // (a revert, a refusal) come back as results, answered on their merits.
  override _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    return this.#rpc.call((url) => this.#endpoint(url)._send(payload));
  }

  override destroy(): void {
    for (const provider of this.#endpoints.values()) provider.destroy();
    this.#endpoints.clear();
    super.destroy();
  }
}
