import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { base58 } from "@scure/base";
import {
  AddressLookupTableAccount,
  PublicKey,
  SystemProgram,
  TransactionInstruction,
  TransactionMessage,
  type Connection,
  type VersionedTransactionResponse,
} from "@solana/web3.js";
import { CloakError, ErrorCode } from "../src/index.js";
import {
  EVENT_IX_TAG_LE,
  SCRAMBLE_REGISTRY_IDL,
  SCRAMBLE_REGISTRY_PROGRAM_ID,
  SHIELD_POOL_IDL,
  SHIELD_POOL_PROGRAM_ID,
  decodeScrambleRegistryEventInstruction,
  decodeShieldPoolEventInstruction,
  decodeTransactedEventInstruction,
  eventAuthorityPda,
  fetchScrambleRegistryEvents,
  fetchShieldPoolEvents,
  fetchTransactedEvents,
  parseScrambleRegistryEvents,
  parseShieldPoolEvents,
  parseTransactedEvents,
  type TransactedEvent,
} from "../src/solana/index.js";
import { assertCloakError, assertCloakErrorAsync } from "./helpers.js";

const key = (byte: number) => new PublicKey(new Uint8Array(32).fill(byte));
const field = (value: bigint) => Buffer.from(value.toString(16).padStart(64, "0"), "hex");
const le = (value: bigint, width = 8) => {
  const out = Buffer.alloc(width);
  out.writeBigUInt64LE(BigInt.asUintN(64, value));
  return out;
};
const discriminator = (name: string) => Buffer.from(SHIELD_POOL_IDL.events.find((candidate) => candidate.name === name)!.discriminator);
const registryDiscriminator = (name: string) => Buffer.from(SCRAMBLE_REGISTRY_IDL.events.find((candidate) => candidate.name === name)!.discriminator);

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
  treeNumber: 0n,
  retiredRoot: null,
};
const second: TransactedEvent = { ...transacted, inputNullifiers: [13n, 14n], outputCommitments: [23n, 24n], firstLeafIndex: 8, newRoot: 0xbeefn };

/** The event's borsh bytes: discriminator, then the fields in order. */
function eventBytes(event: TransactedEvent): Buffer {
  return Buffer.concat([
    discriminator("Transacted"),
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
    le(event.treeNumber),
    event.retiredRoot === null ? Buffer.from([0]) : Buffer.concat([Buffer.from([1]), field(event.retiredRoot)]),
  ]);
}

/** The data of the self-CPI `emit_cpi!` makes: EVENT_IX_TAG_LE, then the event's bytes. */
const cpiData = (bytes: Uint8Array) => Uint8Array.from(Buffer.concat([Buffer.from(EVENT_IX_TAG_LE), bytes]));
const shieldEvent = (event: TransactedEvent) => ({ programId: SHIELD_POOL_PROGRAM_ID, data: cpiData(eventBytes(event)) });

describe("Solana Transacted event instructions", () => {
  it("tag event-cpi data with Anchor's EVENT_IX_TAG, the u64 0x1d9acb512ea545e4 little-endian", () => {
    assert.deepEqual(EVENT_IX_TAG_LE, Uint8Array.from(le(0x1d9acb512ea545e4n)));
  });

  it("decode a tagged Transacted event into SDK values", () => {
    assert.deepEqual(decodeTransactedEventInstruction(cpiData(eventBytes(transacted))), transacted);
  });

  it("read an event without a PoW claim as powClaim null", () => {
    const event = { ...transacted, powClaim: null, minerFee: 0n };
    assert.deepEqual(decodeTransactedEventInstruction(cpiData(eventBytes(event))), event);
  });

  it("read the tree a rollover opened and the retired tree's final root", () => {
    const event = { ...transacted, treeNumber: 1n, firstLeafIndex: 0, retiredRoot: 0x5eedn };
    assert.deepEqual(decodeTransactedEventInstruction(cpiData(eventBytes(event))), event);
  });

  it("return null for event bytes without the event-cpi tag", () => {
    assert.equal(decodeTransactedEventInstruction(eventBytes(transacted)), null);
  });

  it("return null for data shorter than the tag", () => {
    assert.equal(decodeTransactedEventInstruction(EVENT_IX_TAG_LE.subarray(0, 5)), null);
  });

  it("return null for another event of the shield pool", () => {
    const paused = Buffer.concat([discriminator("PausedChanged"), Buffer.from([1])]);
    assert.equal(decodeTransactedEventInstruction(cpiData(paused)), null);
  });

  it("refuse a tagged Transacted event cut short", () => {
    const data = cpiData(eventBytes(transacted));
    assertCloakError(() => decodeTransactedEventInstruction(data.subarray(0, data.length - 5)), ErrorCode.INVALID_EVENT_DATA, "Transacted");
  });

  it("refuse a tagged Transacted event with bytes after it", () => {
    const data = cpiData(Buffer.concat([eventBytes(transacted), Buffer.from([0])]));
    assertCloakError(() => decodeTransactedEventInstruction(data), ErrorCode.INVALID_EVENT_DATA, "Transacted");
  });
});

