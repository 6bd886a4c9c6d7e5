// `npx hardhat solana:health [--json] -u <url>`: the daily check on Solana. One reading of: the pause, who
// holds each role (admin, pause authority, security council, registry admin, and each program's upgrade
// authority from its ProgramData account, flagged when it is a plain key rather than a multisig or PDA),
// a pending key rotation and when it can apply, each pool's tree and root, its vault against rent, and
// the relayers. Exit code 1 when a finding is critical, as the EVM health.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { ACCOUNT_SIZE } from "@solana/spl-token";
import { LAMPORTS_PER_SOL, PublicKey, SYSVAR_CLOCK_PUBKEY, type Connection } from "@solana/web3.js";
import { commitmentTreeSpace, fetchConfig, fetchRegistry, programDataPda, BPF_LOADER_UPGRADEABLE_PROGRAM_ID } from "@cloak/sdk/solana";
import { raiseExitCode, toJson } from "../../lib/output.ts";
import type { ClusterArguments } from "../lib/cluster.ts";
import { solanaReadContext } from "../lib/context.ts";
import { configSummary } from "../lib/governance.ts";
import { isNativeMint } from "../lib/deployment.ts";
import { readPoolStates } from "../lib/pool-state.ts";

export type Severity = "critical" | "warning";
export interface Finding {
  severity: Severity;
  message: string;
}

export interface UpgradeAuthorityReport {
  program: string;
  programId: string;
  programData: string;
  /** null: immutable (no authority), or no ProgramData account (see `deployed`). */
  upgradeAuthority: string | null;
  deployed: boolean;
  /** On the ed25519 curve: a key someone holds the secret of, not a multisig vault or another PDA. */
  plainKey: boolean;
}

export interface SolanaPoolHealth {
  label: string;
  pool: string;
  mint: string;
  treeNumber: number;
  nextLeafIndex: number;
  lastRoot: string;
  treeBytes: number;
  treeFullSize: number;
  vault: string;
  /** Lamports (SOL) or base units (token) the notes can claim. */
  balance: string;
  /** The vault account's lamports and the rent-exempt minimum it must keep. */
  vaultLamports: number;
  vaultRentMinimum: number;
}

export interface SolanaHealthReport {
  cluster: string;
  genesisHash: string;
  slot: number;
  unixTimestamp: number;
  programs: UpgradeAuthorityReport[];
  /** Null when the config account is missing (an incomplete deployment). */
  config: (ReturnType<typeof configSummary> & { plainKeyAdmin: boolean }) | null;
  registry: { admin: string; pendingAdmin: string | null; consumerAuthority: string; difficulty: string; minerFeeShareBps: number; plainKeyAdmin: boolean } | null;
  pools: SolanaPoolHealth[];
  relayers: Array<{ relayer: string; lamports: number }>;
  findings: Finding[];
  status: "ok" | "warning" | "critical";
}

const isPlainKey = (key: PublicKey) => PublicKey.isOnCurve(key.toBytes());
const ZERO = PublicKey.default.toBase58();

/** The upgradeable loader's ProgramData: tag 3 (u32), slot (u64), then Option<Pubkey> (1 byte + 32). */
async function upgradeAuthority(connection: Connection, program: string, programId: PublicKey): Promise<UpgradeAuthorityReport> {
  const [programData] = programDataPda(programId);
  const info = await connection.getAccountInfo(programData);
  const deployed = info !== null && info.owner.equals(BPF_LOADER_UPGRADEABLE_PROGRAM_ID) && info.data.length >= 13 && info.data.readUInt32LE(0) === 3;
  const authority = deployed && info!.data[12] === 1 ? new PublicKey(info!.data.subarray(13, 45)) : null;
  return { program, programId: programId.toBase58(), programData: programData.toBase58(), upgradeAuthority: authority?.toBase58() ?? null, deployed, plainKey: authority ? isPlainKey(authority) : false };
}

/** The Clock sysvar's slot and unix_timestamp (the time the programs see). */
async function clock(connection: Connection): Promise<{ slot: number; unixTimestamp: number }> {
  const data = (await connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY))!.data;
  return { slot: Number(data.readBigUInt64LE(0)), unixTimestamp: Number(data.readBigInt64LE(32)) };
}

