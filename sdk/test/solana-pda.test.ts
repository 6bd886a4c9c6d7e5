import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PublicKey } from "@solana/web3.js";
import { ErrorCode } from "../src/index.js";
import {
  NATIVE_MINT,
  SCRAMBLE_REGISTRY_PROGRAM_ID,
  SHIELD_POOL_PROGRAM_ID,
  claimPda,
  configPda,
  eventAuthorityPda,
  minerPda,
  nullifierPda,
  poolPda,
  registryPda,
  treePda,
  vaultPda,
} from "../src/solana/index.js";
import { assertCloakError } from "./helpers.js";

const utf8 = (text: string) => new TextEncoder().encode(text);
const key = (byte: number) => new PublicKey(new Uint8Array(32).fill(byte));
const shield = (seeds: Uint8Array[]) => PublicKey.findProgramAddressSync(seeds, SHIELD_POOL_PROGRAM_ID);
const registry = (seeds: Uint8Array[]) => PublicKey.findProgramAddressSync(seeds, SCRAMBLE_REGISTRY_PROGRAM_ID);

describe("Solana PDAs", () => {
  it("derives the shield pool's config, pool, vault and tree from their seeds", () => {
    const [pool] = poolPda(NATIVE_MINT);
    assert.deepEqual(configPda(), shield([utf8("config")]));
    assert.deepEqual(poolPda(NATIVE_MINT), shield([utf8("pool"), new Uint8Array(32)]));
    assert.deepEqual(vaultPda(pool), shield([utf8("vault"), pool.toBytes()]));
    assert.deepEqual(treePda(pool), shield([utf8("tree"), pool.toBytes()]));
  });

  it("derives the shield pool's event authority from Anchor's event-cpi seed", () => {
    assert.deepEqual(eventAuthorityPda(), shield([utf8("__event_authority")]));
    assert.deepEqual(eventAuthorityPda(key(9)), PublicKey.findProgramAddressSync([utf8("__event_authority")], key(9)));
  });

  it("seeds a nullifier record with the nullifier as 32 bytes big-endian", () => {
    const [pool] = poolPda(key(7));
    const nullifierBytes = new Uint8Array(32);
    nullifierBytes[30] = 0x01;
    nullifierBytes[31] = 0x02;
    assert.deepEqual(nullifierPda(pool, 0x0102n), shield([utf8("nullifier"), pool.toBytes(), nullifierBytes]));
  });

  it("derives the registry, miner and claim, the claim's slot little-endian", () => {
    const authority = key(0x22);
    const batchHash = new Uint8Array(32).fill(0x33);
    const slotLe = Uint8Array.from([8, 7, 6, 5, 4, 3, 2, 1]);
    assert.deepEqual(registryPda(), registry([utf8("registry")]));
    assert.deepEqual(minerPda(authority), registry([utf8("miner"), authority.toBytes()]));
    assert.deepEqual(
      claimPda(authority, batchHash, 0x0102030405060708n),
      registry([utf8("claim"), authority.toBytes(), batchHash, slotLe]),
    );
  });

  it("derives under another program id when given one", () => {
    const programId = key(9);
    assert.deepEqual(configPda(programId), PublicKey.findProgramAddressSync([utf8("config")], programId));
    assert.notDeepEqual(configPda(programId)[0], configPda()[0]);
  });

  it("refuses a batch hash that is not 32 bytes", () => {
    assertCloakError(() => claimPda(key(1), new Uint8Array(31), 0n), ErrorCode.INVALID_PDA_SEED, "batchHash");
  });

  it("refuses a slot outside u64", () => {
    assertCloakError(() => claimPda(key(1), new Uint8Array(32), 1n << 64n), ErrorCode.INVALID_PDA_SEED, "slot");
  });

  it("refuses a nullifier outside the field", () => {
    assertCloakError(() => nullifierPda(key(1), -1n), ErrorCode.INVALID_FIELD_ELEMENT, "nullifier");
  });
});
