// Where a Solana command talks to and who signs it, spelled as the `solana` CLI spells them:
// `-u/--url <url|localhost|devnet|testnet|mainnet-beta>` (or `--rpc-url`, the services' name) and
// `-k/--keypair <path>` (a JSON array of 64 numbers; default ~/.config/solana/id.json).
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { Connection, Keypair } from "@solana/web3.js";
import { TaskError, TaskErrorCode } from "../../lib/errors.ts";

/** The options every Solana command takes (declared once in tasks/index.ts). */
export interface ClusterArguments {
  url: string;
  rpcUrl: string;
  keypair: string;
  /** The name in `deployments/solana-<cluster>.json`; derived from the cluster when empty. */
  cluster: string;
}

/** The `solana` CLI's monikers (long and one-letter forms) and the endpoints they stand for. */
const MONIKERS: Record<string, string> = {
  localhost: "http://127.0.0.1:8899",
  l: "http://127.0.0.1:8899",
  devnet: "https://api.devnet.solana.com",
  d: "https://api.devnet.solana.com",
  testnet: "https://api.testnet.solana.com",
  t: "https://api.testnet.solana.com",
  "mainnet-beta": "https://api.mainnet-beta.solana.com",
  m: "https://api.mainnet-beta.solana.com",
};

/** The public clusters' genesis hashes: the cluster is named by what the node is, not by its URL. */
const KNOWN_GENESIS: Record<string, string> = {
  "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d": "mainnet-beta",
  EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG: "devnet",
  "4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY": "testnet",
};

export const DEFAULT_KEYPAIR_PATH = "~/.config/solana/id.json";

/** The RPC endpoint of `-u`/`--rpc-url` (localhost when neither is given); both at once must agree. */
export function resolveRpcUrl(args: Pick<ClusterArguments, "url" | "rpcUrl">): string {
  const given = [args.url, args.rpcUrl].filter((value) => value.trim() !== "").map((value) => MONIKERS[value.trim()] ?? value.trim());
  const [first = MONIKERS.localhost!, second] = given;
  if (second !== undefined && second !== first) {
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--url ${args.url} and --rpc-url ${args.rpcUrl} name different endpoints; give one`);
  }
  if (!/^https?:\/\//.test(first)) {
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--url: '${first}' is neither an http(s) URL nor one of ${Object.keys(MONIKERS).filter((m) => m.length > 1).join(", ")}`);
  }
  return first;
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\./.test(host);
}

/** The deployment's cluster name: --cluster, else the public cluster by genesis hash, else `localnet` on loopback. */
export function clusterName(explicit: string, url: string, genesisHash: string): string {
  if (explicit.trim()) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(explicit.trim())) throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--cluster: '${explicit}' is not a lowercase name`);
    return explicit.trim();
  }
  const known = KNOWN_GENESIS[genesisHash];
  if (known) return known;
  if (isLoopback(url)) return "localnet";
  throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `${new URL(url).host} is not a public cluster nor on this machine: name its deployment with --cluster <name>`);
}

/** `~` expanded, as a shell would. */
export function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? join(homedir(), path.slice(1)) : path;
}

/** A keypair file in the solana CLI's format. The secret never leaves this function's result. */
export function readKeypair(path: string): Keypair {
  const file = expandHome(path.trim() || DEFAULT_KEYPAIR_PATH);
  if (!existsSync(file)) throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--keypair: ${file} does not exist (create one with 'solana-keygen new -o ${file}')`);
  let bytes: unknown;
  try {
    bytes = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--keypair: ${file} is not JSON (expected an array of 64 numbers)`);
  }
  if (!Array.isArray(bytes) || bytes.length !== 64 || !bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--keypair: ${file} is not a keypair file (expected an array of 64 byte values)`);
  }
  try {
    return Keypair.fromSecretKey(Uint8Array.from(bytes as number[]));
  } catch {
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--keypair: ${file} holds 64 bytes that are not a keypair (its public half does not match its secret)`);
  }
}

export interface Cluster {
  connection: Connection;
  url: string;
  /** `deployments/solana-<name>.json` names the deployment by it. */
  name: string;
  genesisHash: string;
}

/** Connects (one getGenesisHash round trip, which also proves the endpoint answers). */
export async function connectCluster(args: Pick<ClusterArguments, "url" | "rpcUrl" | "cluster">): Promise<Cluster> {
  const url = resolveRpcUrl(args);
  // Confirmations poll getSignatureStatuses (tasks/solana/lib/send.ts), so no WebSocket endpoint is needed.
  const connection = new Connection(url, { commitment: "confirmed" });
  let genesisHash: string;
  try {
    genesisHash = await connection.getGenesisHash();
  } catch (error) {
    throw new TaskError(TaskErrorCode.STATE_UNAVAILABLE, `no Solana JSON-RPC answers at ${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { connection, url, name: clusterName(args.cluster, url, genesisHash), genesisHash };
}