// Governance events as the programs emit them (borsh, fields in declaration order).
const pausedChangedBytes = Buffer.concat([discriminator("PausedChanged"), Buffer.from([1]), key(7).toBuffer(), le(1_700_000_123n)]);
const verifyingKeyHash = new Uint8Array(32).fill(0x9c);
const verifyingKeyProposedBytes = Buffer.concat([
  discriminator("VerifyingKeyProposed"),
  Buffer.from(verifyingKeyHash),
  le(1_700_000_000n),
  le(1_700_172_800n),
]);
const emergencySetBytes = Buffer.concat([discriminator("VerifyingKeyEmergencySet"), Buffer.from(verifyingKeyHash), key(8).toBuffer(), Buffer.from([1])]);
const registryTransferStartedBytes = Buffer.concat([registryDiscriminator("RegistryAdminTransferStarted"), key(1).toBuffer(), key(2).toBuffer()]);
const poolInitializedBytes = Buffer.concat([
  discriminator("PoolInitialized"),
  key(1).toBuffer(),
  key(2).toBuffer(),
  key(3).toBuffer(),
  key(4).toBuffer(),
  le(10_000_000_000n),
  le(100_000_000n),
]);
const treeGrownBytes = Buffer.concat([discriminator("TreeGrown"), key(1).toBuffer(), key(4).toBuffer(), le(20_480n), le(131_776n)]);
const pausedChanged = { name: "pausedChanged", data: { paused: true, by: key(7), unixTimestamp: 1_700_000_123n } };
const registryTransferStarted = { name: "registryAdminTransferStarted", data: { admin: key(1), pendingAdmin: key(2) } };

describe("Solana governance event instructions, decoded by the IDL", () => {
  it("decode a shield pool PausedChanged into SDK values, with its unix timestamp", () => {
    assert.deepEqual(decodeShieldPoolEventInstruction(cpiData(pausedChangedBytes)), pausedChanged);
  });

  it("decode a VerifyingKeyProposed's key hash as bytes and its times as bigints", () => {
    assert.deepEqual(decodeShieldPoolEventInstruction(cpiData(verifyingKeyProposedBytes)), {
      name: "verifyingKeyProposed",
      data: { verifyingKeyHash, proposedAt: 1_700_000_000n, readyAt: 1_700_172_800n },
    });
  });

  it("decode a VerifyingKeyEmergencySet naming the security council and whether it dropped a pending key", () => {
    assert.deepEqual(decodeShieldPoolEventInstruction(cpiData(emergencySetBytes)), {
      name: "verifyingKeyEmergencySet",
      data: { verifyingKeyHash, securityCouncil: key(8), cancelledPending: true },
    });
  });

  it("decode a PoolInitialized naming the pool, its mint, vault and tree, and its limits", () => {
    assert.deepEqual(decodeShieldPoolEventInstruction(cpiData(poolInitializedBytes)), {
      name: "poolInitialized",
      data: { pool: key(1), mint: key(2), vault: key(3), tree: key(4), maxDeposit: 10_000_000_000n, maxFee: 100_000_000n },
    });
  });

  it("decode a TreeGrown with the tree's new size and its full size", () => {
    assert.deepEqual(decodeShieldPoolEventInstruction(cpiData(treeGrownBytes)), {
      name: "treeGrown",
      data: { pool: key(1), tree: key(4), size: 20_480n, target: 131_776n },
    });
  });

  it("decode the registry's RegistryAdminTransferStarted", () => {
    assert.deepEqual(decodeScrambleRegistryEventInstruction(cpiData(registryTransferStartedBytes)), registryTransferStarted);
  });

  it("return null for another program's event, whose discriminator the IDL does not know", () => {
    assert.equal(decodeShieldPoolEventInstruction(cpiData(registryTransferStartedBytes)), null);
    assert.equal(decodeScrambleRegistryEventInstruction(cpiData(pausedChangedBytes)), null);
  });

  it("return null for event bytes without the event-cpi tag", () => {
    assert.equal(decodeShieldPoolEventInstruction(pausedChangedBytes), null);
  });

  it("refuse a governance event cut short, naming it", () => {
    const data = cpiData(verifyingKeyProposedBytes);
    assertCloakError(() => decodeShieldPoolEventInstruction(data.subarray(0, data.length - 3)), ErrorCode.INVALID_EVENT_DATA, "VerifyingKeyProposed");
  });

  it("refuse a governance event with bytes after it, naming it", () => {
    const data = cpiData(Buffer.concat([registryTransferStartedBytes, Buffer.from([0])]));
    assertCloakError(() => decodeScrambleRegistryEventInstruction(data), ErrorCode.INVALID_EVENT_DATA, "RegistryAdminTransferStarted");
  });

  it("read Transacted too, generically, with its byte fields as bytes", () => {
    const event = decodeShieldPoolEventInstruction(cpiData(eventBytes(transacted)));
    assert.equal(event?.name, "transacted");
    assert.deepEqual((event?.data as { newRoot: Uint8Array }).newRoot, Uint8Array.from(field(transacted.newRoot)));
  });

  it("collect each program's events in instruction order, skipping the other program's", () => {
    const inner = [
      { programId: SHIELD_POOL_PROGRAM_ID, data: cpiData(pausedChangedBytes) },
      { programId: SCRAMBLE_REGISTRY_PROGRAM_ID, data: cpiData(registryTransferStartedBytes) },
      { programId: SHIELD_POOL_PROGRAM_ID, data: cpiData(emergencySetBytes) },
    ];
    assert.deepEqual(
      parseShieldPoolEvents(inner).map((event) => event.name),
      ["pausedChanged", "verifyingKeyEmergencySet"],
    );
    assert.deepEqual(parseScrambleRegistryEvents(inner), [registryTransferStarted]);
  });
});

