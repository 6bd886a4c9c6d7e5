import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AbiCoder, keccak256 } from "ethers";
import { ErrorCode, FIELD_SIZE, encodeEvmExtData, hashEvmExtData, publicAmount, type EvmExtData } from "../src/index.js";
import { assertCloakError } from "./helpers.js";

const extData: EvmExtData = {
  chainId: 1n,
  pool: "0x1111111111111111111111111111111111111111",
  recipient: "0x2222222222222222222222222222222222222222",
  extAmount: -5n,
  relayer: "0x3333333333333333333333333333333333333333",
  fee: 1n,
  encryptedOutput1: new Uint8Array([1, 2, 3]),
  encryptedOutput2: new Uint8Array([4]),
};

describe("EVM extData", () => {
  it("encodes as Solidity's abi.encode of the ExtData struct", () => {
    const manual = AbiCoder.defaultAbiCoder().encode(
      ["tuple(uint256,address,address,int256,address,uint256,bytes,bytes)"],
      [[1n, extData.pool, extData.recipient, -5n, extData.relayer, 1n, "0x010203", "0x04"]],
    );
    assert.equal(encodeEvmExtData(extData), manual);
  });

  it("hashes to keccak256 of the encoding reduced mod p", () => {
    assert.equal(hashEvmExtData(extData), BigInt(keccak256(encodeEvmExtData(extData))) % FIELD_SIZE);
  });

  it("changes hash when any ciphertext byte changes", () => {
    assert.notEqual(hashEvmExtData(extData), hashEvmExtData({ ...extData, encryptedOutput2: new Uint8Array([5]) }));
  });

  it("refuses a recipient that is not an address", () => {
    assertCloakError(() => hashEvmExtData({ ...extData, recipient: "0x1234" }), ErrorCode.INVALID_EXT_DATA, "extData.recipient");
  });

  it("refuses an extAmount of 2^248 or more in magnitude", () => {
    assertCloakError(() => hashEvmExtData({ ...extData, extAmount: -(1n << 248n) }), ErrorCode.INVALID_EXT_DATA, "extData.extAmount");
  });

  it("maps a withdrawal's publicAmount to p - (amount + fee)", () => {
    assert.equal(publicAmount(-5n, 1n), FIELD_SIZE - 6n);
    assert.equal(publicAmount(10n, 0n), 10n);
  });
});
