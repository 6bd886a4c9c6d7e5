// `npx hardhat relayer:list`: the registered relayers and their native balances.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { loadDeployment } from "../lib/connection.ts";
import { requireContract } from "../lib/deployment-file.ts";

export default async function relayerList(_args: object, hre: HardhatRuntimeEnvironment): Promise<string[]> {
  const { ethers, record } = await loadDeployment(hre);
  const orchestrator = await ethers.getContractAt("Orchestrator", requireContract(record, "Orchestrator").address);
  const relayers = await orchestrator.relayers();
  if (relayers.length === 0) console.log("No relayers registered.");
  for (const relayer of relayers) console.log(`${relayer}  ${ethers.formatEther(await ethers.provider.getBalance(relayer))} ETH`);
  return [...relayers];
}
