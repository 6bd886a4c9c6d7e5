// The native prover (@cloak/native) against the ceremony's depth-20 key: its proofs verify with
// snarkjs (library and CLI), malformed keys and witnesses are coded errors that leave the process
// proving, the backend choice falls back to snarkjs, and its Poseidon is circomlib's.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadNative, NativeError, type NativeAddon, type NativeErrorCode } from "@cloak/native";
import {
  CloakError,
  ErrorCode,
  FIELD_SIZE,
  NativeProver,
  WitnessGenerator,
  bigIntToBytes,
  createProver,
  getPoseidon,
  loadArtifacts,
  publicSignalsOf,
  releaseProvingResources,
  verifyProof,
  type ProverArtifacts,
} from "@cloak/sdk";
import { PRODUCTION_DEPTH, artifactsDir, repoRoot, transferAndWithdraw } from "../support/fixtures.ts";

after(releaseProvingResources);

const addon = loadNative();
if (!addon) throw new Error("@cloak/native did not load: run `npm run build:native`");
const native: NativeAddon = addon;

let artifacts: ProverArtifacts;
let prover: NativeProver;
let tablesProver: NativeProver;
let wtns: Uint8Array;

before(async () => {
  artifacts = await loadArtifacts(artifactsDir(PRODUCTION_DEPTH));
  prover = await NativeProver.create(artifacts);
  tablesProver = await NativeProver.create(artifacts, { fixedBaseTables: true });
  const tx = await transferAndWithdraw(PRODUCTION_DEPTH);
  wtns = await (await WitnessGenerator.create(artifacts.wasm)).wtns(tx.circuitInputs);
});

function assertNativeError(fn: () => unknown, code: NativeErrorCode, message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof NativeError, `expected a NativeError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    return true;
  });
}

async function assertNativeRejection(promise: Promise<unknown>, code: NativeErrorCode, message: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof NativeError, `expected a NativeError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    return true;
  });
}

/** Runs `fn` with the environment variable `name` set to `value`, then removes it. */
async function withEnv(name: string, value: string, fn: () => Promise<void>): Promise<void> {
  process.env[name] = value;
  try {
    await fn();
  } finally {
    delete process.env[name];
  }
}

/** The snarkjs JSON files the CLI reads (projective, with protocol and curve). */
function snarkjsProofJson(proof: { pi_a: string[]; pi_b: string[][]; pi_c: string[] }) {
  return { pi_a: [...proof.pi_a, "1"], pi_b: [...proof.pi_b, ["1", "0"]], pi_c: [...proof.pi_c, "1"], protocol: "groth16", curve: "bn128" };
}

const msmModes: ReadonlyArray<[string, () => NativeProver]> = [
  ["variable-base MSMs", () => prover],
  ["fixed-base tables", () => tablesProver],
];

