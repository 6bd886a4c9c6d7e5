import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Keypair as SolanaKeypair } from "@solana/web3.js";
import { CloakError, ErrorCode } from "../src/index.js";
import { SCRAMBLE_REGISTRY_PROGRAM_ID, SHIELD_POOL_PROGRAM_ID, SolanaTransactionError, isSolanaTransactionError, solanaTransactionError } from "../src/solana/index.js";

describe("Solana transaction failures as typed errors", () => {
  it("names a shield pool code with its program, instruction and the program's message, keeping logs out of the message", () => {
    const logs = ["Program ComputeBudget111111111111111111111111111111 success", "Program log: AnchorError ... UnknownRoot"];
    const error = solanaTransactionError({ InstructionError: [1, { Custom: 6010 }] }, { stage: "simulate", logs });
    assert.ok(error instanceof CloakError);
    assert.ok(error instanceof SolanaTransactionError);
    assert.equal(error.code, ErrorCode.TRANSACTION_FAILED);
    assert.deepEqual(error.programError, { program: "shield_pool", code: 6010, name: "UnknownRoot", message: "public_inputs.root: not a recent root of this pool" });
    assert.ok(error.programId?.equals(SHIELD_POOL_PROGRAM_ID));
    assert.equal(error.instructionIndex, 1);
    assert.equal(error.customCode, 6010);
    assert.equal(error.stage, "simulate");
    assert.deepEqual(error.logs, logs);
    assert.equal(error.message, "shield_pool error 6010 UnknownRoot (instruction 1): public_inputs.root: not a recent root of this pool [simulate]");
    assert.ok(isSolanaTransactionError(error, "UnknownRoot"));
    assert.ok(!isSolanaTransactionError(error, "Paused"));
  });

  it("names a registry code raised inside a transact's CPI as the registry's, at the deployment given", () => {
    const registry = SolanaKeypair.generate().publicKey;
    const error = solanaTransactionError({ InstructionError: [1, { Custom: 7019 }] }, { stage: "confirm", signature: "sig", programIds: { scrambleRegistry: registry } });
    assert.equal(error.programError?.name, "ClaimExpired");
    assert.equal(error.programError?.program, "scramble_registry");
    assert.ok(error.programId?.equals(registry));
    assert.ok(!error.programId?.equals(SCRAMBLE_REGISTRY_PROGRAM_ID));
    assert.equal(error.signature, "sig");
    assert.match(error.message, /^scramble_registry error 7019 ClaimExpired \(instruction 1\): claim: expires_at_slot has passed \[confirm sig\]$/);
  });

  it("keeps another program's custom code unnamed and takes the failing program from the logs", () => {
    const token = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
    const logs = [`Program ${token} invoke [2]`, `Program ${token} failed: custom program error: 0x1`, `Program ${SHIELD_POOL_PROGRAM_ID.toBase58()} failed: custom program error: 0x1`];
    const error = solanaTransactionError({ InstructionError: [0, { Custom: 1 }] }, { stage: "simulate", logs });
    assert.equal(error.programError, null);
    assert.equal(error.customCode, 1);
    assert.equal(error.programId?.toBase58(), token);
    assert.equal(error.message, `custom program error 1 of ${token} (instruction 0) [simulate]`);
  });

  it("reports a runtime failure in the node's words", () => {
    const error = solanaTransactionError({ InstructionError: [0, "InvalidAccountData"] }, { stage: "simulate" });
    assert.equal(error.programError, null);
    assert.equal(error.customCode, null);
    assert.equal(error.instructionIndex, 0);
    assert.equal(error.message, 'transaction failed (instruction 0): {"InstructionError":[0,"InvalidAccountData"]} [simulate]');
    const insufficient = solanaTransactionError("AccountNotFound", { stage: "send" });
    assert.equal(insufficient.instructionIndex, null);
    assert.equal(insufficient.message, "transaction failed: AccountNotFound [send]");
  });
});
