import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ErrorCode } from "../src/index.js";
import { toSolanaVerifyingKey, type SnarkjsVerificationKey } from "../src/solana/index.js";
import { assertCloakError } from "./helpers.js";
import { repoRoot } from "./solana-fixture.js";

const vkey = JSON.parse(readFileSync(join(repoRoot, "sdk/artifacts/transaction_20/verification_key.json"), "utf8")) as SnarkjsVerificationKey;

/** Every byte of the key compiled into the programs (program-libs/cloak-zk/src/verifying_key.rs), in order. */
function programKeyBytes(): Uint8Array {
  const source = readFileSync(join(repoRoot, "program-libs/cloak-zk/src/verifying_key.rs"), "utf8");
  const body = source.slice(source.indexOf("Groth16Verifyingkey {"));
  return Uint8Array.from([...body.matchAll(/0x([0-9a-fA-F]{2})\b/g)].map((match) => parseInt(match[1]!, 16)));
}

describe("Solana verifying key", () => {
  it("lays out the join-split key byte for byte as the programs compile it", () => {
    const key = toSolanaVerifyingKey(vkey);
    const bytes = Buffer.concat([key.alphaG1, key.betaG2, key.gammaG2, key.deltaG2, ...key.ic]);
    assert.equal(bytes.length, 64 + 3 * 128 + 8 * 64);
    assert.deepEqual(new Uint8Array(bytes), programKeyBytes());
  });

  it("refuses a key for another number of public inputs", () => {
    assertCloakError(() => toSolanaVerifyingKey({ ...vkey, nPublic: 6, IC: vkey.IC.slice(1) }), ErrorCode.INVALID_PROOF_ENCODING, "verifyingKey.IC");
  });
});
