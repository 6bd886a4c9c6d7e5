import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import { DEFAULT_DEPOSIT_LIMIT, PRODUCTION_EMERGENCY_DELAY, PRODUCTION_STANDARD_DELAY } from "./lib/constants.ts";
import { solanaTasks } from "./solana/index.ts";


/** An admin task with the options they all share: who signs, and whether the Safe or a timelock is involved. */
function adminTask(id: string, description: string) {
  return task(id, description)
    .addOption({ name: "from", description: "Operator account (default: the network's first account)", type: ArgumentType.STRING, defaultValue: "" })
    .addFlag({ name: "viaSafe", description: "Prepare a Safe proposal instead of sending from --from" })
    .addFlag({ name: "execute", description: "Timelocked actions: execute the scheduled operation once ready" })
    .addOption({ name: "after", description: "Timelocked actions: an operation id on the same timelock that must execute first (default: the open change of the same setting)", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "out", description: "With --via-safe: also write a Safe{Wallet} Transaction Builder batch to this file", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "proposal", description: "With --via-safe: the proposal file to write (for offline co-signing)", type: ArgumentType.STRING, defaultValue: "" })
    .addFlag({ name: "propose", description: "With --via-safe: submit to the Safe Transaction Service (SAFE_TX_SERVICE_URL)" });
}

