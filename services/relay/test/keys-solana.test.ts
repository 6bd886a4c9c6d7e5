import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Keypair } from "@solana/web3.js";
import { keysSection } from "../src/config.ts";
import { RelayErrorCode } from "../src/errors.ts";
import { loadSolanaKeypair } from "../src/keys.ts";

const dir = mkdtempSync(join(tmpdir(), "cloak-relay-keys-"));

/** A keypair file in the solana CLI's format with the given mode. */
function keypairFile(name: string, content: string, mode: number): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

describe("the Solana relayer keypair", () => {
  it("loads an owner-only keypair file in the solana CLI's format", () => {
    const keypair = Keypair.generate();
    const path = keypairFile("relayer.json", JSON.stringify(Array.from(keypair.secretKey)), 0o600);
    assert.equal(loadSolanaKeypair(keysSection.parse({ solana_keypair: path })).publicKey.toBase58(), keypair.publicKey.toBase58());
  });

  it("refuses a keypair file others can read", () => {
    const path = keypairFile("shared.json", JSON.stringify(Array.from(Keypair.generate().secretKey)), 0o644);
    assert.throws(() => loadSolanaKeypair(keysSection.parse({ solana_keypair: path })), {
      name: "RelayError",
      code: RelayErrorCode.INVALID_CONFIG,
      message: `keys.solana_keypair = "${path}": readable by others (mode 644); make it its owner's only: chmod 600 ${path}`,
    });
  });

  it("refuses a file that is not a keypair", () => {
    const path = keypairFile("short.json", JSON.stringify([1, 2, 3]), 0o600);
    assert.throws(() => loadSolanaKeypair(keysSection.parse({ solana_keypair: path })), {
      name: "RelayError",
      code: RelayErrorCode.INVALID_CONFIG,
      message: `keys.solana_keypair = "${path}": not a Solana keypair (a JSON array of 64 bytes)`,
    });
  });

  it("refuses to relay on Solana without a keypair configured", () => {
    assert.throws(() => loadSolanaKeypair(keysSection.parse({})), {
      name: "RelayError",
      code: RelayErrorCode.INVALID_CONFIG,
      message: "keys.solana_keypair: required to relay on Solana (a keypair file, the solana CLI's format)",
    });
  });
});
