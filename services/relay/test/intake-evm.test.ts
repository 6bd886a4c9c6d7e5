import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { JsonRpcProvider, getAddress } from "ethers";
import { FIELD_SIZE, hashEvmExtData, releaseProvingResources, toHex32, toSolidityProof } from "@cloak/sdk";
import {
  EVM_DEPLOYER,
  EVM_RELAYER,
  HARDHAT_ACCOUNTS,
  deployEvm,
  evmExtDataOf,
  runHardhatTask,
  startHardhatNode,
  submitEvmCorpus,
  submitEvmWithdrawals,
  type EvmCorpusEntry,
  type EvmDeployment,
  type HardhatNode,
} from "@cloak/service-testkit";
import { RelayErrorCode } from "../src/errors.ts";
import { corpus, requestOf } from "./support/evm.ts";
import { EvmIntake, bundledVerificationKey, evmIntakeDeployment, quoteEvm, type EvmIntakeDeployment, type EvmIntakeOptions, type EvmQuote, type EvmRelayRequest } from "../src/intake/index.ts";

// Every refusal is a real corpus withdrawal (a real Groth16 proof against the root after the 512 corpus
// deposits) made wrong in exactly one way, checked against a real Hardhat node running the deployment.

const withdrawal = (index: number): EvmCorpusEntry => corpus.withdrawals[index]!;
const FEES = { margin_percent: 20, quote_ttl: 60_000, token_prices: {} };
/** The corpus pays 1e14 wei; a Hardhat node's 1 gwei priority fee alone quotes ~1e15, so the accepting tests state a quote at exactly the corpus fee. */
const CORPUS_FEE = BigInt(corpus.withdrawals[0]!.extData.fee);
const statedQuote = async (): Promise<EvmQuote> => ({ fee: CORPUS_FEE, expiresAt: new Date(Date.now() + 60_000), gasLimit: 798_814n, maxFeePerGas: 1n });


async function refused(check: Promise<unknown>, code: RelayErrorCode, message: string): Promise<void> {
  await assert.rejects(check, { name: "RelayError", code, message });
}