describe("Solana Transacted events from inner instructions", () => {
  it("collect the shield pool's events in instruction order", () => {
    assert.deepEqual(parseTransactedEvents([shieldEvent(transacted), shieldEvent(second)]), [transacted, second]);
  });

  it("skip other programs' instructions, even carrying the event's own data", () => {
    const inner = [
      { programId: SystemProgram.programId, data: new Uint8Array(12) },
      { programId: SCRAMBLE_REGISTRY_PROGRAM_ID, data: cpiData(eventBytes(second)) },
      shieldEvent(transacted),
    ];
    assert.deepEqual(parseTransactedEvents(inner), [transacted]);
  });

  it("skip the shield pool's instructions without the event-cpi tag", () => {
    assert.deepEqual(parseTransactedEvents([{ programId: SHIELD_POOL_PROGRAM_ID, data: eventBytes(transacted) }]), []);
  });

  it("read another deployment's events when given its program id", () => {
    const programId = key(0x42);
    const inner = [shieldEvent(transacted), { programId, data: cpiData(eventBytes(second)) }];
    assert.deepEqual(parseTransactedEvents(inner, programId), [second]);
  });

  it("refuse a truncated Transacted event among the instructions", () => {
    const truncated = { programId: SHIELD_POOL_PROGRAM_ID, data: cpiData(eventBytes(transacted).subarray(0, 40)) };
    assertCloakError(() => parseTransactedEvents([shieldEvent(second), truncated]), ErrorCode.INVALID_EVENT_DATA, "Transacted");
  });
});

