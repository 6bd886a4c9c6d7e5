// `replay --from <block|slot>`: the runbook's replay_wal. Our write-ahead log is the chain itself: the
// database is rolled back to just before the block and the next start reads the chain again from it.
import type { serviceCli } from "@cloak/service-kit";
import { InvalidArgumentError } from "commander";
import type { Chain } from "../ingest/types.ts";
import { store } from "../store.ts";
import { CommandFailure, runCommand, takeWriterLease, type CommandContext } from "./context.ts";

type Program = ReturnType<typeof serviceCli>;

const blockNumber = (text: string) => {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) throw new InvalidArgumentError("must be a block (EVM) or slot (Solana) number");
  return value;
};

const chainName = (text: string): Chain => {
  if (text !== "evm" && text !== "solana") throw new InvalidArgumentError("must be evm or solana");
  return text;
};

async function replay(context: CommandContext, from: number, only: Chain | undefined): Promise<void> {
  const { db, print } = context;
  const all = await store.pools(db);
  if (all.length === 0) throw new CommandFailure("no pools in the database: nothing to replay (a first start ingests from each pool's deployment)");
  const chains = [...new Set(all.map((pool) => pool.chain))];
  if (!only && chains.length > 1) throw new CommandFailure("the database has EVM and Solana pools: say which with --chain evm|solana (a block number and a slot are not comparable)");
  const chain = only ?? chains[0]!;
  const pools = all.filter((pool) => pool.chain === chain);
  if (pools.length === 0) throw new CommandFailure(`no ${chain} pools in the database`);
  const unit = chain === "evm" ? "block" : "slot";
  const lease = await takeWriterLease(db, "replay");
  try {
    const before = await store.counts(lease);
    const cursorsBefore = await store.cursors(lease);
    await store.rollback(lease, pools.map((pool) => pool.id), from - 1, chain);
    const after = await store.counts(lease);
    const cursorsAfter = await store.cursors(lease);
    for (const pool of pools) {
      const was = before.get(pool.id)!;
      const now = after.get(pool.id)!;
      print(
        `${chain} pool ${pool.label} (${pool.id}): ${was.commitments} -> ${now.commitments} commitments, ${was.nullifiers} -> ${now.nullifiers} nullifiers, cursor ${unit} ${cursorsBefore.get(pool.id)?.block ?? "none"} -> ${cursorsAfter.get(pool.id)?.block ?? "none"}`,
      );
    }
    print(`rolled back to ${unit} ${from - 1}: the next start re-ingests ${chain} from ${unit} ${from} (each root checked against the chain's)`);
  } finally {
    await lease.releaseLease();
  }
}

export function registerReplay(program: Program): void {
  program
    .command("replay")
    .description("roll the database back to just before a block (EVM) or slot (Solana), so the next start re-ingests from there; refused while an indexer runs")
    .requiredOption("--from <number>", "the first block or slot to read again", blockNumber)
    .option("--chain <chain>", "evm or solana (needed when the database has pools on both)", chainName)
    .option("--config <file>", "TOML file")
    .action((options: { config?: string; from: number; chain?: Chain }) => runCommand("replay", options.config, (context) => replay(context, options.from, options.chain)));
}
