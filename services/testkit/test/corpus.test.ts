import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { releaseProvingResources } from "@cloak/sdk";
import { CORPUS_COUNTS, CORPUS_SEED, TestkitError, TestkitErrorCode, checkCorpus, corpusDir, corpusFile, currentVkeySha256, loadEvmCorpus, loadSolanaCorpus, SOLANA_CORPUS_RELAYER } from "../src/index.ts";

after(() => releaseProvingResources());

describe("the committed proof corpus", () => {
  it("verifies every proof against the verifying key and matches its headers", async () => {
    const report = await checkCorpus();
    assert.deepEqual(report.evm, { deposits: CORPUS_COUNTS.evmDeposits, withdrawals: CORPUS_COUNTS.evmWithdrawals });
    assert.deepEqual(report.solana, { deposits: CORPUS_COUNTS.solanaDeposits, withdrawals: CORPUS_COUNTS.solanaWithdrawals });
    const evm = loadEvmCorpus();
    const solana = loadSolanaCorpus();
    assert.equal(evm.header.vkeySha256, currentVkeySha256());
    assert.equal(solana.header.vkeySha256, currentVkeySha256());
    assert.equal(evm.header.seed, CORPUS_SEED);
    assert.equal(evm.header.chainId, "31337");
    assert.equal(solana.header.relayer, SOLANA_CORPUS_RELAYER.publicKey.toBase58());
    assert.ok(solana.withdrawals.every((entry) => entry.extData.relayer === solana.header.relayer && BigInt(entry.extData.fee) > 0n));
  });

  it("refuses a corpus made for another verifying key, naming both fingerprints", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cloak-corpus-test-"));
    try {
      cpSync(corpusDir, dir, { recursive: true });
      const file = corpusFile("evm.json", dir);
      const corpus = JSON.parse(readFileSync(file, "utf8")) as { header: { vkeySha256: string } };
      corpus.header.vkeySha256 = "00".repeat(32);
      writeFileSync(file, JSON.stringify(corpus));
      await assert.rejects(checkCorpus(dir), (error: unknown) => {
        assert.ok(error instanceof TestkitError);
        assert.equal(error.code, TestkitErrorCode.CORPUS_INVALID);
        assert.equal(error.message, `${file}: made for verifying key sha256 ${"00".repeat(32)}, the current one is ${currentVkeySha256()} (run npm run corpus)`);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