describe("fetchTransactedEvents", () => {
  const signature = "5".repeat(88);
  const router = key(0x51);
  const payer = key(0x52);
  const recentBlockhash = key(0x53).toBase58();
  const [eventAuthority] = eventAuthorityPda();

  /**
   * A v0 transaction whose top-level instruction is another program's (a router), which reaches the
   * shield pool by CPI: the shield pool, its event authority and the registry are loaded from a lookup
   * table, so the events' program index points past the static keys.
   */
  function response(inner: Array<{ index: number; instructions: Array<{ program: PublicKey; data: Uint8Array }> }>, err: unknown = null) {
    const loaded = [SHIELD_POOL_PROGRAM_ID, eventAuthority, SCRAMBLE_REGISTRY_PROGRAM_ID];
    const lookupTable = new AddressLookupTableAccount({
      key: key(0x54),
      state: { deactivationSlot: 2n ** 64n - 1n, lastExtendedSlot: 0, lastExtendedSlotStartIndex: 0, addresses: loaded },
    });
    const routerCall = new TransactionInstruction({
      programId: router,
      keys: loaded.map((pubkey) => ({ pubkey, isSigner: false, isWritable: false })),
      data: Buffer.alloc(0),
    });
    const message = new TransactionMessage({ payerKey: payer, recentBlockhash, instructions: [routerCall, routerCall] }).compileToV0Message([lookupTable]);
    const loadedAddresses = { writable: [], readonly: message.addressTableLookups[0]!.readonlyIndexes.map((i) => loaded[i]!) };
    const keys = message.getAccountKeys({ accountKeysFromLookups: loadedAddresses });
    const indexOf = (program: PublicKey) => keys.keySegments().flat().findIndex((candidate) => candidate.equals(program));
    assert.ok(indexOf(SHIELD_POOL_PROGRAM_ID) >= message.staticAccountKeys.length, "the shield pool is a loaded key");
    return {
      slot: 1,
      blockTime: null,
      version: 0,
      transaction: { message, signatures: [signature] },
      meta: {
        err,
        fee: 5000,
        preBalances: [],
        postBalances: [],
        loadedAddresses,
        innerInstructions: inner.map((group) => ({
          index: group.index,
          instructions: group.instructions.map(({ program, data }) => ({
            programIdIndex: indexOf(program),
            accounts: [indexOf(eventAuthority)],
            data: base58.encode(data),
          })),
        })),
      },
    } as unknown as VersionedTransactionResponse;
  }

  function connectionReturning(result: VersionedTransactionResponse | null) {
    const calls: unknown[][] = [];
    const connection = {
      getTransaction: async (...args: unknown[]) => {
        calls.push(args);
        return result;
      },
    } as unknown as Connection;
    return { connection, calls };
  }

  const shieldCpi = (event: TransactedEvent) => ({ program: SHIELD_POOL_PROGRAM_ID, data: cpiData(eventBytes(event)) });

  it("ask for the transaction with v0 support and the given commitment", async () => {
    const { connection, calls } = connectionReturning(null);
    await fetchTransactedEvents(connection, signature, { commitment: "finalized" });
    assert.deepEqual(calls, [[signature, { maxSupportedTransactionVersion: 0, commitment: "finalized" }]]);
  });

  it("refuse a transaction the node does not have when asked to require it, naming it", async () => {
    const { connection } = connectionReturning(null);
    assert.deepEqual(await fetchTransactedEvents(connection, signature), []);
    await assert.rejects(fetchTransactedEvents(connection, signature, { required: true }), (error: unknown) => {
      assert.ok(error instanceof CloakError);
      assert.equal(error.code, ErrorCode.TRANSACTION_NOT_FOUND);
      assert.equal(error.message, `transaction ${signature}: the node does not have it (not yet at this commitment, or no longer kept)`);
      return true;
    });
  });

  it("read events from inner instructions whose program comes from a lookup table", async () => {
    const registryCall = { program: SCRAMBLE_REGISTRY_PROGRAM_ID, data: cpiData(eventBytes(second)) };
    const { connection } = connectionReturning(response([{ index: 0, instructions: [registryCall, shieldCpi(transacted)] }]));
    assert.deepEqual(await fetchTransactedEvents(connection, signature), [transacted]);
  });

  it("order events by their top-level instruction", async () => {
    const { connection } = connectionReturning(
      response([
        { index: 1, instructions: [shieldCpi(second)] },
        { index: 0, instructions: [shieldCpi(transacted)] },
      ]),
    );
    assert.deepEqual(await fetchTransactedEvents(connection, signature), [transacted, second]);
  });

  it("return nothing for an unknown signature", async () => {
    assert.deepEqual(await fetchTransactedEvents(connectionReturning(null).connection, signature), []);
  });

  it("return nothing for a failed transaction, whose events took no effect", async () => {
    const failed = response([{ index: 0, instructions: [shieldCpi(transacted)] }], { InstructionError: [0, "Custom"] });
    assert.deepEqual(await fetchTransactedEvents(connectionReturning(failed).connection, signature), []);
  });

  it("read the shield pool's governance events with fetchShieldPoolEvents", async () => {
    const pause = { program: SHIELD_POOL_PROGRAM_ID, data: cpiData(pausedChangedBytes) };
    const { connection } = connectionReturning(response([{ index: 0, instructions: [pause, shieldCpi(transacted)] }]));
    const events = await fetchShieldPoolEvents(connection, signature);
    assert.deepEqual(events[0], pausedChanged);
    assert.equal(events[1]?.name, "transacted");
    assert.equal(events.length, 2);
  });

  it("read the registry's governance events with fetchScrambleRegistryEvents", async () => {
    const transfer = { program: SCRAMBLE_REGISTRY_PROGRAM_ID, data: cpiData(registryTransferStartedBytes) };
    const { connection } = connectionReturning(response([{ index: 0, instructions: [shieldCpi(transacted), transfer] }]));
    assert.deepEqual(await fetchScrambleRegistryEvents(connection, signature), [registryTransferStarted]);
  });

  it("refuse a truncated Transacted event", async () => {
    const truncated = { program: SHIELD_POOL_PROGRAM_ID, data: cpiData(eventBytes(transacted).subarray(0, 40)) };
    const { connection } = connectionReturning(response([{ index: 0, instructions: [truncated] }]));
    await assertCloakErrorAsync(() => fetchTransactedEvents(connection, signature), ErrorCode.INVALID_EVENT_DATA, "Transacted");
  });
});
