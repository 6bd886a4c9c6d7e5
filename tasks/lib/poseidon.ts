// The on-chain Poseidon(2) hasher the Merkle trees call: poseidon-solidity's PoseidonT3 library, deployed from
// the creation code the pinned npm package ships. It goes through the same deterministic-deployment proxy and
// salt as on public chains, so tests run the exact bytecode, at the exact address, that production uses, and
// Hardhat need not compile the 44 kB library. See docs/evm.md, "On-chain Poseidon: measured choice".
import { createRequire } from "node:module";
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";

interface PresignedDeploy {
  /** Creation code of the library. */
  bytecode: string;
  /** salt ++ bytecode: calldata for the deterministic-deployment proxy. */
  data: string;
  /** Where the proxy deploys it (CREATE2), on every chain. */
  address: string;
}

interface PoseidonSolidityPackage {
  PoseidonT3: PresignedDeploy;
  /** Arachnid's deterministic-deployment proxy, deployed by a presigned keyless transaction. */
  proxy: { from: string; gas: string; tx: string; address: string };
}

// The package is CommonJS whose exports Node's ESM loader cannot name statically, and its typings declare an
// ambient module rather than a module file; requiring it with a local type sidesteps both.
const { PoseidonT3, proxy } = createRequire(import.meta.url)("poseidon-solidity") as PoseidonSolidityPackage;

/** PoseidonT3's creation code and canonical address, from the pinned poseidon-solidity package. */
export const POSEIDON_T3 = { bytecode: PoseidonT3.bytecode, address: PoseidonT3.address } as const;

/**
 * Makes sure PoseidonT3 is deployed at its canonical address (deploying the proxy first when needed) and
 * returns that address, the `hasher` for `__MerkleTreeWithHistory_init(levels, hasher)`. Idempotent.
 */
export async function deployPoseidonHasher(ethers: HardhatEthers): Promise<string> {
  if ((await ethers.provider.getCode(PoseidonT3.address)) !== "0x") return PoseidonT3.address;
  const [funder] = await ethers.getSigners();
  if ((await ethers.provider.getCode(proxy.address)) === "0x") {
    // The proxy's keyless deployer pays for its presigned transaction; fund it, then relay that transaction.
    await (await funder!.sendTransaction({ to: proxy.from, value: BigInt(proxy.gas) })).wait();
    await ethers.provider.waitForTransaction(await ethers.provider.send("eth_sendRawTransaction", [proxy.tx]));
  }
  await (await funder!.sendTransaction({ to: proxy.address, data: PoseidonT3.data })).wait();
  if ((await ethers.provider.getCode(PoseidonT3.address)) === "0x") throw new Error("PoseidonT3 deployment failed");
  return PoseidonT3.address;
}
