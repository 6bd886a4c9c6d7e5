// --via-safe: the admin calls become one Safe transaction, signed by the operator (an owner) and written
// as a proposal file for offline co-signing (`safe:sign`, `safe:execute`); optionally also a Safe{Wallet}
// Transaction Builder batch (--out) and a submission to a Safe Transaction Service (--propose).
import { join } from "node:path";
import type { AdminContext, AdminOutcome, SafeName } from "./admin.ts";
import { requireContract } from "./deployment-file.ts";
import { proposeSafeTransaction, proposeToService, safeContractNetworks, writeSafeProposalFile, writeTransactionBuilderBatch } from "./safe.ts";
import type { Call } from "./timelock.ts";

export interface SafeFlags {
  /** Safe{Wallet} Transaction Builder batch file to write as well. */
  out: string;
  /** Proposal file path; defaults to safe-proposals/<time>-<action>.json. */
  proposal: string;
  /** Submit to the Safe Transaction Service at SAFE_TX_SERVICE_URL (SAFE_API_KEY if it needs one). */
  propose: boolean;
}

export async function safeRoute(ctx: AdminContext, flags: SafeFlags, calls: Call[], description: string, safeName: SafeName = "Safe"): Promise<AdminOutcome> {
  const safe = requireContract(ctx.record, safeName).address;
  const connection = await ctx.hre.network.getOrCreate();
  const chainId = BigInt(ctx.record.chainId);
  const safeCalls = calls.map((call) => ({ to: call.target, value: call.value, data: call.data, description }));
  const proposal = await proposeSafeTransaction({
    provider: connection.provider,
    signer: ctx.signer.address,
    safeAddress: safe,
    contractNetworks: safeContractNetworks(chainId),
    calls: safeCalls,
    description,
  });
  const slug = description.replace(/[^a-z0-9]+/gi, "-").slice(0, 48).replace(/-$/, "");
  const path = flags.proposal || join(ctx.hre.config.paths.root, "safe-proposals", `${Date.now()}-${slug}.json`);
  writeSafeProposalFile(path, proposal);
  if (flags.out) writeTransactionBuilderBatch(safeCalls, { chainId, safeAddress: safe, name: description, description, path: flags.out });
  if (flags.propose) {
    await proposeToService(proposal, {
      ...(process.env.SAFE_TX_SERVICE_URL ? { txServiceUrl: process.env.SAFE_TX_SERVICE_URL } : {}),
      ...(process.env.SAFE_API_KEY ? { apiKey: process.env.SAFE_API_KEY } : {}),
      origin: "cloak hardhat tasks",
    });
  }
  return { kind: "safe", path, safeTxHash: proposal.safeTxHash, signatures: proposal.signatures.length, description };
}