export default async function solanaHealth(args: ClusterArguments & { json: boolean }, hre: HardhatRuntimeEnvironment): Promise<SolanaHealthReport> {
  const { cluster, record, shieldPool, registryProgram } = await solanaReadContext(hre, args);
  const { connection } = cluster;
  const now = await clock(connection);
  const findings: Finding[] = [];
  const critical = (message: string) => findings.push({ severity: "critical", message });
  const warning = (message: string) => findings.push({ severity: "warning", message });

  const programs = [await upgradeAuthority(connection, "shield_pool", shieldPool), await upgradeAuthority(connection, "scramble_registry", registryProgram)];
  for (const program of programs) {
    if (!program.deployed) warning(`${program.program} has no ProgramData account at ${program.programData}: not an upgradeable deployment, its upgrade authority is unknown`);
    else if (program.plainKey) warning(`${program.program}'s upgrade authority ${program.upgradeAuthority} is a plain key, not a multisig vault or PDA: one leaked key can replace the code at once, bypassing every delay (docs/solana.md)`);
    else if (program.upgradeAuthority === null) warning(`${program.program} is immutable (no upgrade authority): a bug can only be paused, never fixed`);
  }

  const configAccount = await fetchConfig(connection, { programId: shieldPool });
  if (!configAccount) {
    critical(`the config ${record.accounts.config} does not exist: the deployment is incomplete (rerun solana:deploy)`);
  }
  const config = configAccount ? { ...configSummary(configAccount), plainKeyAdmin: isPlainKey(configAccount.admin) } : null;
  if (config) {
    if (config.paused) critical("the shield pool is PAUSED: every transact is refused; the admin resumes with solana:unpause (RP-001)");
    if (config.plainKeyAdmin) warning(`the admin ${config.admin} is a plain key, not a multisig vault`);
    if (config.securityCouncil === null) warning("no security council: no emergency key replacement while paused");
    else if (config.securityCouncil === config.admin) warning("the security council is the admin: the emergency path is meant to need both");
    if (config.pendingAdmin) warning(`an admin handover to ${config.pendingAdmin} is pending (solana:admin:accept)`);
    if (config.pendingPauseAuthority) warning(`a pause authority handover to ${config.pendingPauseAuthority} is pending`);
    if (config.pendingSecurityCouncil) warning(`a security council handover to ${config.pendingSecurityCouncil} is pending`);
    if (config.pendingVerifyingKey) {
      const at = config.pendingVerifyingKey.applicableFrom;
      warning(
        `a verifying key rotation is pending (proposed ${new Date(config.pendingVerifyingKey.proposedAt * 1000).toISOString()}); ${
          config.paused ? "it cannot apply while paused, and its window restarts on unpause" : at <= now.unixTimestamp ? "it can be applied now" : `it can apply from ${new Date(at * 1000).toISOString()}`
        }: check it is one the signers agreed to`,
      );
    }
    if (config.relayers.length === 0) warning("no relayer is registered: relayed withdrawals cannot pay fees");
  }

  const registryAccount = await fetchRegistry(connection, { programId: registryProgram });
  const registry = registryAccount
    ? {
        admin: registryAccount.admin.toBase58(),
        pendingAdmin: registryAccount.pendingAdmin.toBase58() === ZERO ? null : registryAccount.pendingAdmin.toBase58(),
        consumerAuthority: registryAccount.consumerAuthority.toBase58(),
        difficulty: registryAccount.difficulty.toString(),
        minerFeeShareBps: registryAccount.minerFeeShareBps,
        plainKeyAdmin: isPlainKey(registryAccount.admin),
      }
    : null;
  if (!registry) critical(`the registry ${record.accounts.registry} does not exist`);
  else {
    if (registry.consumerAuthority !== record.accounts.config) {
      critical(`the registry's consumer authority ${registry.consumerAuthority} is not the shield pool's config ${record.accounts.config}: every PoW-gated transact fails`);
    }
    if (registry.plainKeyAdmin) warning(`the registry admin ${registry.admin} is a plain key, not a multisig vault`);
    if (registry.pendingAdmin) warning(`a registry admin handover to ${registry.pendingAdmin} is pending (solana:registry:admin:accept)`);
  }

  const pools: SolanaPoolHealth[] = [];
  for (const state of await readPoolStates(connection, record, shieldPool, [])) {
    const vaultInfo = await connection.getAccountInfo(new PublicKey(state.vault));
    const treeInfo = await connection.getAccountInfo(new PublicKey(state.tree));
    const vaultRentMinimum = await connection.getMinimumBalanceForRentExemption(isNativeMint(state.asset) ? 0 : ACCOUNT_SIZE);
    const pool: SolanaPoolHealth = {
      label: state.label,
      pool: state.address,
      mint: state.asset,
      treeNumber: state.treeNumber,
      nextLeafIndex: state.nextLeafIndex,
      lastRoot: state.lastRoot,
      treeBytes: treeInfo?.data.length ?? 0,
      treeFullSize: commitmentTreeSpace(),
      vault: state.vault,
      balance: state.balance,
      vaultLamports: vaultInfo?.lamports ?? 0,
      vaultRentMinimum,
    };
    pools.push(pool);
    if (pool.treeBytes < pool.treeFullSize) critical(`${pool.label}: its tree is ${pool.treeBytes} of ${pool.treeFullSize} bytes: transacts fail with TreeNotReady until grown (solana:deploy resumes it)`);
    if (pool.vaultLamports < vaultRentMinimum) critical(`${pool.label}: its vault holds ${pool.vaultLamports} lamports, below the rent-exempt ${vaultRentMinimum}`);
  }
  const relayers = [];
  for (const relayer of config?.relayers ?? []) relayers.push({ relayer, lamports: await connection.getBalance(new PublicKey(relayer)) });

  const status = findings.some((f) => f.severity === "critical") ? "critical" : findings.length > 0 ? "warning" : "ok";
  const report: SolanaHealthReport = { cluster: cluster.name, genesisHash: cluster.genesisHash, slot: now.slot, unixTimestamp: now.unixTimestamp, programs, config, registry, pools, relayers, findings, status };
  if (args.json) console.log(toJson(report, 2));
  else printReport(report);
  if (status === "critical") raiseExitCode(1);
  return report;
}

