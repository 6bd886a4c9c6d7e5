import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Connection, PublicKey } from "@solana/web3.js";
import { ErrorCode } from "../src/index.js";
import {
  SCRAMBLE_REGISTRY_PROGRAM_ID,
  SHIELD_POOL_PROGRAM_ID,
  configPda,
  offlineShieldPoolProgram,
  scrambleRegistryProgram,
  shieldPoolProgram,
} from "../src/solana/index.js";
import { assertCloakErrorAsync } from "./helpers.js";

// Constructing a Connection opens nothing; these tests never send.
const provider = { connection: new Connection("http://127.0.0.1:8899") };

describe("Solana program clients", () => {
  it("build clients at the programs' ids with the camelCase IDLs", () => {
    const shield = shieldPoolProgram(provider);
    const registry = scrambleRegistryProgram(provider);
    assert.ok(shield.programId.equals(SHIELD_POOL_PROGRAM_ID));
    assert.ok(registry.programId.equals(SCRAMBLE_REGISTRY_PROGRAM_ID));
    assert.ok(shield.idl.instructions.some((ix) => ix.name === "initializeSolPool"));
    assert.equal(shield.provider, provider);
  });

  it("build a client for another deployment's program id", () => {
    const programId = new PublicKey(new Uint8Array(32).fill(0x42));
    assert.ok(shieldPoolProgram(provider, programId).programId.equals(programId));
  });

  it("keep offline clients off the network", async () => {
    await assertCloakErrorAsync(() => offlineShieldPoolProgram().account.config.fetch(configPda()[0]), ErrorCode.NOT_INITIALIZED, "offline");
  });
});
