import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import { PublicKey, type AccountInfo, type Connection } from "@solana/web3.js";
import { ErrorCode } from "../src/index.js";
import {
  SCRAMBLE_REGISTRY_IDL,
  SCRAMBLE_REGISTRY_PROGRAM_ID,
  SHIELD_POOL_IDL,
  NULLIFIER_RECORD_DISCRIMINATOR,
  SHIELD_POOL_PROGRAM_ID,
  SOLANA_ROOT_HISTORY_SIZE,
  commitmentTreeSpace,
  configPda,
  currentRoot,
  decodeClaim,
  decodeCommitmentTree,
  decodeConfig,
  decodeMiner,
  decodeNullifierRecord,
  decodePool,
  decodeRegistry,
  fetchConfig,
  fetchPool,
  isNullifierSpent,
  knownRoots,
  nullifierPda,
  registeredRelayers,
  rootIndexOf,
} from "../src/solana/index.js";
import { assertCloakError, assertCloakErrorAsync } from "./helpers.js";

const key = (byte: number) => new PublicKey(new Uint8Array(32).fill(byte));
const filled = (length: number, byte: number) => new Uint8Array(length).fill(byte);

/** Not in the IDL (transact creates the record by hand): Anchor's rule, SHA-256("account:<Name>")[0..8]. */
const nullifierRecordDiscriminator = sha256(utf8ToBytes("account:NullifierRecord")).slice(0, 8);

function discriminator(program: "shield_pool" | "scramble_registry", name: string): Uint8Array {
  const idl = program === "shield_pool" ? SHIELD_POOL_IDL : SCRAMBLE_REGISTRY_IDL;
  const account = (idl.accounts as readonly { name: string; discriminator: readonly number[] }[]).find((candidate) => candidate.name === name);
  assert.ok(account, name);
  return Uint8Array.from(account.discriminator);
}