function printReport(report: SolanaHealthReport): void {
  const iso = (t: number) => new Date(t * 1000).toISOString();
  const config = report.config;
  console.log(`Cloak health: Solana cluster '${report.cluster}' at slot ${report.slot}, ${iso(report.unixTimestamp)}`);
  console.log("\nPause");
  if (config) console.log(`  shield pool: ${config.paused ? "PAUSED" : "not paused"}${config.paused ? "" : ` (since ${iso(config.unpausedSince)})`}`);

  console.log("\nUpgrade authorities");
  for (const program of report.programs) {
    const holder = !program.deployed ? "(no ProgramData account)" : program.upgradeAuthority ? `${program.upgradeAuthority}${program.plainKey ? " [plain key]" : " [PDA/multisig]"}` : "none (immutable)";
    console.log(`  ${program.program.padEnd(18)} ${program.programId}: ${holder}`);
  }

  if (config) {
    const role = (name: string, holder: string | null, pending: string | null) =>
      console.log(`  ${name.padEnd(18)} ${holder ?? "(none)"}${pending ? ` (pending: ${pending})` : ""}`);
    console.log("\nRoles");
    role("admin", `${config.admin}${config.plainKeyAdmin ? " [plain key]" : ""}`, config.pendingAdmin);
    role("pause authority", config.pauseAuthority, config.pendingPauseAuthority);
    role("security council", config.securityCouncil, config.pendingSecurityCouncil);
    if (report.registry) role("registry admin", `${report.registry.admin}${report.registry.plainKeyAdmin ? " [plain key]" : ""}`, report.registry.pendingAdmin);

    console.log(`\nVerifying key (rotation delay ${Number(config.verifyingKeyDelaySeconds) / 3600} h, PoW ${config.powRequired ? "required" : "not required"})`);
    if (!config.pendingVerifyingKey) console.log("  no rotation pending");
    else console.log(`  rotation proposed ${iso(config.pendingVerifyingKey.proposedAt)}, applicable from ${iso(config.pendingVerifyingKey.applicableFrom)}${config.paused ? " (not while paused)" : ""}`);
  }

  console.log("\nPools");
  for (const pool of report.pools) {
    console.log(`  ${pool.label} ${pool.pool} (mint ${pool.mint})`);
    console.log(`    tree ${pool.treeNumber}, next leaf index ${pool.nextLeafIndex}, root ${pool.lastRoot}, ${pool.treeBytes}/${pool.treeFullSize} bytes`);
    console.log(`    vault ${pool.vault}: balance ${pool.balance}, ${pool.vaultLamports} lamports against ${pool.vaultRentMinimum} rent-exempt`);
  }

  console.log(`\nRelayers (${report.relayers.length})`);
  for (const relayer of report.relayers) console.log(`  ${relayer.relayer}  ${relayer.lamports / LAMPORTS_PER_SOL} SOL`);

  console.log("\nFindings");
  if (report.findings.length === 0) console.log("  none");
  for (const finding of report.findings) console.log(`  ${finding.severity === "critical" ? "✖ CRITICAL" : "! WARNING "} ${finding.message}`);
  console.log(`\nStatus: ${report.status.toUpperCase()}`);
}
