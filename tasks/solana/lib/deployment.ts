// `deployments/solana-<cluster>.json`: what a Solana deploy made (program ids, PDAs, pools, the test
// mint, the authority's public key; never a secret), written after every step so a rerun resumes.
import { existsSync, readFileSync } from "node:fs";
import { PublicKey } from "@solana/web3.js";
import { NATIVE_MINT } from "@cloak/sdk/solana";
import { deploymentPath, writeDeployment } from "../../lib/deployment-file.ts";
import { TaskError, TaskErrorCode } from "../../lib/errors.ts";

export const SOLANA_DEPLOYMENT_FORMAT = "cloak-solana-deployment/1";

export interface SolanaPoolRecord {
  /** The SOL pool's is the zero key (NATIVE_MINT). */
  mint: string;
  pool: string;
  vault: string;
  tree: string;
  /** Limits the pool was opened with (set_pool_limits changes them on chain, not here). */
  maxDeposit: string;
  maxFee: string;
}

export interface SolanaDeployment {
  format: typeof SOLANA_DEPLOYMENT_FORMAT;
  cluster: string;
  /** The cluster's genesis hash: commands refuse a deployment file of another cluster. */
  genesisHash: string;
  /** The upgrade authority that initialized both programs (their first admin). */
  authority: string;
  programs: { shieldPool: string; scrambleRegistry: string };
  accounts: {
    config: string;
    registry: string;
    shieldPoolProgramData: string;
    scrambleRegistryProgramData: string;
  };
  /** By name: `sol`, and `token` for the test mint's pool. */
  pools: Record<string, SolanaPoolRecord>;
  /** The SPL mint the deploy created for the token pool (its mint authority is `authority`). */
  testMint?: { address: string; decimals: number; mintAuthority: string };
  /** Steps done, in order. */
  completed: string[];
  updatedAt: string;
}

/** `deployments/solana-<cluster>.json`, or under CLOAK_DEPLOYMENTS_DIR when set (tests, dry runs). */
export function solanaDeploymentPath(root: string, cluster: string): string {
  return deploymentPath(root, `solana-${cluster}`);
}

/** The record at `path`, or null when there is none. */
export function readSolanaDeploymentFile(path: string): SolanaDeployment | null {
  if (!existsSync(path)) return null;
  let record: Partial<SolanaDeployment>;
  try {
    record = JSON.parse(readFileSync(path, "utf8")) as Partial<SolanaDeployment>;
  } catch {
    throw new TaskError(TaskErrorCode.DEPLOYMENT_INVALID, `${path} is not JSON`);
  }
  if (record.format !== SOLANA_DEPLOYMENT_FORMAT) {
    throw new TaskError(TaskErrorCode.DEPLOYMENT_INVALID, `${path}: format '${String(record.format)}' is not '${SOLANA_DEPLOYMENT_FORMAT}'`);
  }
  return record as SolanaDeployment;
}

/** The record of the cluster the connection reaches; refused when it was made on another cluster. */
export function readSolanaDeployment(path: string, cluster: string, genesisHash: string): SolanaDeployment {
  const record = readSolanaDeploymentFile(path);
  if (!record) {
    throw new TaskError(TaskErrorCode.DEPLOYMENT_NOT_FOUND, `no Solana deployment for cluster '${cluster}': ${path} does not exist (run 'npx hardhat solana:deploy -u <url>')`);
  }
  if (record.genesisHash !== genesisHash) {
    throw new TaskError(
      TaskErrorCode.CHAIN_MISMATCH,
      `${path} is for the cluster with genesis hash ${record.genesisHash}, but the node answers with ${genesisHash} (another cluster, or a local node started with --reset: redeploy)`,
    );
  }
  return record;
}

/** Written through a temporary file and a rename, so an interrupted deploy never leaves a torn record. */
export function writeSolanaDeployment(path: string, record: SolanaDeployment): void {
  // The EVM record's writer: the same atomic write, and it stamps updatedAt.
  writeDeployment(path, record as unknown as Parameters<typeof writeDeployment>[1]);
}

/** A pool of the deployment by name (`sol`, `token`) or by mint address. */
export function resolveSolanaPool(record: SolanaDeployment, pool: string): SolanaPoolRecord & { name: string } {
  const byName = record.pools[pool];
  if (byName) return { name: pool, ...byName };
  const byMint = Object.entries(record.pools).find(([, entry]) => entry.mint === pool || entry.pool === pool);
  if (byMint) return { name: byMint[0], ...byMint[1] };
  throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--pool: '${pool}' is neither a pool of this deployment (${Object.keys(record.pools).join(", ")}) nor one's mint or address`);
}

/** A base58 public key argument, or a TaskError naming the option. */
export function publicKeyArgument(value: string, option: string): PublicKey {
  try {
    if (!value.trim()) throw new Error("empty");
    return new PublicKey(value.trim());
  } catch {
    throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, `--${option}: '${value}' is not a base58 public key`);
  }
}

export const isNativeMint = (mint: string) => mint === NATIVE_MINT.toBase58();
