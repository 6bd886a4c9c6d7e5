// How a Solana command reads `-u/--url`, `--rpc-url`, `--cluster` and `-k/--keypair`, as the solana CLI
// spells them; no node needed.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Keypair } from "@solana/web3.js";
import { clusterName, readKeypair, resolveRpcUrl } from "../../../tasks/solana/lib/cluster.ts";

const MAINNET_GENESIS = "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d";

describe("Solana command options", () => {
  it("-u takes the solana CLI's monikers in long and one-letter form, and defaults to localhost", () => {
    assert.equal(resolveRpcUrl({ url: "localhost", rpcUrl: "" }), "http://127.0.0.1:8899");
    assert.equal(resolveRpcUrl({ url: "d", rpcUrl: "" }), "https://api.devnet.solana.com");
    assert.equal(resolveRpcUrl({ url: "mainnet-beta", rpcUrl: "" }), "https://api.mainnet-beta.solana.com");
    assert.equal(resolveRpcUrl({ url: "", rpcUrl: "" }), "http://127.0.0.1:8899");
  });

  it("--rpc-url stands for -u, and the two naming different endpoints are refused", () => {
    assert.equal(resolveRpcUrl({ url: "", rpcUrl: "http://10.0.0.1:8899" }), "http://10.0.0.1:8899");
    assert.equal(resolveRpcUrl({ url: "http://10.0.0.1:8899", rpcUrl: "http://10.0.0.1:8899" }), "http://10.0.0.1:8899");
    assert.throws(() => resolveRpcUrl({ url: "devnet", rpcUrl: "http://10.0.0.1:8899" }), /INVALID_ARGUMENT: --url devnet and --rpc-url http:\/\/10\.0\.0\.1:8899 name different endpoints/);
    assert.throws(() => resolveRpcUrl({ url: "ftp://x", rpcUrl: "" }), /INVALID_ARGUMENT: --url: 'ftp:\/\/x' is neither an http\(s\) URL nor one of localhost, devnet, testnet, mainnet-beta/);
  });

  it("the deployment is named by --cluster, else by the public cluster's genesis hash, else localnet on loopback", () => {
    assert.equal(clusterName("staging", "https://rpc.example.com", "x"), "staging");
    assert.equal(clusterName("", "https://my-provider.example.com/key", MAINNET_GENESIS), "mainnet-beta");
    assert.equal(clusterName("", "http://127.0.0.1:38111", "local-genesis"), "localnet");
    assert.throws(() => clusterName("", "https://rpc.example.com", "other-genesis"), /INVALID_ARGUMENT: rpc\.example\.com is not a public cluster nor on this machine: name its deployment with --cluster <name>/);
  });

  it("-k reads a solana CLI keypair file and refuses anything else, naming the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "cloak-keypair-"));
    const keypair = Keypair.generate();
    const good = join(dir, "id.json");
    writeFileSync(good, JSON.stringify(Array.from(keypair.secretKey)));
    assert.equal(readKeypair(good).publicKey.toBase58(), keypair.publicKey.toBase58());
    const short = join(dir, "short.json");
    writeFileSync(short, JSON.stringify([1, 2, 3]));
    assert.throws(() => readKeypair(short), new RegExp(`INVALID_ARGUMENT: --keypair: ${short} is not a keypair file \\(expected an array of 64 byte values\\)`));
    const mismatched = join(dir, "mismatched.json");
    writeFileSync(mismatched, JSON.stringify([...keypair.secretKey.slice(0, 32), ...Keypair.generate().publicKey.toBytes()]));
    assert.throws(() => readKeypair(mismatched), /INVALID_ARGUMENT: --keypair: .* holds 64 bytes that are not a keypair/);
    assert.throws(() => readKeypair(join(dir, "missing.json")), /INVALID_ARGUMENT: --keypair: .*missing\.json does not exist/);
  });
});
