// The attacker's verifier of the audit's `setVerifier(evil)`: a contract that answers `true` to every
// call, so it "verifies" any garbage proof. Its runtime code is ten bytes, written out here so no test
// contract has to exist in the production sources:
//   PUSH1 1, PUSH1 0, MSTORE, PUSH1 32, PUSH1 0, RETURN   (return abi.encode(uint256(1)))
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

const ACCEPT_ALL_RUNTIME = "600160005260206000f3";
/** CODECOPY the 10-byte runtime that follows this 12-byte header, and return it. */
const DEPLOY_HEADER = "600a600c600039600a6000f3";

export async function deployAcceptAllVerifier(ethers: HardhatEthers, deployer?: HardhatEthersSigner): Promise<string> {
  const from = deployer ?? (await ethers.getSigners())[0]!;
  const receipt = await (await from.sendTransaction({ data: `0x${DEPLOY_HEADER}${ACCEPT_ALL_RUNTIME}` })).wait();
  return receipt!.contractAddress!;
}
