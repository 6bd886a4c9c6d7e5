// `npx hardhat solana:params:set --pool <sol|token|mint> [--max-deposit <units>] [--max-fee <units>]` (the
// EVM's params:set): a pool's limits, at once (admin; no timelock on Solana but the multisig's own). A limit
// left out keeps its current value.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { PublicKey } from "@solana/web3.js";
import { fetchPool, setPoolLimitsInstruction } from "@cloak/sdk/solana";
import { TaskError, TaskErrorCode } from "../../lib/errors.ts";
import { runSolanaAdmin, type SolanaAdminArguments } from "../lib/context.ts";
import { resolveSolanaPool } from "../lib/deployment.ts";
import { wholeNumberOr } from "../lib/numbers.ts";

export default async function solanaParamsSet(args: SolanaAdminArguments & { pool: string; maxDeposit: string; maxFee: string }, hre: HardhatRuntimeEnvironment) {
  if (!args.maxDeposit.trim() && !args.maxFee.trim()) throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, "give --max-deposit, --max-fee or both");
  return runSolanaAdmin(hre, args, async (ctx) => {
    const entry = resolveSolanaPool(ctx.record, args.pool);
    const pool = await fetchPool(ctx.cluster.connection, new PublicKey(entry.pool), { programId: ctx.shieldPool });
    if (!pool) throw new TaskError(TaskErrorCode.STATE_UNAVAILABLE, `pool ${entry.name} (${entry.pool}) does not exist on the cluster`);
    const maxDeposit = wholeNumberOr(args.maxDeposit, "max-deposit", pool.maxDeposit);
    const maxFee = wholeNumberOr(args.maxFee, "max-fee", pool.maxFee);
    return {
      description: `set limits of pool ${entry.name} to max deposit ${maxDeposit}, max fee ${maxFee}`,
      instructions: [await setPoolLimitsInstruction({ admin: ctx.authority, mint: pool.mint, maxDeposit, maxFee, programId: ctx.shieldPool })],
    };
  });
}
