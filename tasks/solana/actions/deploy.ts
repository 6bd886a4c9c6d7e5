// `npx hardhat solana:deploy -u <url> -k <upgrade authority keypair>` (`npm run localnet:deploy` against the
// local node): the registry, the shield pool config, a SOL pool and a test SPL mint's pool with full-grown
// trees, recorded in deployments/solana-<cluster>.json after every step; rerunning resumes.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { connectCluster, readKeypair, type ClusterArguments } from "../lib/cluster.ts";
import { deploySolana, type SolanaDeployment } from "../lib/deploy.ts";
import { publicKeyArgument, solanaDeploymentPath } from "../lib/deployment.ts";
import { booleanArgument, wholeNumber } from "../lib/numbers.ts";

export interface SolanaDeployArguments extends ClusterArguments {
  admin: string;
  pauseAuthority: string;
  securityCouncil: string;
  delay: string;
  powRequired: string;
  mint: string;
  difficulty: string;
}

const key = (value: string, option: string) => (value.trim() ? publicKeyArgument(value, option) : undefined);

export default async function solanaDeploy(args: SolanaDeployArguments, hre: HardhatRuntimeEnvironment): Promise<SolanaDeployment> {
  const cluster = await connectCluster(args);
  const authority = readKeypair(args.keypair);
  const deploymentFile = solanaDeploymentPath(hre.config.paths.root, cluster.name);
  const mint = args.mint.trim();
  console.log(`Deploying Cloak to Solana cluster '${cluster.name}' (${cluster.url}) as ${authority.publicKey.toBase58()} into ${deploymentFile}`);
  const record = await deploySolana({
    connection: cluster.connection,
    authority,
    cluster: cluster.name,
    deploymentFile,
    tokenMint: mint === "" || mint === "create" ? "create" : mint === "none" ? null : publicKeyArgument(mint, "mint"),
    ...(key(args.admin, "admin") ? { admin: key(args.admin, "admin")! } : {}),
    ...(key(args.pauseAuthority, "pause-authority") ? { pauseAuthority: key(args.pauseAuthority, "pause-authority")! } : {}),
    ...(key(args.securityCouncil, "security-council") ? { securityCouncil: key(args.securityCouncil, "security-council")! } : {}),
    ...(args.delay.trim() ? { verifyingKeyDelaySeconds: wholeNumber(args.delay, "delay") } : {}),
    ...(args.powRequired.trim() ? { powRequired: booleanArgument(args.powRequired, "pow-required") } : {}),
    ...(args.difficulty.trim() ? { registryParams: { initialDifficulty: wholeNumber(args.difficulty, "difficulty") } } : {}),
    log: (line) => console.log(line),
  });
  console.log(`Deployment written to ${deploymentFile}`);
  for (const [name, pool] of Object.entries(record.pools)) console.log(`  pool ${name.padEnd(6)} ${pool.pool} (mint ${pool.mint})`);
  return record;
}
