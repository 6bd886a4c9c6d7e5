import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Keypair, PublicKey, SystemProgram, TransactionMessage, type VersionedTransactionResponse } from "@solana/web3.js";
import { CloakError, ErrorCode } from "../src/index.js";
import { lamportsMoved, tokensMoved } from "../src/solana/index.js";

const payer = Keypair.generate().publicKey;
const recipient = Keypair.generate().publicKey;
const mint = Keypair.generate().publicKey;

function landedTransfer(): VersionedTransactionResponse {
  const message = new TransactionMessage({
    payerKey: payer,
    recentBlockhash: PublicKey.default.toBase58(),
    instructions: [SystemProgram.transfer({ fromPubkey: payer, toPubkey: recipient, lamports: 700 })],
  }).compileToV0Message();
  const tokenAmount = (amount: string) => ({ amount, decimals: 6, uiAmount: Number(amount) / 1e6, uiAmountString: String(Number(amount) / 1e6) });
  return {
    slot: 1,
    blockTime: 0,
    version: 0,
    transaction: { message, signatures: ["sig"] },
    meta: {
      err: null,
      fee: 5_000,
      preBalances: [10_000, 0, 1],
      postBalances: [4_300, 700, 1],
      innerInstructions: [],
      logMessages: [],
      preTokenBalances: [{ accountIndex: 1, mint: mint.toBase58(), owner: recipient.toBase58(), uiTokenAmount: tokenAmount("5") }],
      postTokenBalances: [{ accountIndex: 1, mint: mint.toBase58(), owner: recipient.toBase58(), uiTokenAmount: tokenAmount("12") }],
      loadedAddresses: { writable: [], readonly: [] },
    },
  } as unknown as VersionedTransactionResponse;
}

describe("balance changes of a landed transaction", () => {
  it("reads the lamports an account gained or lost from the meta's pre and post balances", () => {
    const response = landedTransfer();
    assert.equal(lamportsMoved(response, payer), -5_700n);
    assert.equal(lamportsMoved(response, recipient), 700n);
  });

  it("reads the tokens an owner gained from the pre and post token balances, 0 for an owner without any", () => {
    const response = landedTransfer();
    assert.equal(tokensMoved(response, mint, recipient), 7n);
    assert.equal(tokensMoved(response, mint, payer), 0n);
  });

  it("refuses an account the transaction does not touch, naming it", () => {
    const stranger = Keypair.generate().publicKey;
    assert.throws(
      () => lamportsMoved(landedTransfer(), stranger),
      (error: unknown) => error instanceof CloakError && error.code === ErrorCode.INVALID_INSTRUCTION_INPUT && error.message === `account: ${stranger.toBase58()} is not an account of transaction sig`,
    );
  });
});
