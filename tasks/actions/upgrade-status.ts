// `npx hardhat upgrade:status`: every operation on both timelocks, decoded, with ETA and state
// (pending / ready / done / cancelled) — the runbook's "review pending operations".
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { loadDeployment } from "../lib/connection.ts";
import { requireContract } from "../lib/deployment-file.ts";
import { listOperations, timelockAt, type Operation } from "../lib/timelock.ts";

export interface OperationStatus extends Operation {
  timelockName: string;
  summary: string[];
}

export default async function upgradeStatus(_args: object, hre: HardhatRuntimeEnvironment): Promise<OperationStatus[]> {
  const { ethers, record } = await loadDeployment(hre);
  const names = new Map(Object.entries(record.contracts).map(([name, c]) => [c.address.toLowerCase(), name]));
  const interfaces = await Promise.all(["Orchestrator", "ShieldPool"].map(async (n) => (await ethers.getContractFactory(n)).interface));
  const describe = (target: string, data: string) => {
    for (const iface of interfaces) {
      const parsed = iface.parseTransaction({ data });
      if (parsed) return `${names.get(target.toLowerCase()) ?? target}.${parsed.name}(${parsed.args.map(String).join(", ")})`;
    }
    return `${names.get(target.toLowerCase()) ?? target} ${data.slice(0, 10)}`;
  };
  const statuses: OperationStatus[] = [];
  for (const timelockName of ["StandardTimelock", "EmergencyTimelock"]) {
    const timelock = await timelockAt(ethers, requireContract(record, timelockName).address);
    for (const op of await listOperations(timelock)) {
      statuses.push({ ...op, timelockName, summary: op.calls.map((c) => describe(c.target, c.data)) });
    }
  }
  if (statuses.length === 0) console.log("No timelock operations.");
  for (const s of statuses) {
    const eta = s.eta > 1n ? new Date(Number(s.eta) * 1000).toISOString() : "-";
    console.log(`${s.state.padEnd(9)} ${s.timelockName.padEnd(17)} eta ${eta}  ${s.summary.join("; ")}  (${s.id.slice(0, 10)}…)`);
  }
  return statuses;
}