/** Account data written field by field, little-endian, independently of Anchor. */
class Writer {
  readonly #parts: Uint8Array[] = [];
  bytes(value: Uint8Array): this {
    this.#parts.push(value);
    return this;
  }
  key(value: PublicKey): this {
    return this.bytes(value.toBytes());
  }
  int(value: bigint, width: number): this {
    const out = new Uint8Array(width);
    let rest = BigInt.asUintN(width * 8, value);
    for (let i = 0; i < width; i++) {
      out[i] = Number(rest & 0xffn);
      rest >>= 8n;
    }
    return this.bytes(out);
  }
  u8(value: number): this {
    return this.int(BigInt(value), 1);
  }
  u16(value: number): this {
    return this.int(BigInt(value), 2);
  }
  u64(value: bigint): this {
    return this.int(value, 8);
  }
  done(): Uint8Array {
    return Buffer.concat(this.#parts);
  }
}

// Config's repr(C) layout, offsets into the account data (after the 8-byte discriminator).
const CONFIG_BYTES = 2672;
const VK_BYTES = 64 + 3 * 128 + 8 * 64;
const relayersOffset = 40 + 6 * 32;
const configOffsets = {
  verifyingKeyDelaySeconds: 8,
  pendingVerifyingKeyProposedAt: 16,
  unpausedSince: 24,
  relayerCount: 32,
  admin: 40,
  pendingAdmin: 72,
  pauseAuthority: 104,
  pendingPauseAuthority: 136,
  securityCouncil: 168,
  pendingSecurityCouncil: 200,
  relayers: relayersOffset,
  verifyingKey: relayersOffset + 16 * 32,
  pendingVerifyingKey: relayersOffset + 16 * 32 + VK_BYTES,
  // paused, pow_required, bump, pending_verifying_key_set, then 4 reserved bytes.
  paused: relayersOffset + 16 * 32 + 2 * VK_BYTES,
};

function configData(): Uint8Array {
  const data = new Uint8Array(CONFIG_BYTES);
  const view = new DataView(data.buffer);
  data.set(discriminator("shield_pool", "Config"), 0);
  view.setBigInt64(configOffsets.verifyingKeyDelaySeconds, 172_800n, true);
  view.setBigInt64(configOffsets.pendingVerifyingKeyProposedAt, 1_700_000_777n, true);
  view.setBigInt64(configOffsets.unpausedSince, 1_700_000_000n, true);
  view.setBigUint64(configOffsets.relayerCount, 2n, true);
  data.set(key(1).toBytes(), configOffsets.admin);
  data.set(key(2).toBytes(), configOffsets.pendingAdmin);
  data.set(key(3).toBytes(), configOffsets.pauseAuthority);
  data.set(key(6).toBytes(), configOffsets.pendingPauseAuthority);
  data.set(key(7).toBytes(), configOffsets.securityCouncil);
  data.set(key(8).toBytes(), configOffsets.pendingSecurityCouncil);
  data.set(key(4).toBytes(), configOffsets.relayers);
  data.set(key(5).toBytes(), configOffsets.relayers + 32);
  data.set(filled(64, 0xa1), configOffsets.verifyingKey);
  data.set(filled(64, 0xa8), configOffsets.verifyingKey + 64 + 3 * 128 + 7 * 64);
  data.set(filled(128, 0xb4), configOffsets.pendingVerifyingKey + 64 + 2 * 128);
  data.set([1, 1, 253, 1, 9, 9, 9, 9], configOffsets.paused);
  return data;
}

// CommitmentTree's repr(C) layout: counters, filled subtrees, the ring of 4,096 roots, the pool; then
// 32 bytes per retired tree.
const TREE_BYTES = 8 + 8 + 8 + 8 + 20 * 32 + SOLANA_ROOT_HISTORY_SIZE * 32 + 32;
const rootsOffset = 8 + 24 + 20 * 32;
const rootBytes = (root: bigint) => Buffer.from(root.toString(16).padStart(64, "0"), "hex");

function treeData(currentRootIndex: number, roots: Record<number, bigint>, retiredRoots: bigint[] = []): Uint8Array {
  const data = new Uint8Array(TREE_BYTES + 32 * retiredRoots.length);
  const view = new DataView(data.buffer);
  data.set(discriminator("shield_pool", "CommitmentTree"), 0);
  view.setBigUint64(8, 6n, true);
  view.setBigUint64(16, BigInt(currentRootIndex), true);
  view.setBigUint64(24, BigInt(retiredRoots.length), true);
  data.set(filled(32, 0x33), 32 + 32); // filledSubtrees[1]
  for (const [index, root] of Object.entries(roots)) data.set(rootBytes(root), rootsOffset + 32 * Number(index));
  data.set(key(9).toBytes(), TREE_BYTES - 32);
  retiredRoots.forEach((root, k) => data.set(rootBytes(root), TREE_BYTES + 32 * k));
  return data;
}

describe("Solana account decoders", () => {
  it("decode Config at its zero-copy (repr(C)) offsets", () => {
    const config = decodeConfig(configData());
    assert.equal(config.verifyingKeyDelaySeconds, 172_800n);
    assert.equal(config.pendingVerifyingKeyProposedAt, 1_700_000_777n);
    assert.equal(config.unpausedSince, 1_700_000_000n);
    assert.equal(config.relayerCount, 2n);
    assert.ok(config.admin.equals(key(1)) && config.pendingAdmin.equals(key(2)) && config.pauseAuthority.equals(key(3)));
    assert.ok(config.pendingPauseAuthority.equals(key(6)));
    assert.ok(config.securityCouncil.equals(key(7)) && config.pendingSecurityCouncil.equals(key(8)));
    assert.equal(config.relayers.length, 16);
    assert.ok(config.relayers[1]!.equals(key(5)) && config.relayers[2]!.equals(PublicKey.default));
    assert.deepEqual(config.verifyingKey.alphaG1, filled(64, 0xa1));
    assert.deepEqual(config.verifyingKey.ic[7], filled(64, 0xa8));
    assert.deepEqual(config.pendingVerifyingKey.deltaG2, filled(128, 0xb4));
    assert.deepEqual([config.paused, config.powRequired, config.bump, config.pendingVerifyingKeySet], [1, 1, 253, 1]);
    assert.deepEqual(config.reserved, filled(4, 9));
  });

  it("list the registered relayers: the first relayerCount", () => {
    assert.deepEqual(registeredRelayers(decodeConfig(configData())), [key(4), key(5)]);
  });

  it("decode CommitmentTree at its zero-copy (repr(C)) offsets", () => {
    const account = decodeCommitmentTree(treeData(3, { 3: 0x1234n }));
    assert.equal(account.tree.nextIndex, 6n);
    assert.equal(account.tree.currentRootIndex, 3n);
    assert.equal(account.tree.filledSubtrees.length, 20);
    assert.deepEqual(account.tree.filledSubtrees[1], filled(32, 0x33));
    assert.equal(account.tree.roots.length, SOLANA_ROOT_HISTORY_SIZE);
    assert.equal(account.tree.treeNumber, 0n);
    assert.deepEqual(account.retiredRoots, []);
    assert.ok(account.pool.equals(key(9)));
    assert.equal(commitmentTreeSpace(), TREE_BYTES);
  });

  it("read the retired trees' final roots after the struct, one per tree before the current", () => {
    const account = decodeCommitmentTree(treeData(3, {}, [0x71n, 0x72n]));
    assert.equal(account.tree.treeNumber, 2n);
    assert.deepEqual(account.retiredRoots.map((root) => BigInt(`0x${Buffer.from(root).toString("hex")}`)), [0x71n, 0x72n]);
  });

  it("refuse a tree whose retired roots are cut off", () => {
    const data = treeData(3, {}, [0x71n, 0x72n]).subarray(0, TREE_BYTES + 32);
    assertCloakError(() => decodeCommitmentTree(data), ErrorCode.INVALID_ACCOUNT_DATA, "retired roots");
  });

  it("find a root's position: its ring slot, else SOLANA_ROOT_HISTORY_SIZE + its retired tree", () => {
    const account = decodeCommitmentTree(treeData(5, { 4: 0x44n, 5: 0x55n }, [0x71n, 0x72n]));
    assert.equal(rootIndexOf(account, 0x55n), 5);
    assert.equal(rootIndexOf(account, 0x44n), 4);
    assert.equal(rootIndexOf(account, 0x72n), SOLANA_ROOT_HISTORY_SIZE + 1);
    assert.equal(rootIndexOf(account, 0x99n), null);
    assert.equal(rootIndexOf(account, 0n), null);
  });

  it("read a tree's current root at currentRootIndex", () => {
    assert.equal(currentRoot(decodeCommitmentTree(treeData(3, { 2: 0x22n, 3: 0x33n })).tree), 0x33n);
  });

  it("list a tree's known roots newest first, wrapping the ring and leaving out empty slots", () => {
    const { tree } = decodeCommitmentTree(treeData(1, { 0: 0xaan, 1: 0xbbn, [SOLANA_ROOT_HISTORY_SIZE - 1]: 0xccn }));
    assert.deepEqual(knownRoots(tree), [0xbbn, 0xaan, 0xccn]);
  });

  it("decode Pool", () => {
    const data = new Writer()
      .bytes(discriminator("shield_pool", "Pool"))
      .key(key(1))
      .key(key(2))
      .key(key(3))
      .u64(10n ** 10n)
      .u64(10n ** 8n)
      .u8(254)
      .u8(253)
      .done();
    assert.deepEqual(decodePool(data), { mint: key(1), vault: key(2), tree: key(3), maxDeposit: 10n ** 10n, maxFee: 10n ** 8n, bump: 254, vaultBump: 253 });
  });

  it("decode NullifierRecord", () => {
    const data = new Writer().bytes(nullifierRecordDiscriminator).key(key(7)).done();
    assert.deepEqual(decodeNullifierRecord(data), { pool: key(7) });
    assert.deepEqual(NULLIFIER_RECORD_DISCRIMINATOR, nullifierRecordDiscriminator);
  });

  it("decode Registry", () => {
    const values = [1_234_567n, 1_000n, 1_000_000_000n, 150n];
    const counters = [123_456_000n, 3n, 40n, 39n, 100n, 20n];
    const writer = new Writer().bytes(discriminator("scramble_registry", "Registry")).key(key(1)).key(key(2));
    values.forEach((value) => writer.u64(value));
    writer.u16(2_500).u64(300n).u64(9_000n).u16(8);
    counters.forEach((value) => writer.u64(value));
    const registry = decodeRegistry(writer.u8(252).key(key(3)).done());
    assert.deepEqual(registry, {
      admin: key(1),
      consumerAuthority: key(2),
      difficulty: 1_234_567n,
      minDifficulty: 1_000n,
      maxDifficulty: 1_000_000_000n,
      targetIntervalSlots: 150n,
      minerFeeShareBps: 2_500,
      revealWindowSlots: 300n,
      claimWindowSlots: 9_000n,
      maxConsumptions: 8,
      lastMinedSlot: 123_456_000n,
      totalMiners: 3n,
      totalClaimsMined: 40n,
      totalClaimsRevealed: 39n,
      totalConsumptions: 100n,
      totalClaimsClosed: 20n,
      bump: 252,
      pendingAdmin: key(3),
    });
  });

  it("decode Miner", () => {
    const data = new Writer().bytes(discriminator("scramble_registry", "Miner")).key(key(5)).u64(1_000n).u64(12n).u64(11n).u64(30n).u64(5n).u8(251).done();
    assert.deepEqual(decodeMiner(data), {
      authority: key(5),
      registeredSlot: 1_000n,
      claimsMined: 12n,
      claimsRevealed: 11n,
      consumptions: 30n,
      claimsClosed: 5n,
      bump: 251,
    });
  });

  it("decode Claim", () => {
    const data = new Writer()
      .bytes(discriminator("scramble_registry", "Claim"))
      .key(key(5))
      .bytes(filled(32, 0xab))
      .u64(123_456_789n)
      .bytes(filled(32, 0x5a))
      .u64(2n ** 64n - 1n)
      .bytes(filled(32, 0x01))
      .u64(16n)
      .u64(10n)
      .u64(11n)
      .u64(12n)
      .u16(2)
      .u16(8)
      .u8(250)
      .done();
    assert.deepEqual(decodeClaim(data), {
      minerAuthority: key(5),
      batchHash: filled(32, 0xab),
      slot: 123_456_789n,
      slotHash: filled(32, 0x5a),
      nonce: 2n ** 64n - 1n,
      powHash: filled(32, 0x01),
      difficulty: 16n,
      minedAtSlot: 10n,
      revealedAtSlot: 11n,
      expiresAtSlot: 12n,
      consumedCount: 2,
      maxConsumptions: 8,
      bump: 250,
    });
  });

  it("refuse another account's data, naming the account asked for", () => {
    const pool = new Writer().bytes(nullifierRecordDiscriminator).key(key(7)).done();
    const padded = Buffer.concat([pool, new Uint8Array(200)]);
    assertCloakError(() => decodePool(padded), ErrorCode.INVALID_ACCOUNT_DATA, "Pool: the data's discriminator");
  });

  it("refuse data shorter than the account", () => {
    assertCloakError(() => decodeConfig(configData().subarray(0, CONFIG_BYTES - 1)), ErrorCode.INVALID_ACCOUNT_DATA, "Config: expected at least 2672 bytes");
  });
});

describe("Solana account fetchers", () => {
  /** A connection serving `accounts` by address, recording what was asked. */
  function connectionWith(accounts: Map<string, AccountInfo<Buffer>>, asked: string[] = []): Connection {
    const stub = {
      getAccountInfo: async (address: PublicKey) => {
        asked.push(address.toBase58());
        return accounts.get(address.toBase58()) ?? null;
      },
    };
    return stub as unknown as Connection;
  }
  const info = (data: Uint8Array, owner: PublicKey): AccountInfo<Buffer> => ({ data: Buffer.from(data), owner, lamports: 1, executable: false });

  it("fetch the config at its PDA", async () => {
    const [address] = configPda();
    const config = await fetchConfig(connectionWith(new Map([[address.toBase58(), info(configData(), SHIELD_POOL_PROGRAM_ID)]])));
    assert.equal(config?.verifyingKeyDelaySeconds, 172_800n);
  });

  it("return null for an account that does not exist", async () => {
    assert.equal(await fetchPool(connectionWith(new Map()), key(1)), null);
  });

  it("refuse an account another program owns", async () => {
    const data = new Writer().bytes(discriminator("shield_pool", "Pool")).bytes(new Uint8Array(114)).done();
    const connection = connectionWith(new Map([[key(1).toBase58(), info(data, SCRAMBLE_REGISTRY_PROGRAM_ID)]]));
    await assertCloakErrorAsync(() => fetchPool(connection, key(1)), ErrorCode.INVALID_ACCOUNT_DATA, "not the program");
  });

  it("tell a spent nullifier by its record at the nullifier PDA", async () => {
    const pool = key(7);
    const [record] = nullifierPda(pool, 42n);
    const data = new Writer().bytes(nullifierRecordDiscriminator).key(pool).done();
    const asked: string[] = [];
    const connection = connectionWith(new Map([[record.toBase58(), info(data, SHIELD_POOL_PROGRAM_ID)]]), asked);
    assert.equal(await isNullifierSpent(connection, pool, 42n), true);
    assert.equal(await isNullifierSpent(connection, pool, 43n), false);
    assert.deepEqual(asked, [record.toBase58(), nullifierPda(pool, 43n)[0].toBase58()]);
  });
});
