import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { TaskError, TaskErrorCode } from "./errors.ts";

const FORMAT = "cloak-deployment/1";

export interface DeployedContract {
  address: string;
  /** Extra facts operators need (delay, asset, implementation, owners, ...). */
  details?: Record<string, string | number | string[]>;
}

/** `deployments/<network>.json`: what a deploy made, written after every step so a rerun resumes. */
export interface DeploymentRecord {
  format: typeof FORMAT;
  network: string;
  chainId: string;
  contracts: Record<string, DeployedContract>;
  /** Non-contract steps already done (role grants, registrations). */
  completed: string[];
  updatedAt: string;
}

/** `deployments/<network>.json`, or under CLOAK_DEPLOYMENTS_DIR when set (tests, dry runs). */
export function deploymentPath(root: string, network: string): string {
  return join(process.env.CLOAK_DEPLOYMENTS_DIR ?? join(root, "deployments"), `${network}.json`);
}

export function readDeployment(path: string, network: string): DeploymentRecord {
  if (!existsSync(path)) {
    throw new TaskError(TaskErrorCode.DEPLOYMENT_NOT_FOUND, `no deployment for network '${network}': ${path} does not exist (run 'npx hardhat deploy --network ${network}')`);
  }
  const record = JSON.parse(readFileSync(path, "utf8")) as Partial<DeploymentRecord>;
  if (record.format !== FORMAT) {
    throw new TaskError(TaskErrorCode.DEPLOYMENT_INVALID, `${path}: format '${String(record.format)}' is not '${FORMAT}'`);
  }
  return record as DeploymentRecord;
}

export function newDeployment(network: string, chainId: bigint): DeploymentRecord {
  return { format: FORMAT, network, chainId: chainId.toString(), contracts: {}, completed: [], updatedAt: new Date().toISOString() };
}

/** Written through a temporary file and a rename, so an interrupted deploy never leaves a torn record. */
export function writeDeployment(path: string, record: DeploymentRecord): void {
  mkdirSync(dirname(path), { recursive: true });
  record.updatedAt = new Date().toISOString();
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(tmp, path);
}

export function requireContract(record: DeploymentRecord, name: string): DeployedContract {
  const contract = record.contracts[name];
  if (!contract) {
    throw new TaskError(TaskErrorCode.DEPLOYMENT_INVALID, `deployment for '${record.network}' has no '${name}' (rerun deploy to complete it)`);
  }
  return contract;
}