/** Every Cloak operator task; hardhat.config.ts registers this list. */
export const cloakTasks = [
  task("artifacts:check", "Check the circuit artifacts' checksums and that the Solidity verifier matches the verification key")
    .addOption({
      name: "depth",
      description: "Tree depth of the artifacts (circuits/artifacts/transaction_<depth>)",
      type: ArgumentType.INT,
      defaultValue: 20,
    })
    .setAction(() => import("./actions/artifacts-check.ts"))
    .build(),

  task("deploy", "Deploy (or resume deploying) the whole EVM stack, governed by a Safe through two timelocks")
    .addOption({ name: "safe", description: "The governing Safe's address (or create one with --owners and --threshold)", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "owners", description: "Create a Safe with these owners, comma-separated", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "threshold", description: "Signatures the created Safe requires", type: ArgumentType.INT, defaultValue: 0 })
    .addOption({ name: "council", description: "The security council Safe (SECURITY_COUNCIL_ROLE: the emergency path while paused); threshold >= 75 % off local chains", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "councilOwners", description: "Create the security council Safe with these owners, comma-separated (L2BEAT Stage 1: at least 8)", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "councilThreshold", description: "Signatures the created council requires (at least 75 % of its owners off local chains)", type: ArgumentType.INT, defaultValue: 0 })
    .addOption({ name: "guardians", description: "Extra pause-only keys, comma-separated", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "tokens", description: "ERC-20 pools to create besides the native one, comma-separated", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "depositLimit", description: "Largest single deposit per pool, in base units", type: ArgumentType.STRING, defaultValue: DEFAULT_DEPOSIT_LIMIT.toString() })
    .addOption({ name: "standardDelay", description: "Standard timelock delay in seconds (48 h; never below the Orchestrator's EXIT_WINDOW off local chains)", type: ArgumentType.STRING, defaultValue: PRODUCTION_STANDARD_DELAY.toString() })
    .addOption({ name: "emergencyDelay", description: "Emergency timelock delay in seconds (6 h)", type: ArgumentType.STRING, defaultValue: PRODUCTION_EMERGENCY_DELAY.toString() })
    .setAction(() => import("./actions/deploy.ts"))
    .build(),

  adminTask("pause", "Pause one pool (--pool) or all pools at once (EP-001)")
    .addOption({ name: "pool", description: "Pool name in the deployment (e.g. native) or address; all pools when omitted", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/pause.ts"))
    .build(),
  adminTask("unpause", "Schedule an unpause on the emergency timelock, or --execute it once ready (RP-001)")
    .addOption({ name: "pool", description: "Pool name or address; the global pause when omitted", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/unpause.ts"))
    .build(),
  adminTask("relayer:add", "Register a relayer that may earn fees")
    .addOption({ name: "relayer", description: "Relayer address", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "replacement", description: "Unused", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/relayer-add.ts"))
    .build(),
  adminTask("relayer:remove", "Remove a relayer at once (EP-002)")
    .addOption({ name: "relayer", description: "Relayer address", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "replacement", description: "Unused", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/relayer-remove.ts"))
    .build(),
  adminTask("relayer:rotate", "Replace a relayer by another in one transaction (EP-002)")
    .addOption({ name: "relayer", description: "Relayer to remove", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "replacement", description: "Relayer to add", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/relayer-rotate.ts"))
    .build(),
  task("relayer:list", "List registered relayers and their balances").setAction(() => import("./actions/relayer-list.ts")).build(),
  adminTask("verifier:rotate", "Check a new verifier against a real proof of its key, then schedule its rotation on the standard timelock, or --execute it (EP-003)")
    .addOption({ name: "verifier", description: "The new verifier contract", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "depth", description: "Tree depth of the verifier's key (its artifacts: circuits/artifacts/transaction_<depth>)", type: ArgumentType.INT, defaultValue: 20 })
    .setAction(() => import("./actions/verifier-rotate.ts"))
    .build(),
  adminTask("guardian:revoke", "Take GUARDIAN_ROLE from a key at once (a leaked monitoring key re-pausing the pools); the Safe holds the power")
    .addOption({ name: "guardian", description: "The guardian to remove", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/guardian-revoke.ts"))
    .build(),
  adminTask("emergency:verifier", "Emergency path: the security council Safe replaces the verifier at once, only while the global pause is on")
    .addOption({ name: "verifier", description: "The fixed verifier contract", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "depth", description: "Tree depth of the verifier's key (its artifacts: circuits/artifacts/transaction_<depth>)", type: ArgumentType.INT, defaultValue: 20 })
    .setAction(() => import("./actions/emergency-verifier.ts"))
    .build(),
  adminTask("emergency:upgrade", "Emergency path: the security council Safe upgrades a proxy at once (after the storage check), only while the global pause is on")
    .addOption({ name: "proxy", description: "Proxy name in the deployment (Orchestrator, ShieldPool.native, ...)", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "impl", description: "Name of the new implementation contract", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/emergency-upgrade.ts"))
    .build(),
  adminTask("params:set", "Schedule a pool parameter change on the standard timelock, or --execute it")
    .addOption({ name: "pool", description: "Pool name or address", type: ArgumentType.STRING, defaultValue: "native" })
    .addOption({ name: "depositLimit", description: "Largest single deposit, in base units", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/params-set.ts"))
    .build(),
  adminTask("rescue", "Schedule the return of tokens sent to the Orchestrator by mistake, or --execute it (EP-004)")
    .addOption({ name: "token", description: "The ERC-20 to return (never a pool asset)", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "to", description: "Recipient", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "amount", description: "Amount in base units", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/rescue.ts"))
    .build(),
  adminTask("upgrade:propose", "Check storage compatibility, deploy the implementation and schedule the upgrade (UP-001)")
    .addOption({ name: "proxy", description: "Proxy name in the deployment (Orchestrator, ShieldPool.native, ...)", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "impl", description: "Name of the new implementation contract", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/upgrade-propose.ts"))
    .build(),
  task("upgrade:execute", "Execute a proxy's scheduled upgrade once the standard delay has passed")
    .addOption({ name: "proxy", description: "Proxy name in the deployment", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "from", description: "Account that sends the execution", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/upgrade-execute.ts"))
    .build(),
  task("safe:sign", "Add your owner signature to a Safe proposal file")
    .addOption({ name: "file", description: "Proposal file written by --via-safe", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "from", description: "Owner account that signs", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/safe-sign.ts"))
    .build(),
  task("safe:execute", "Execute a Safe proposal file once it holds the threshold of signatures")
    .addOption({ name: "file", description: "Proposal file", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "from", description: "Account that sends (and pays for) the execution", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/safe-execute.ts"))
    .build(),
  task("upgrade:status", "List every timelock operation with its ETA and state").setAction(() => import("./actions/upgrade-status.ts")).build(),
  // Read-only operator tasks (docs/operations.md): daily checks, RP-002 state recovery, RP-003 indexer recovery.
  task("health", "Daily check: pauses, role holders, timelock delays and queued operations, pool roots, relayers, pool balances")
    .addFlag({ name: "json", description: "Print one JSON object instead of the text report" })
    .setAction(() => import("./actions/health.ts"))
    .build(),
  task("balances", "Relayers' gas balances against the warning and critical thresholds (exit code 2 when critical)")
    .addOption({ name: "warning", description: "Warn below this balance, in ETH", type: ArgumentType.STRING, defaultValue: "1" })
    .addOption({ name: "critical", description: "Critical below this balance, in ETH", type: ArgumentType.STRING, defaultValue: "0.1" })
    .addOption({ name: "accounts", description: "Extra addresses to check, comma-separated", type: ArgumentType.STRING, defaultValue: "" })
    .addFlag({ name: "json", description: "Print one JSON object instead of the table" })
    .setAction(() => import("./actions/balances.ts"))
    .build(),
  task("state:export", "Export every pool's commitments, nullifiers, roots and balance and the Orchestrator's state at a block (RP-002)")
    .addOption({ name: "block", description: "Block number, or latest / safe / finalized", type: ArgumentType.STRING, defaultValue: "latest" })
    .addOption({ name: "out", description: "Output file (default: cloak-state-<network>-<block>.json)", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/state-export.ts"))
    .build(),
  task("state:verify", "Rebuild each pool's tree from its events (or an export file) and check roots, leaf indexes and balances (RP-002)")
    .addOption({ name: "file", description: "A state:export file to check offline; the live chain when omitted", type: ArgumentType.STRING, defaultValue: "" })
    .addFlag({ name: "json", description: "Print one JSON object instead of the text report" })
    .setAction(() => import("./actions/state-verify.ts"))
    .build(),
  task("events:replay", "Replay the pools' and the Orchestrator's events in chain order as NDJSON, for an indexer's recovery (RP-003)")
    .addOption({ name: "fromBlock", description: "First block, inclusive", type: ArgumentType.STRING, defaultValue: "0" })
    .addOption({ name: "toBlock", description: "Last block, inclusive: a number, or latest / safe / finalized", type: ArgumentType.STRING, defaultValue: "latest" })
    .addOption({ name: "out", description: "NDJSON file to write (stdout when omitted)", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/events-replay.ts"))
    .build(),
  // The Solana side's operator commands (`solana:*`, tasks/solana/).
  ...solanaTasks,
];
