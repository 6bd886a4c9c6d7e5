// `npx hardhat solana:relayer:list -u <url>`: the registered relayers and their SOL balances (they sign and
// pay for the transacts that pay them).
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { LAMPORTS_PER_SOL } from "@solana/web3.js";
import { fetchConfig, registeredRelayers } from "@cloak/sdk/solana";
import { TaskError, TaskErrorCode } from "../../lib/errors.ts";
import type { ClusterArguments } from "../lib/cluster.ts";
import { solanaReadContext } from "../lib/context.ts";

export default async function solanaRelayerList(args: ClusterArguments, hre: HardhatRuntimeEnvironment): Promise<string[]> {
  const { cluster, record, shieldPool } = await solanaReadContext(hre, args);
  const config = await fetchConfig(cluster.connection, { programId: shieldPool });
  if (!config) throw new TaskError(TaskErrorCode.STATE_UNAVAILABLE, `the config ${record.accounts.config} does not exist on the cluster`);
  const relayers = registeredRelayers(config);
  if (relayers.length === 0) console.log("No relayers registered.");
  for (const relayer of relayers) {
    console.log(`${relayer.toBase58()}  ${(await cluster.connection.getBalance(relayer)) / LAMPORTS_PER_SOL} SOL`);
  }
  return relayers.map((relayer) => relayer.toBase58());
}