for (const [mode, proverOf] of msmModes) describe(`native prover (depth 20, ${mode})`, () => {
  it("makes a join-split proof snarkjs verifies, with the circuit's public signals", async () => {
    const tx = await transferAndWithdraw(PRODUCTION_DEPTH);
    const result = await proverOf().prove(tx.circuitInputs);
    assert.equal(proverOf().name, "native");
    assert.deepEqual(result.publicSignals, publicSignalsOf(tx.publicInputs));
    assert.equal(await verifyProof(artifacts.verificationKey, result.proof, result.publicSignals), true);
  });

  it("makes a proof the snarkjs CLI verifies", async () => {
    const tx = await transferAndWithdraw(PRODUCTION_DEPTH);
    const result = await proverOf().prove(tx.circuitInputs);
    const dir = mkdtempSync(join(tmpdir(), "cloak-native-cli-"));
    try {
      writeFileSync(join(dir, "proof.json"), JSON.stringify(snarkjsProofJson(result.proof)));
      writeFileSync(join(dir, "public.json"), JSON.stringify(result.publicSignals.map(String)));
      const out = execFileSync(
        join(repoRoot, "node_modules/.bin/snarkjs"),
        ["groth16", "verify", join(artifactsDir(PRODUCTION_DEPTH), "verification_key.json"), join(dir, "public.json"), join(dir, "proof.json")],
        { encoding: "utf8" },
      );
      assert.match(out, /OK!/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("makes a proof snarkjs rejects under a changed public signal", async () => {
    const tx = await transferAndWithdraw(PRODUCTION_DEPTH);
    const result = await proverOf().prove(tx.circuitInputs);
    const signals = [...result.publicSignals];
    signals[2] = (signals[2]! + 1n) % FIELD_SIZE;
    assert.equal(await verifyProof(artifacts.verificationKey, result.proof, signals), false);
  });
});

describe("fixed-base tables", () => {
  it("are absent until built, then every proof uses them", async () => {
    const key = native.loadProvingKey(artifacts.zkey);
    assert.equal(key.tablesBytes, 0);
    assert.equal((await key.prove(wtns)).fixedBase, false);
    const report = await key.buildTables();
    assert.ok(report.buildMs > 0);
    assert.ok(report.bytes > 50 * 2 ** 20, `tables of ${report.bytes} bytes`);
    assert.equal(key.tablesBytes, report.bytes);
    assert.ok(["avx512-ifma", "portable"].includes(report.arithmetic), report.arithmetic);
    const proof = await key.prove(wtns);
    assert.equal(proof.fixedBase, true);
    assert.deepEqual(proof.publicSignals, (await key.prove(wtns)).publicSignals);
  });

  it("are built once: building again returns the same tables", async () => {
    const key = native.loadProvingKey(artifacts.zkey);
    const first = await key.buildTables();
    const again = await key.buildTables();
    assert.equal(again.bytes, first.bytes);
    assert.ok(again.buildMs < first.buildMs / 10, `rebuilt in ${again.buildMs} ms after ${first.buildMs} ms`);
  });

  it("keep the portable arithmetic under CLOAK_NATIVE_IFMA=0, and still prove", async () => {
    await withEnv("CLOAK_NATIVE_IFMA", "0", async () => {
      const key = native.loadProvingKey(artifacts.zkey);
      assert.equal((await key.buildTables()).arithmetic, "portable");
      const proof = await key.prove(wtns);
      assert.equal(proof.fixedBase, true);
      const publicSignals = proof.publicSignals.map((s) => BigInt(s));
      assert.equal(await verifyProof(artifacts.verificationKey, proof, publicSignals), true);
    });
  });

  it("are reported by the SDK prover that uses them, and absent by default", () => {
    assert.equal(prover.fixedBaseTables, null);
    assert.ok(tablesProver.fixedBaseTables !== null && tablesProver.fixedBaseTables.bytes > 0);
  });
});

describe("native addon refusals", () => {
  it("refuses a truncated zkey with INVALID_ZKEY", () => {
    const truncated = artifacts.zkey.subarray(0, artifacts.zkey.length >> 1);
    assertNativeError(() => native.loadProvingKey(truncated), "INVALID_ZKEY", "section 6 runs past the end of the file");
  });

  it("refuses a zkey whose header counts disagree with its sections with INVALID_ZKEY", () => {
    const zkey = Uint8Array.from(artifacts.zkey);
    // nVars sits after the header section's id/length, n8q, q, n8r and r.
    const view = new DataView(zkey.buffer);
    const headerStart = findSection(zkey, 2);
    const nVars = view.getUint32(headerStart + 72, true);
    view.setUint32(headerStart + 72, nVars + 1, true);
    assertNativeError(() => native.loadProvingKey(zkey), "INVALID_ZKEY", `section 5 has ${nVars * 64} bytes, the header implies ${(nVars + 1) * 64}`);
  });

  it("refuses bytes that are not a zkey with INVALID_ZKEY", () => {
    assertNativeError(() => native.loadProvingKey(new TextEncoder().encode("not a proving key")), "INVALID_ZKEY", 'not a zkey file (magic is not "zkey")');
  });

  it("turns a refused zkey into the SDK's ARTIFACT_MISMATCH", async () => {
    await assert.rejects(NativeProver.create({ ...artifacts, zkey: artifacts.zkey.subarray(0, 100) }), (error: unknown) => {
      assert.ok(error instanceof CloakError);
      assert.equal(error.code, ErrorCode.ARTIFACT_MISMATCH);
      assert.equal(error.message, "the native prover refused the zkey: section 2 runs past the end of the file");
      assert.equal((error.cause as NativeError).code, "INVALID_ZKEY");
      return true;
    });
  });

  it("refuses a witness with a value missing with INVALID_WITNESS", async () => {
    const key = native.loadProvingKey(artifacts.zkey);
    const short = Uint8Array.from(wtns);
    const view = new DataView(short.buffer);
    view.setUint32(60, key.nVars - 1, true);
    await assertNativeRejection(key.prove(short), "INVALID_WITNESS", `${key.nVars - 1} values; the proving key needs ${key.nVars}`);
  });

  it("refuses a witness value equal to the field modulus with INVALID_WITNESS", async () => {
    const key = native.loadProvingKey(artifacts.zkey);
    const bad = Uint8Array.from(wtns);
    // The values start at byte 76 (after the 64-byte header section and the values' section header);
    // value 1 is the first public signal.
    bad.set(bigIntToBytes(FIELD_SIZE, 32).reverse(), 76 + 32);
    await assertNativeRejection(key.prove(bad), "INVALID_WITNESS", "value 1 is not below the field modulus");
  });

  it("refuses a truncated witness with INVALID_WITNESS", async () => {
    const key = native.loadProvingKey(artifacts.zkey);
    await assertNativeRejection(key.prove(wtns.subarray(0, wtns.length - 1)), "INVALID_WITNESS", "the values are truncated or followed by extra bytes");
  });

  it("still proves after refusing malformed keys and witnesses", async () => {
    const key = native.loadProvingKey(artifacts.zkey);
    await assert.rejects(key.prove(new Uint8Array(8)));
    assert.throws(() => native.loadProvingKey(new Uint8Array(8)));
    const proof = await key.prove(wtns);
    assert.equal(proof.publicSignals.length, 7);
  });
});

function findSection(zkey: Uint8Array, id: number): number {
  const view = new DataView(zkey.buffer, zkey.byteOffset, zkey.byteLength);
  let at = 12;
  for (let i = 0; i < view.getUint32(8, true); i++) {
    const length = Number(view.getBigUint64(at + 4, true));
    if (view.getUint32(at, true) === id) return at + 12;
    at += 12 + length;
  }
  throw new Error(`no section ${id}`);
}

describe("prover backend choice", () => {
  it("picks the native prover where the addon loads", async () => {
    assert.equal((await createProver(artifacts)).name, "native");
  });

  it("proves with snarkjs when asked to", async () => {
    assert.equal((await createProver(artifacts, { backend: "snarkjs" })).name, "snarkjs");
  });

  it("falls back to snarkjs when the addon does not load", async () => {
    await withEnv("CLOAK_NATIVE_DISABLE", "1", async () => {
      assert.equal((await createProver(artifacts)).name, "snarkjs");
    });
  });

  it("refuses the native backend with PROVER_UNAVAILABLE when the addon does not load", async () => {
    await withEnv("CLOAK_NATIVE_DISABLE", "1", async () => {
      await assert.rejects(createProver(artifacts, { backend: "native" }), (error: unknown) => {
        assert.ok(error instanceof CloakError);
        assert.equal(error.code, ErrorCode.PROVER_UNAVAILABLE);
        assert.equal(error.message, "the native prover is not available: disabled by CLOAK_NATIVE_DISABLE=1");
        return true;
      });
    });
  });

  it("builds fixed-base tables when CLOAK_PROVER_TABLES=1", async () => {
    await withEnv("CLOAK_PROVER_TABLES", "1", async () => {
      const chosen = await createProver(artifacts);
      assert.ok(chosen instanceof NativeProver);
      assert.ok(chosen.fixedBaseTables !== null);
    });
  });

  it("refuses a CLOAK_PROVER_TABLES other than 0 or 1 with INVALID_OPTION", async () => {
    await withEnv("CLOAK_PROVER_TABLES", "yes", async () => {
      await assert.rejects(createProver(artifacts), (error: unknown) => {
        assert.ok(error instanceof CloakError);
        assert.equal(error.code, ErrorCode.INVALID_OPTION);
        assert.equal(error.message, 'CLOAK_PROVER_TABLES must be 0 or 1, not "yes"');
        return true;
      });
    });
  });

  it("refuses an unknown backend with INVALID_OPTION", async () => {
    await assert.rejects(createProver(artifacts, { backend: "gpu" as "auto" }), (error: unknown) => {
      assert.ok(error instanceof CloakError);
      assert.equal(error.code, ErrorCode.INVALID_OPTION);
      assert.equal(error.message, 'prover backend "gpu" is not one of auto, native, snarkjs');
      return true;
    });
  });
});

describe("native Poseidon", () => {
  it("equals circomlibjs' Poseidon for 1 to 12 inputs", async () => {
    const poseidon = await getPoseidon();
    for (let arity = 1; arity <= 12; arity++) {
      const inputs = Array.from({ length: arity }, (_, i) => (FIELD_SIZE - 1n - BigInt(i * 7919)) % FIELD_SIZE);
      assert.equal(native.poseidonHash(inputs), poseidon.hash(inputs), `arity ${arity}`);
    }
  });

  it("hashes a batch to the same values as one hash at a time", async () => {
    const poseidon = await getPoseidon();
    // 300 pairs: above the size from which the batch runs on every core.
    const pairs = Array.from({ length: 300 }, (_, i) => [BigInt(i), FIELD_SIZE - 1n - BigInt(i)] as const);
    const packed = new Uint8Array(pairs.length * 64);
    pairs.forEach(([a, b], i) => {
      packed.set(bigIntToBytes(a, 32), i * 64);
      packed.set(bigIntToBytes(b, 32), i * 64 + 32);
    });
    const hashes = native.poseidonHashBatch(2, packed);
    assert.equal(hashes.length, 300 * 32);
    pairs.forEach(([a, b], i) => {
      assert.deepEqual(Array.from(hashes.subarray(i * 32, i * 32 + 32)), Array.from(bigIntToBytes(poseidon.hash([a, b]), 32)), `pair ${i}`);
    });
  });

  it("refuses an input equal to the field modulus with INVALID_INPUT", () => {
    assertNativeError(() => native.poseidonHash([1n, FIELD_SIZE]), "INVALID_INPUT", "input 1 is not below the field modulus");
  });

  it("refuses a batch that is not whole tuples with INVALID_INPUT", () => {
    assertNativeError(() => native.poseidonHashBatch(2, new Uint8Array(65)), "INVALID_INPUT", "65 bytes is not a whole number of 2-element tuples");
  });

  it("refuses 13 inputs with INVALID_INPUT", () => {
    assertNativeError(() => native.poseidonHash(Array.from({ length: 13 }, () => 1n)), "INVALID_INPUT", "poseidon takes 1 to 12 inputs, got 13");
  });
});
