// Starting the local Solana node (`target/debug/cloak-localnet`, this crate) from TypeScript: the
// end-to-end tests, the Solana demo and the benchmark each start a node on free ports with a fresh
// ledger, talk to it over real JSON-RPC and WebSocket, and stop it when done. Build the binary first
// (`bash scripts/localnet.sh --build-only`; the npm scripts that need it do).
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { Connection, Keypair, LAMPORTS_PER_SOL, type PublicKey } from "@solana/web3.js";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
export const LOCALNET_BINARY = join(repoRoot, "target", "debug", "cloak-localnet");

/** The line the node prints once it serves requests, with the urls and the authority it funded. */
const READY_LINE = /^Cloak localnet ready\b.*\brpc=(\S+)\s+ws=(\S+)\s+authority=(\S+)/m;

export interface Localnet {
  connection: Connection;
  rpcUrl: string;
  wsUrl: string;
  /** The programs' upgrade authority, funded with 1,000,000 SOL at genesis (`<ledger>/authority.json`). */
  authority: Keypair;
  ledger: string;
  /** Moves the Clock's unix_timestamp forward by `seconds` and passes one slot (`cloak_increaseTime`). */
  increaseTime(seconds: number): Promise<{ slot: number; unixTimestamp: number }>;
  /** Passes `slots` slots, each with a new SlotHashes entry and blockhash (`cloak_advanceSlots`). */
  advanceSlots(slots: number): Promise<{ slot: number }>;
  /** A new keypair holding `sol` SOL, by airdrop. */
  fundedKeypair(sol?: number): Promise<Keypair>;
  airdrop(to: PublicKey, lamports: number): Promise<void>;
  /** SIGTERM, then waits for the exit and removes the ledger. */
  stop(): Promise<void>;
}

export interface LocalnetOptions {
  /** Milliseconds per slot; 100 unless given. */
  slotTimeMs?: number;
  /** Milliseconds to wait for the ready line; 60 s unless given. */
  startTimeoutMs?: number;
  /** JSON-RPC port; a free one unless given (`npm run chains` serves the usual 8899). */
  rpcPort?: number;
  /** WebSocket port; a free one unless given. */
  wsPort?: number;
}

/** Starts a node on loopback (free ports unless told which) with a fresh ledger in a temporary directory. */
export async function startLocalnet(options: LocalnetOptions = {}): Promise<Localnet> {
  if (!existsSync(LOCALNET_BINARY)) {
    throw new Error(`${LOCALNET_BINARY} is missing: build it with 'bash scripts/localnet.sh --build-only' (npm run test:solana does)`);
  }
  const ledger = mkdtempSync(join(tmpdir(), "cloak-localnet-"));
  const args = ["--rpc-port", String(options.rpcPort ?? 0), "--ws-port", String(options.wsPort ?? 0), "--ledger", ledger, "--reset", "--slot-time", String(options.slotTimeMs ?? 100)];
  const child = spawn(LOCALNET_BINARY, args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let ready: RegExpMatchArray;
  try {
    ready = await waitForReady(child, options.startTimeoutMs ?? 60_000, (chunk) => (output += chunk));
  } catch (error) {
    child.kill("SIGKILL");
    await exited;
    rmSync(ledger, { recursive: true, force: true });
    throw error;
  }
  // Keep draining the pipes so a chatty node never blocks on a full buffer.
  child.stdout.resume();
  child.stderr.resume();
  const [, rpcUrl, wsUrl, authorityKey] = ready as unknown as [string, string, string, string];
  const authority = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(join(ledger, "authority.json"), "utf8")) as number[]));
  if (authority.publicKey.toBase58() !== authorityKey) {
    throw new Error(`the node announced authority ${authorityKey} but ${ledger}/authority.json holds ${authority.publicKey.toBase58()}`);
  }
  const connection = new Connection(rpcUrl, { commitment: "confirmed", wsEndpoint: wsUrl });
  const call = async <T>(method: string, params: unknown[]): Promise<T> => {
    const response = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    const body = (await response.json()) as { result?: T; error?: { code: number; message: string } };
    if (body.error) throw new Error(`${method}: ${body.error.code} ${body.error.message}`);
    return body.result as T;
  };
  const airdrop = async (to: PublicKey, lamports: number) => {
    const signature = await connection.requestAirdrop(to, lamports);
    const latest = await connection.getLatestBlockhash();
    await connection.confirmTransaction({ signature, ...latest });
  };
  let stopped: Promise<void> | undefined;
  return {
    connection,
    rpcUrl,
    wsUrl,
    authority,
    ledger,
    increaseTime: (seconds) => call("cloak_increaseTime", [seconds]),
    advanceSlots: (slots) => call("cloak_advanceSlots", [slots]),
    airdrop,
    async fundedKeypair(sol = 10) {
      const keypair = Keypair.generate();
      await airdrop(keypair.publicKey, sol * LAMPORTS_PER_SOL);
      return keypair;
    },
    stop() {
      stopped ??= (async () => {
        closeWebSocket(connection);
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        const code = await exited;
        rmSync(ledger, { recursive: true, force: true });
        if (code !== 0 && code !== null) throw new Error(`cloak-localnet exited with ${code}:\n${output}`);
      })();
      return stopped;
    },
  };
}

/**
 * web3.js opens the connection's WebSocket for subscriptions (confirmTransaction's signatureSubscribe)
 * and reconnects it forever when the server goes away, which would keep the test process alive after
 * the node stops. It offers no public way to close it, hence the private field.
 */
function closeWebSocket(connection: Connection): void {
  const socket = (connection as unknown as { _rpcWebSocket?: { setAutoReconnect(reconnect: boolean): void; close(): void } })._rpcWebSocket;
  socket?.setAutoReconnect(false);
  socket?.close();
}

function waitForReady(child: ChildProcessByStdio<null, Readable, Readable>, timeoutMs: number, record: (chunk: string) => void): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let all = "";
    const timer = setTimeout(() => fail(new Error(`cloak-localnet printed no ready line within ${timeoutMs} ms:\n${all}`)), timeoutMs);
    const onStdout = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      stdout += text;
      all += text;
      record(text);
      const match = READY_LINE.exec(stdout);
      if (match) done(() => resolve(match));
    };
    const onStderr = (chunk: Buffer) => {
      all += chunk.toString("utf8");
      record(chunk.toString("utf8"));
    };
    const onExit = (code: number | null) => fail(new Error(`cloak-localnet exited (${code}) before it was ready:\n${all}`));
    const done = (settle: () => void) => {
      clearTimeout(timer);
      child.stdout.off("data", onStdout);
      child.stderr.off("data", onStderr);
      child.off("exit", onExit);
      settle();
    };
    const fail = (error: Error) => done(() => reject(error));
    child.stdout.on("data", onStdout);
    child.stderr.on("data", onStderr);
    child.once("exit", onExit);
  });
}
