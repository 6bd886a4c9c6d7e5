import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inspect } from "node:util";
import { ErrorCode, Keypair, decodeAddress, getPoseidon } from "../src/index.js";
import { assertCloakError } from "./helpers.js";

const poseidon = await getPoseidon();
const seed = new Uint8Array(32).fill(7);

describe("keypair", () => {
  it("derives the public key as Poseidon(sk)", () => {
    const keypair = Keypair.generate(poseidon);
    assert.equal(keypair.publicKey, poseidon.hash([keypair.privateKey]));
  });

  it("derives the same account from the same seed", () => {
    const a = Keypair.fromSeed(seed, poseidon);
    const b = Keypair.fromSeed(seed, poseidon);
    assert.equal(a.privateKey, b.privateKey);
    assert.deepEqual(a.encryptionKey, b.encryptionKey);
  });

  it("refuses a seed shorter than 32 bytes", () => {
    assertCloakError(() => Keypair.fromSeed(new Uint8Array(31), poseidon), ErrorCode.INVALID_KEY, "seed");
  });

  it("round-trips through its versioned serialization", () => {
    const keypair = Keypair.generate(poseidon);
    const restored = Keypair.deserialize(JSON.stringify(keypair.serialize()), poseidon);
    assert.equal(restored.privateKey, keypair.privateKey);
    assert.equal(restored.address(), keypair.address());
  });

  it("refuses a serialization of an unknown format", () => {
    assertCloakError(() => Keypair.deserialize('{"format":"cloak-key/9","privateKey":"0x01"}', poseidon), ErrorCode.UNSUPPORTED_VERSION, "keypair.format");
  });

  it("keeps the private key out of JSON and inspection", () => {
    const keypair = Keypair.generate(poseidon);
    const hex = keypair.privateKey.toString(16);
    assert.ok(!JSON.stringify(keypair).includes(hex));
    assert.ok(!inspect(keypair).includes(hex));
    assert.ok(!inspect(keypair).includes(keypair.privateKey.toString()));
  });
});

describe("shielded address", () => {
  it("round-trips the public key and the encryption key", () => {
    const keypair = Keypair.generate(poseidon);
    const address = keypair.address();
    assert.match(address, /^cloak1/);
    const decoded = decodeAddress(address);
    assert.equal(decoded.publicKey, keypair.publicKey);
    assert.deepEqual(decoded.encryptionKey, keypair.encryptionKey);
  });

  it("refuses an address with a typo through its checksum", () => {
    const address = Keypair.generate(poseidon).address();
    const typo = address.slice(0, -1) + (address.endsWith("q") ? "p" : "q");
    assertCloakError(() => decodeAddress(typo), ErrorCode.INVALID_ADDRESS, "address");
  });

  it("refuses an address with another prefix", () => {
    assertCloakError(() => decodeAddress("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"), ErrorCode.INVALID_ADDRESS);
  });
});
