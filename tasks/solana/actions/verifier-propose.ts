// `npx hardhat solana:verifier:propose [--vkey verification_key.json]` (EP-003): stages a new verifying key
// (admin). The program checks every point; the key applies after the rotation delay with the pool unpaused
// throughout (solana:verifier:apply), and the task prints from when.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { fetchConfig, proposeVerifyingKeyInstruction } from "@cloak/sdk/solana";
import { runSolanaAdmin, type SolanaAdminArguments } from "../lib/context.ts";
import { rotationReadyAt } from "../lib/governance.ts";
import { KEY_CHECK_COMPUTE_UNITS, loadVerifyingKey } from "../lib/verifying-key.ts";

export default async function solanaVerifierPropose(args: SolanaAdminArguments & { vkey: string }, hre: HardhatRuntimeEnvironment) {
  const loaded = loadVerifyingKey(hre.config.paths.root, args.vkey);
  return runSolanaAdmin(
    hre,
    args,
    async (ctx) => ({
      description: `propose the verifying key ${loaded.path} (file sha256 ${loaded.fileSha256})`,
      instructions: [await proposeVerifyingKeyInstruction({ admin: ctx.authority, verifyingKey: loaded.key, programId: ctx.shieldPool })],
      computeUnits: KEY_CHECK_COMPUTE_UNITS,
    }),
    async (ctx) => {
      const config = await fetchConfig(ctx.cluster.connection, { programId: ctx.shieldPool });
      const readyAt = config ? rotationReadyAt(config) : null;
      if (readyAt !== null) console.log(`applicable with solana:verifier:apply from ${new Date(Number(readyAt) * 1000).toISOString()} (unix ${readyAt}) if the pool stays unpaused`);
    },
  );
}
