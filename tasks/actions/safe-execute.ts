// `npx hardhat safe:execute --file <proposal.json> [--from <account>]`: executes a proposal once it
// holds the Safe's threshold of owner signatures; refuses (and says how many are missing) before.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { adminContext } from "../lib/admin.ts";
import { executeSafeProposal, readSafeProposalFile, safeContractNetworks } from "../lib/safe.ts";

export default async function safeExecute(args: { file: string; from: string }, hre: HardhatRuntimeEnvironment) {
  const ctx = await adminContext(hre, args.from);
  const connection = await hre.network.getOrCreate();
  const proposal = readSafeProposalFile(args.file);
  const execution = await executeSafeProposal(proposal, {
    provider: connection.provider,
    signer: ctx.signer.address,
    contractNetworks: safeContractNetworks(BigInt(proposal.chainId)),
  });
  console.log(`executed Safe transaction ${execution.safeTxHash} in ${execution.transactionHash}: ${proposal.description}`);
  return execution;
}
