import { readFileSync } from "node:fs";
import { z } from "zod";
import { IndexerError, IndexerErrorCode } from "./errors.ts";
import type { IndexedPool } from "./ingest/types.ts";

// The deployment files the deploy commands write (`npx hardhat deploy`, `npx hardhat solana:deploy`).
// Only what the indexer reads is checked here; the files carry more.
const evmRecord = z.object({
  format: z.literal("cloak-deployment/1"),
  chainId: z.string(),
  contracts: z.record(z.string(), z.object({ address: z.string(), details: z.record(z.string(), z.unknown()).optional() })),
});

const solanaRecord = z.object({
  format: z.literal("cloak-solana-deployment/1"),
  genesisHash: z.string(),
  programs: z.object({ shieldPool: z.string(), scrambleRegistry: z.string() }),
  pools: z.record(z.string(), z.object({ mint: z.string(), pool: z.string(), deploySlot: z.number().optional() })),
});

function readJson(path: string, key: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new IndexerError(IndexerErrorCode.INVALID_DEPLOYMENT, `${key} = "${path}": cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new IndexerError(IndexerErrorCode.INVALID_DEPLOYMENT, `${key} = "${path}": not JSON`);
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, path: string, key: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new IndexerError(IndexerErrorCode.INVALID_DEPLOYMENT, `${key} = "${path}": ${issue.path.join(".") || "(file)"}: ${issue.message}`);
  }
  return result.data;
}

export interface EvmDeployment {
  readonly chainId: number;
  readonly pools: IndexedPool[];
}

/** The pools of an EVM deployment record: every `ShieldPool.<name>` proxy (not the implementation). */
export function readEvmDeployment(path: string): EvmDeployment {
  const record = parse(evmRecord, readJson(path, "evm.deployment"), path, "evm.deployment");
  const pools = Object.entries(record.contracts)
    .filter(([name]) => name.startsWith("ShieldPool.") && name !== "ShieldPool.implementation")
    .map(([name, contract]): IndexedPool => {
      const deployBlock = contract.details?.["deployBlock"];
      return {
        id: contract.address.toLowerCase(),
        chain: "evm",
        address: contract.address,
        asset: String(contract.details?.["asset"] ?? "unknown"),
        label: name,
        startBlock: typeof deployBlock === "number" ? deployBlock : 0,
        network: `evm:${Number(record.chainId)}`,
      };
    });
  if (pools.length === 0) throw new IndexerError(IndexerErrorCode.INVALID_DEPLOYMENT, `evm.deployment = "${path}": names no ShieldPool.<name> contract`);
  return { chainId: Number(record.chainId), pools };
}

export interface SolanaDeploymentInfo {
  readonly genesisHash: string;
  readonly shieldPool: string;
  readonly pools: IndexedPool[];
}

export function readSolanaDeployment(path: string): SolanaDeploymentInfo {
  const record = parse(solanaRecord, readJson(path, "solana.deployment"), path, "solana.deployment");
  const pools = Object.entries(record.pools).map(([name, pool]): IndexedPool => ({
    id: pool.pool,
    chain: "solana",
    address: pool.pool,
    asset: pool.mint,
    label: name,
    startBlock: pool.deploySlot ?? 0,
    network: `solana:${record.genesisHash}`,
  }));
  if (pools.length === 0) throw new IndexerError(IndexerErrorCode.INVALID_DEPLOYMENT, `solana.deployment = "${path}": names no pool`);
  return { genesisHash: record.genesisHash, shieldPool: record.programs.shieldPool, pools };
}
