// `npx hardhat solana:emergency:verifier [--vkey verification_key.json] -k <council keypair>` (EP-005): the
// security council installs a checked key at once, which the program allows only while the pool is paused
// (NotInEmergency otherwise); a pending rotation is dropped. Transacts resume when the admin unpauses.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { emergencySetVerifyingKeyInstruction } from "@cloak/sdk/solana";
import { runSolanaAdmin, type SolanaAdminArguments } from "../lib/context.ts";
import { KEY_CHECK_COMPUTE_UNITS, loadVerifyingKey } from "../lib/verifying-key.ts";

export default async function solanaEmergencyVerifier(args: SolanaAdminArguments & { vkey: string }, hre: HardhatRuntimeEnvironment) {
  const loaded = loadVerifyingKey(hre.config.paths.root, args.vkey);
  return runSolanaAdmin(hre, args, async (ctx) => ({
    description: `install the verifying key ${loaded.path} at once (file sha256 ${loaded.fileSha256})`,
    instructions: [await emergencySetVerifyingKeyInstruction({ securityCouncil: ctx.authority, verifyingKey: loaded.key, programId: ctx.shieldPool })],
      computeUnits: KEY_CHECK_COMPUTE_UNITS,
  }));
}