describe("EVM intake", () => {
  let node: HardhatNode;
  let dir: string;
  let deployment: EvmDeployment;
  let intakeDeployment: EvmIntakeDeployment;
  let provider: JsonRpcProvider;
  const intake = (overrides: Partial<EvmIntakeOptions> = {}) =>
    new EvmIntake({ provider, deployment: intakeDeployment, relayer: EVM_RELAYER, verificationKey: bundledVerificationKey(), quote: statedQuote, ...overrides });

  /** An admin task proposed to the deployment's 1-of-1 Safe and executed, as an operator does it. */
  const safeRuns = async (task: string, ...args: string[]) => {
    const proposal = join(dir, `${task.replace(":", "-")}.json`);
    await runHardhatTask(node.url, dir, [task, ...args, "--via-safe", "--proposal", proposal, "--from", EVM_DEPLOYER]);
    await runHardhatTask(node.url, dir, ["safe:execute", "--file", proposal, "--from", EVM_DEPLOYER]);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "cloak-relay-intake-"));
    node = await startHardhatNode();
    deployment = await deployEvm(node.url, dir);
    intakeDeployment = evmIntakeDeployment(deployment.path);
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
  });

  after(async () => {
    provider?.destroy();
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
    await releaseProvingResources();
  });

  it("refuses a withdrawal whose root the pool has not reached yet (UNKNOWN_ROOT)", async () => {
    const entry = withdrawal(0);
    await refused(
      intake().check(requestOf(entry)),
      RelayErrorCode.UNKNOWN_ROOT,
      `publicSignals[0] (root): ${toHex32(BigInt(entry.publicSignals[0]!))} is not among the pool's known roots`,
    );
  });

  describe("after the corpus deposits", () => {
    before(async () => {
      await submitEvmCorpus(node.url, deployment, { concurrency: 4 });
    });

    it("accepts a relayed corpus withdrawal and names its nullifiers, fee and pool", async () => {
      const entry = withdrawal(0);
      const accepted = await intake().check(requestOf(entry));
      assert.equal(accepted.ok, true);
      assert.equal(accepted.pool, getAddress(corpus.header.pool));
      assert.equal(accepted.fee, CORPUS_FEE);
      assert.deepEqual(accepted.nullifiers, [toHex32(BigInt(entry.publicSignals[3]!)), toHex32(BigInt(entry.publicSignals[4]!))]);
    });

    it("accepts the proof in the Solidity form ShieldPool.transact takes", async () => {
      const entry = withdrawal(1);
      const { pA, pB, pC } = toSolidityProof(entry.proof);
      const text = (pair: readonly bigint[]) => pair.map(String);
      const request = { ...requestOf(entry), proof: { pA: text(pA), pB: [text(pB[0]), text(pB[1])], pC: text(pC) } };
      assert.equal((await intake().check(request)).ok, true);
    });

    it("refuses a ciphertext longer than an encrypted note (INVALID_REQUEST)", async () => {
      const request = requestOf(withdrawal(0));
      request.extData.encryptedOutput1 = `${request.extData.encryptedOutput1}00`;
      await refused(intake().check(request), RelayErrorCode.INVALID_REQUEST, "extData.encryptedOutput1: must be at most 113 bytes");
    });

    it("refuses an address whose mixed case is not its checksum (INVALID_REQUEST)", async () => {
      const request = requestOf(withdrawal(0));
      request.extData.recipient = request.extData.recipient.replace("d", "D");
      await refused(intake().check(request), RelayErrorCode.INVALID_REQUEST, "extData.recipient: has mixed case that is not its EIP-55 checksum");
    });

    it("refuses a pool outside the deployment (UNKNOWN_POOL)", async () => {
      const request = { ...requestOf(withdrawal(0)), pool: deployment.orchestrator };
      await refused(intake().check(request), RelayErrorCode.UNKNOWN_POOL, `pool: ${getAddress(deployment.orchestrator)} is not a pool of this relay's deployment`);
    });

    it("refuses ExtData bound to another chain (WRONG_CHAIN)", async () => {
      const request = requestOf(withdrawal(0));
      request.extData.chainId = "1";
      await refused(intake().check(request), RelayErrorCode.WRONG_CHAIN, "extData.chainId: 1 is not this relay's chain 31337");
    });

    it("refuses a withdrawal paying another relayer (WRONG_RELAYER)", async () => {
      const other = HARDHAT_ACCOUNTS[2];
      await refused(
        intake({ relayer: other }).check(requestOf(withdrawal(0))),
        RelayErrorCode.WRONG_RELAYER,
        `extData.relayer: ${EVM_RELAYER} is not this relay (${other}), so it would not earn the fee`,
      );
    });

    it("refuses ExtData whose fee was changed after proving (EXT_DATA_MISMATCH)", async () => {
      const entry = withdrawal(0);
      const request = requestOf(entry);
      request.extData.fee = String(CORPUS_FEE + 1n);
      const hash = hashEvmExtData({ ...evmExtDataOf(corpus.header, entry.extData), fee: CORPUS_FEE + 1n });
      await refused(
        intake().check(request),
        RelayErrorCode.EXT_DATA_MISMATCH,
        `extData: hashes to ${toHex32(hash)}, not publicSignals[2] (extDataHash) ${toHex32(BigInt(entry.publicSignals[2]!))}`,
      );
    });

    it("refuses a publicAmount that is not extAmount - fee (PUBLIC_AMOUNT_MISMATCH)", async () => {
      const entry = withdrawal(0);
      const request = requestOf(entry);
      request.publicSignals[1] = "5";
      const expected = (BigInt(entry.extData.extAmount) - CORPUS_FEE + FIELD_SIZE) % FIELD_SIZE;
      await refused(intake().check(request), RelayErrorCode.PUBLIC_AMOUNT_MISMATCH, `publicSignals[1] (publicAmount): 5 is not (extAmount - fee) mod p = ${expected}`);
    });

    it("refuses two equal input nullifiers (DUPLICATE_NULLIFIER)", async () => {
      const entry = withdrawal(0);
      const request = requestOf(entry);
      request.publicSignals[4] = request.publicSignals[3]!;
      await refused(
        intake().check(request),
        RelayErrorCode.DUPLICATE_NULLIFIER,
        `publicSignals[3..4] (inputNullifiers): both are ${toHex32(BigInt(entry.publicSignals[3]!))}`,
      );
    });

    it("refuses a proof whose output commitment was tampered with (INVALID_PROOF)", async () => {
      const request = requestOf(withdrawal(0));
      request.publicSignals[5] = String((BigInt(request.publicSignals[5]!) + 1n) % FIELD_SIZE);
      await refused(intake().check(request), RelayErrorCode.INVALID_PROOF, "proof: does not verify against publicSignals with the depth-20 verification key");
    });

    it("refuses a fee below the current quote and names both amounts (FEE_TOO_LOW)", async () => {
      let quoted: EvmQuote | undefined;
      const quote = async () => (quoted = await quoteEvm(provider, { ...FEES, margin_percent: 1000 }, getAddress("0x0000000000000000000000000000000000000000")));
      const check = intake({ quote }).check(requestOf(withdrawal(0)));
      await assert.rejects(check, (error: { code: RelayErrorCode; message: string }) => {
        assert.equal(error.code, RelayErrorCode.FEE_TOO_LOW);
        assert.equal(error.message, `extData.fee: ${CORPUS_FEE} is below the current quote of ${quoted!.fee}`);
        return true;
      });
    });

    it("quotes the measured withdrawal gas × the EIP-1559 max fee × (1 + margin), valid for quote_ttl", async () => {
      const now = Date.now();
      const quote = await quoteEvm(provider, FEES, "0x0000000000000000000000000000000000000000", now);
      const { maxFeePerGas } = await provider.getFeeData();
      assert.equal(quote.maxFeePerGas, maxFeePerGas);
      assert.equal(quote.gasLimit, 798_814n);
      assert.equal(quote.fee, (798_814n * maxFeePerGas! * 120n + 99n) / 100n);
      assert.equal(quote.expiresAt.getTime(), now + 60_000);
    });

    it("quotes a token pool in its asset: the native quote divided by the token's configured price", async () => {
      const token = getAddress(deployment.orchestrator);
      const native = await quoteEvm(provider, FEES, "0x0000000000000000000000000000000000000000");
      const quote = await quoteEvm(provider, { ...FEES, token_prices: { [token.toLowerCase()]: 0.25 } }, token);
      assert.equal(quote.fee, native.fee * 4n);
    });

    it("refuses to quote a token pool without a configured price (INVALID_CONFIG)", async () => {
      const token = getAddress(deployment.orchestrator);
      await refused(quoteEvm(provider, FEES, token), RelayErrorCode.INVALID_CONFIG, `fees.token_prices: no price for ${token}, so its pool cannot be quoted`);
    });

    it("refuses a proof for a verifying key the Orchestrator has retired (RETIRED_VERIFYING_KEY)", async () => {
      // As if the relay's key were the one a former verifier contract was exported from.
      const retired = getAddress(deployment.contracts["Orchestrator.implementation"]!);
      await refused(
        intake({ deployment: { ...intakeDeployment, verifier: retired } }).check(requestOf(withdrawal(0))),
        RelayErrorCode.RETIRED_VERIFYING_KEY,
        `proof: made for the verifying key of ${retired}, which the Orchestrator has retired for ${intakeDeployment.verifier}`,
      );
    });

    it("refuses a withdrawal from a pool the Safe has paused (POOL_PAUSED)", async () => {
      // Unpausing goes through the emergency timelock's delay; a snapshot restores the unpaused pool instead.
      const snapshot = await provider.send("evm_snapshot", []);
      try {
        await safeRuns("pause", "--pool", "native");
        await refused(intake().check(requestOf(withdrawal(0))), RelayErrorCode.POOL_PAUSED, `pool: ${getAddress(corpus.header.pool)} is paused`);
      } finally {
        assert.equal(await provider.send("evm_revert", [snapshot]), true);
      }
    });

    it("refuses a withdrawal once the Safe has removed this relayer from the Orchestrator (RELAYER_NOT_REGISTERED)", async () => {
      const snapshot = await provider.send("evm_snapshot", []);
      try {
        await safeRuns("relayer:remove", "--relayer", EVM_RELAYER);
        await refused(intake().check(requestOf(withdrawal(0))), RelayErrorCode.RELAYER_NOT_REGISTERED, `extData.relayer: ${EVM_RELAYER} is not registered in the Orchestrator`);
      } finally {
        assert.equal(await provider.send("evm_revert", [snapshot]), true);
      }
    });

    it("refuses a withdrawal whose note another transaction spent first (NULLIFIER_SPENT)", async () => {
      const entry = withdrawal(2);
      await submitEvmWithdrawals(node.url, deployment, { from: 2, to: 3 });
      await refused(
        intake().check(requestOf(entry)),
        RelayErrorCode.NULLIFIER_SPENT,
        `publicSignals[3] (inputNullifiers[0]): ${toHex32(BigInt(entry.publicSignals[3]!))} is already spent`,
      );
    });
  });
});
