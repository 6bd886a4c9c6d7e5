// `verify-state [--against-chain]`: the runbook's verify_state --against-l1, for every pool.
import { toHex32 } from "@cloak/sdk";
import type { serviceCli } from "@cloak/service-kit";
import type { IndexedPool } from "../ingest/types.ts";
import { openSources, treeBuilder } from "../service.ts";
import { storedSizes } from "../state.ts";
import { store } from "../store.ts";
import { CommandFailure, runCommand, type CommandContext } from "./context.ts";

type Program = ReturnType<typeof serviceCli>;

/** Every stored leaf of the pool's current tree hashed again (no snapshot: this checks the database itself). */
async function recompute(context: CommandContext, pool: IndexedPool): Promise<{ tree: number; size: number; stored: number; root: string; recorded: string | null }> {
  const sizes = await storedSizes(context.db, pool.id);
  const tree = sizes.length - 1;
  const leaves: bigint[] = [];
  for await (const chunk of store.leaves(context.db, pool.id, tree, 0)) for (const leaf of chunk) leaves.push(leaf);
  const built = await treeBuilder(context.poseidon, context.zeros)(leaves);
  return { tree, size: sizes[tree]!, stored: leaves.length, root: toHex32(built.root), recorded: sizes[tree]! === 0 ? null : await store.rootAt(context.db, pool.id, tree, sizes[tree]!) };
}

async function verifyState(context: CommandContext, againstChain: boolean): Promise<void> {
  const { config, db, logger, print } = context;
  const sources = againstChain ? openSources(config, db, logger) : [];
  const pools = againstChain ? sources.flatMap((source) => [...source.pools]) : await store.pools(db);
  if (pools.length === 0) throw new CommandFailure("no pools in the database to verify (start the indexer once)");
  const cursors = await store.cursors(db);
  const failed: string[] = [];
  try {
    for (const pool of pools) {
      const mine = await recompute(context, pool);
      const problems: string[] = [];
      if (mine.stored !== mine.size) problems.push(`the database holds ${mine.stored} leaves but records roots up to ${mine.size}`);
      else if (mine.recorded !== null && mine.recorded !== mine.root) problems.push(`the stored leaves hash to ${mine.root}, but the database recorded ${mine.recorded} from the chain`);
      let chainPart = "";
      if (againstChain) {
        const source = sources.find((candidate) => candidate.chain === pool.chain)!;
        const chain = await source.chainRoot(pool.id);
        const indexedTo = cursors.get(pool.id)?.block ?? pool.startBlock - 1;
        const chainRoot = chain.root === null ? null : toHex32(chain.root);
        chainPart = `; chain tree ${chain.tree} root ${chainRoot ?? "(no transaction yet)"} at ${pool.chain === "evm" ? "block" : "slot"} ${chain.block}`;
        const agrees = chain.tree === mine.tree && (chainRoot === null ? mine.size === 0 : chainRoot === mine.root);
        if (!agrees) {
          const behind = indexedTo < chain.block ? ` (the database is indexed to ${indexedTo}: if the indexer is still catching up, run this again when it is ready)` : "";
          problems.push(`the chain's current root differs${behind}`);
        }
      }
      const line = `${pool.chain} pool ${pool.label} (${pool.id}): tree ${mine.tree}, ${mine.size} leaves, computed root ${mine.root}${chainPart}`;
      if (problems.length === 0) print(`ok ${line}`);
      else {
        print(`MISMATCH ${line}: ${problems.join("; ")}`);
        failed.push(`${pool.label} (${pool.id})`);
      }
    }
  } finally {
    for (const source of sources) await source.close();
  }
  if (failed.length > 0) throw new CommandFailure(`root mismatch in ${failed.length} of ${pools.length} pools: ${failed.join(", ")}`);
}

export function registerVerifyState(program: Program): void {
  program
    .command("verify-state")
    .description(
      "recompute every pool's current tree root from the leaves in the database and compare it with the root the database recorded and, with --against-chain, with the chain's current root; exit 1 on any mismatch",
    )
    .option("--config <file>", "TOML file")
    .option("--against-chain", "also read each pool's current tree and root from the chain (the configured deployments and RPC)")
    .action((options: { config?: string; againstChain?: boolean }) => runCommand("verify-state", options.config, (context) => verifyState(context, Boolean(options.againstChain))));
}
