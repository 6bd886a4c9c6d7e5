import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PublicKey } from "@solana/web3.js";
import { ErrorCode } from "../src/index.js";
import { SCRAMBLE_REGISTRY_PROGRAM_ID, SHIELD_POOL_IDL, SHIELD_POOL_PROGRAM_ID, parseTransactedEvents, type TransactedEvent } from "../src/solana/index.js";
import { assertCloakError } from "./helpers.js";

const key = (byte: number) => new PublicKey(new Uint8Array(32).fill(byte));
const field = (value: bigint) => Buffer.from(value.toString(16).padStart(64, "0"), "hex");
const le = (value: bigint, width = 8) => {
  const out = Buffer.alloc(width);
  out.writeBigUInt64LE(BigInt.asUintN(64, value));
  return out;
};

const transacted: TransactedEvent = {
  pool: key(1),
  inputNullifiers: [11n, 12n],
  outputCommitments: [21n, 22n],
  firstLeafIndex: 6,
  encryptedOutputs: [new Uint8Array(113).fill(0xe1), new Uint8Array(113).fill(0xe2)],
  newRoot: 0xabcdn,
  extAmount: -500_000_000n,
  fee: 10_000_000n,
  relayer: key(2),
  powClaim: key(3),
  minerFee: 2_500_000n,
};

/** The event's borsh bytes, as `emit!` logs them: discriminator, then the fields in order. */
function eventData(event: TransactedEvent): string {
  const discriminator = SHIELD_POOL_IDL.events.find((candidate) => candidate.name === "Transacted")!.discriminator;
  return Buffer.concat([
    Buffer.from(discriminator),
    event.pool.toBuffer(),
    ...event.inputNullifiers.map(field),
    ...event.outputCommitments.map(field),
    le(BigInt(event.firstLeafIndex)),
    ...event.encryptedOutputs,
    field(event.newRoot),
    le(event.extAmount),
    le(event.fee),
    event.relayer.toBuffer(),
    event.powClaim ? Buffer.concat([Buffer.from([1]), event.powClaim.toBuffer()]) : Buffer.from([0]),
    le(event.minerFee),
  ]).toString("base64");
}

const shield = SHIELD_POOL_PROGRAM_ID.toBase58();
const registry = SCRAMBLE_REGISTRY_PROGRAM_ID.toBase58();
const system = "11111111111111111111111111111111";

/** A relayed withdrawal's logs: system CPIs, the registry's own event, then the shield pool's. */
function transactLogs(data: string): string[] {
  return [
    "Program ComputeBudget111111111111111111111111111111 invoke [1]",
    "Program ComputeBudget111111111111111111111111111111 success",
    `Program ${shield} invoke [1]`,
    "Program log: Instruction: Transact",
    `Program ${system} invoke [2]`,
    `Program ${system} success`,
    `Program ${registry} invoke [2]`,
    "Program log: Instruction: ConsumeClaim",
    `Program data: ${data}`,
    `Program ${registry} consumed 9000 of 300000 compute units`,
    `Program ${registry} success`,
    `Program data: ${data}`,
    `Program ${shield} consumed 250000 of 400000 compute units`,
    `Program ${shield} success`,
  ];
}

describe("Solana Transacted events", () => {
  it("parse the shield pool's Transacted event from a transaction's logs into SDK values", () => {
    assert.deepEqual(parseTransactedEvents(transactLogs(eventData(transacted))), [transacted]);
  });

  it("read an event without a PoW claim as powClaim null", () => {
    const event = { ...transacted, powClaim: null, minerFee: 0n };
    assert.deepEqual(parseTransactedEvents(transactLogs(eventData(event))), [event]);
  });

  it("skip data logged by other programs, even in the event's own format", () => {
    const logs = [`Program ${registry} invoke [1]`, `Program data: ${eventData(transacted)}`, `Program ${registry} success`];
    assert.deepEqual(parseTransactedEvents(logs), []);
  });

  it("return nothing for a transaction without the event", () => {
    assert.deepEqual(parseTransactedEvents([`Program ${shield} invoke [1]`, "Program log: Instruction: Pause", `Program ${shield} success`]), []);
  });

  it("refuse logs that do not open with a top-level program invocation", () => {
    assertCloakError(() => parseTransactedEvents([`Program data: ${eventData(transacted)}`, `Program ${shield} success`]), ErrorCode.INVALID_EVENT_DATA, "logs");
  });
});
