// The on-chain Poseidon(2) hasher the Merkle trees call: CloakPoseidonHasher, raw bytecode that scripts/poseidon-evm.ts
// generates from circomlib's constants (tasks/lib/poseidon-hasher-code.ts), the same bytes whatever the compiler profile. It goes through Arachnid's deterministic-deployment
// proxy, deployed by its presigned keyless transaction (taken from the pinned poseidon-solidity package), so it lands
// at the same address on every chain for the same creation code, and a deployment sends the same transactions, in
// the same order, as it did when the hasher was poseidon-solidity's PoseidonT3: the pool's and orchestrator's
// addresses, which follow from the deployer's nonces, do not move. See docs/evm.md, "Generated Poseidon".
import { createRequire } from "node:module";
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { CLOAK_POSEIDON_HASHER_CREATION_CODE } from "./poseidon-hasher-code.ts";

interface PoseidonSolidityPackage {
  /** poseidon-solidity's own PoseidonT3: creation code and canonical address (bench/poseidon-gas.ts compares). */
  PoseidonT3: { bytecode: string; address: string };
  /** Arachnid's deterministic-deployment proxy, deployed by a presigned keyless transaction. */
  proxy: { from: string; gas: string; tx: string; address: string };
}

// The package is CommonJS whose exports Node's ESM loader cannot name statically, and its typings declare an
// ambient module rather than a module file; requiring it with a local type sidesteps both.
const { PoseidonT3, proxy } = createRequire(import.meta.url)("poseidon-solidity") as PoseidonSolidityPackage;

/** poseidon-solidity's PoseidonT3, the hasher before CloakPoseidonHasher, kept for gas comparisons. */
export const POSEIDON_T3 = { bytecode: PoseidonT3.bytecode, address: PoseidonT3.address } as const;

/** CREATE2 salt for the hasher: one fixed value, so its address depends on its creation code alone. */
export const POSEIDON_HASHER_SALT = `0x${"00".repeat(32)}`;

/** The hasher's creation code and the address the proxy deploys it to, on every chain. */
export function poseidonHasherDeployment(ethers: HardhatEthers): { bytecode: string; address: string } {
  const bytecode = CLOAK_POSEIDON_HASHER_CREATION_CODE;
  return { bytecode, address: ethers.getCreate2Address(proxy.address, POSEIDON_HASHER_SALT, ethers.keccak256(bytecode)) };
}

/**
 * Makes sure CloakPoseidonHasher is deployed at its deterministic address (deploying the proxy first when needed)
 * and returns that address, the `hasher` for `__MerkleTreeWithHistory_init(levels, hasher)`. Idempotent.
 */
export async function deployPoseidonHasher(ethers: HardhatEthers): Promise<string> {
  const { bytecode, address } = poseidonHasherDeployment(ethers);
  if ((await ethers.provider.getCode(address)) !== "0x") return address;
  const [funder] = await ethers.getSigners();
  if ((await ethers.provider.getCode(proxy.address)) === "0x") {
    // The proxy's keyless deployer pays for its presigned transaction; fund it, then relay that transaction.
    await (await funder!.sendTransaction({ to: proxy.from, value: BigInt(proxy.gas) })).wait();
    await ethers.provider.waitForTransaction(await ethers.provider.send("eth_sendRawTransaction", [proxy.tx]));
  }
  const data = ethers.concat([POSEIDON_HASHER_SALT, bytecode]);
  await (await funder!.sendTransaction({ to: proxy.address, data })).wait();
  if ((await ethers.provider.getCode(address)) === "0x") throw new Error("CloakPoseidonHasher deployment failed");
  return address;
}
