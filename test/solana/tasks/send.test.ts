// How a refused transaction is reported: the program error by name and code, and the program that raised
// it, from the logs when the node gives them and from the code's range when it does not. No node needed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { TransactionInstruction } from "@solana/web3.js";
import { SCRAMBLE_REGISTRY_PROGRAM_ID, SHIELD_POOL_PROGRAM_ID } from "@cloak/sdk/solana";
import type { SolanaDeployment } from "../../../tasks/solana/lib/deployment.ts";
import { describeTransactionError } from "../../../tasks/solana/lib/send.ts";

const record = { programs: { shieldPool: SHIELD_POOL_PROGRAM_ID.toBase58(), scrambleRegistry: SCRAMBLE_REGISTRY_PROGRAM_ID.toBase58() } } as SolanaDeployment;
const transact = new TransactionInstruction({ programId: SHIELD_POOL_PROGRAM_ID, keys: [], data: Buffer.alloc(0) });

describe("refusal reports", () => {
  it("a registry error raised inside a shield pool instruction names the registry, from the code's range when there are no logs", () => {
    assert.equal(
      describeTransactionError({ InstructionError: [0, { Custom: 7018 }] }, null, [transact], record),
      `ClaimNotRevealed (7018) from scramble_registry ${SCRAMBLE_REGISTRY_PROGRAM_ID.toBase58()}: claim: revealed_at_slot is not set (claim not revealed)`,
    );
  });

  it("the failing program is read from the first 'failed' log line, the deepest in a CPI chain", () => {
    const logs = [
      `Program ${SHIELD_POOL_PROGRAM_ID.toBase58()} invoke [1]`,
      `Program ${SCRAMBLE_REGISTRY_PROGRAM_ID.toBase58()} invoke [2]`,
      `Program ${SCRAMBLE_REGISTRY_PROGRAM_ID.toBase58()} failed: custom program error: 0x1b5a`,
      `Program ${SHIELD_POOL_PROGRAM_ID.toBase58()} failed: custom program error: 0x1b5a`,
    ];
    assert.match(describeTransactionError({ InstructionError: [0, { Custom: 7002 }] }, logs, [transact], record), new RegExp(`^InitialDifficultyOutOfBounds \\(7002\\) from scramble_registry ${SCRAMBLE_REGISTRY_PROGRAM_ID.toBase58()}:`));
  });

  it("a code neither program defines is reported with the instruction's program and the last logs", () => {
    const token = TOKEN_PROGRAM_ID;
    const ix = new TransactionInstruction({ programId: token, keys: [], data: Buffer.alloc(0) });
    assert.equal(describeTransactionError({ InstructionError: [0, { Custom: 1 }] }, ["Program log: Error: insufficient funds"], [ix], record), `custom program error 1 from ${token.toBase58()}\n  Program log: Error: insufficient funds`);
  });

  it("a fee payer without lamports is named as such", () => {
    assert.equal(describeTransactionError("AccountNotFound", null, [transact], record), "AccountNotFound: the fee payer has no lamports on this cluster");
  });
});
