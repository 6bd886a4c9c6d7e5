// `npx hardhat safe:sign --file <proposal.json> [--from <owner>]`: adds an owner's signature to a
// proposal file written by an admin task's --via-safe, for offline co-signing.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { adminContext } from "../lib/admin.ts";
import { addSignature, readSafeProposalFile, safeContractNetworks, writeSafeProposalFile } from "../lib/safe.ts";

export default async function safeSign(args: { file: string; from: string }, hre: HardhatRuntimeEnvironment) {
  const ctx = await adminContext(hre, args.from);
  const connection = await hre.network.getOrCreate();
  const proposal = readSafeProposalFile(args.file);
  const signed = await addSignature(proposal, {
    provider: connection.provider,
    signer: ctx.signer.address,
    contractNetworks: safeContractNetworks(BigInt(proposal.chainId)),
  });
  writeSafeProposalFile(args.file, signed);
  console.log(`${ctx.signer.address} signed ${signed.safeTxHash} (${signed.signatures.length} signature(s)): ${signed.description}`);
  return signed;
}
