// The Solana operator commands, `npx hardhat solana:<command> -u <url> -k <keypair>`, beside the EVM tasks
// (docs/admin-procedures.md, "Solana"). tasks/index.ts registers this list.
import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";

/** A Solana command: where it talks to, as the `solana` CLI spells it, and which deployment file it reads. */
function solanaTask(id: string, description: string) {
  return task(id, description)
    .addOption({ name: "url", shortName: "u", description: "JSON-RPC URL or moniker: localhost, devnet, testnet, mainnet-beta (default localhost)", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "rpcUrl", description: "Same as --url (the services' spelling)", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "keypair", shortName: "k", description: "Signer's keypair file (default ~/.config/solana/id.json)", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "cluster", description: "Deployment name, deployments/solana-<cluster>.json (default: by genesis hash, localnet on this machine)", type: ArgumentType.STRING, defaultValue: "" });
}

/** A command that signs: sent with the keypair, or written unsigned with --out for a multisig. */
function solanaAdminTask(id: string, description: string) {
  return solanaTask(id, description)
    .addOption({ name: "out", description: "Write the unsigned message (base64) and a summary of its instructions here, for a Squads vault transaction, instead of sending", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "authority", description: "With --out: the key the action is for (the Squads vault); default the keypair's", type: ArgumentType.STRING, defaultValue: "" });
}

const vkeyOption = { name: "vkey", description: "snarkjs verification_key.json (default circuits/artifacts/transaction_20/verification_key.json)", type: ArgumentType.STRING, defaultValue: "" } as const;

export const solanaTasks = [
  solanaTask("solana:deploy", "Deploy (or resume deploying) the Solana programs' state: registry, config, SOL pool, test mint and its pool, grown trees")
    .addOption({ name: "admin", description: "Hand both programs' admin to this key afterwards (it accepts with solana:admin:accept, solana:registry:admin:accept)", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "pauseAuthority", description: "May pause besides the admin (default none)", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "securityCouncil", description: "May install a verifying key at once while paused (default none)", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "delay", description: "Verifying key rotation delay in seconds (default and minimum 172800, 48 h)", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "powRequired", description: "true/false: relayed transacts must consume a PoW claim (default true)", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "mint", description: "Token pool mint: create (default, a 6-decimal test mint), none, or a mint address", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "difficulty", description: "The registry's initial PoW difficulty (default 1000)", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/deploy.ts"))
    .build(),

  solanaAdminTask("solana:pause", "Stop every transact at once (EP-001; pause authority or admin)").setAction(() => import("./actions/pause.ts")).build(),
  solanaAdminTask("solana:unpause", "Resume transacts (RP-001; admin); restarts a pending rotation's exit window").setAction(() => import("./actions/unpause.ts")).build(),
  solanaAdminTask("solana:relayer:add", "Register a relayer that may take fees (admin)")
    .addOption({ name: "relayer", description: "Relayer public key", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/relayer-add.ts"))
    .build(),
  solanaAdminTask("solana:relayer:remove", "Remove a relayer at once (EP-002; admin)")
    .addOption({ name: "relayer", description: "Relayer public key", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/relayer-remove.ts"))
    .build(),
  solanaAdminTask("solana:relayer:rotate", "Replace a relayer by another in one transaction (EP-002; admin)")
    .addOption({ name: "relayer", description: "Relayer to remove", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "replacement", description: "Relayer to add", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/relayer-rotate.ts"))
    .build(),
  solanaTask("solana:relayer:list", "List registered relayers and their SOL balances").setAction(() => import("./actions/relayer-list.ts")).build(),
  solanaAdminTask("solana:verifier:propose", "Stage a new verifying key, applicable after the rotation delay with the pool unpaused (EP-003; admin)")
    .addOption(vkeyOption)
    .setAction(() => import("./actions/verifier-propose.ts"))
    .build(),
  solanaAdminTask("solana:verifier:apply", "Install the staged verifying key once its delay and exit window have passed (admin)").setAction(() => import("./actions/verifier-apply.ts")).build(),
  solanaAdminTask("solana:verifier:cancel", "Drop the staged verifying key (admin)").setAction(() => import("./actions/verifier-cancel.ts")).build(),
  solanaAdminTask("solana:verifier:delay", "Set the key rotation delay, at least 48 h (admin)")
    .addOption({ name: "seconds", description: "Delay in seconds", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/verifier-delay.ts"))
    .build(),
  solanaAdminTask("solana:emergency:verifier", "Install a verifying key at once while the pool is paused (EP-005; security council)")
    .addOption(vkeyOption)
    .setAction(() => import("./actions/emergency-verifier.ts"))
    .build(),
  solanaAdminTask("solana:pow:set", "Require (or not) a PoW claim for every transact paying a fee (admin)")
    .addOption({ name: "required", description: "true or false", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/pow-set.ts"))
    .build(),
  solanaAdminTask("solana:params:set", "Set a pool's deposit and fee limits (admin); a limit left out is kept")
    .addOption({ name: "pool", description: "Pool name in the deployment (sol, token) or its mint", type: ArgumentType.STRING, defaultValue: "sol" })
    .addOption({ name: "maxDeposit", description: "Largest single deposit, in base units", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "maxFee", description: "Largest relayer fee, in base units", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/params-set.ts"))
    .build(),
  solanaAdminTask("solana:admin:transfer", "Propose the shield pool's next admin (admin)")
    .addOption({ name: "newAdmin", description: "The next admin (a Squads vault)", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/admin-transfer.ts"))
    .build(),
  solanaAdminTask("solana:admin:accept", "Take over as the shield pool's admin (the proposed admin)").setAction(() => import("./actions/admin-accept.ts")).build(),
  solanaAdminTask("solana:pause-authority:transfer", "Propose the next pause authority (admin)")
    .addOption({ name: "newPauseAuthority", description: "The next pause authority (a monitoring key)", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/pause-authority-transfer.ts"))
    .build(),
  solanaAdminTask("solana:pause-authority:accept", "Take over as pause authority (the proposed key)").setAction(() => import("./actions/pause-authority-accept.ts")).build(),
  solanaAdminTask("solana:pause-authority:revoke", "Remove the pause authority at once, a leaked key (admin)").setAction(() => import("./actions/pause-authority-revoke.ts")).build(),
  solanaAdminTask("solana:council:transfer", "Propose the next security council (the council itself)")
    .addOption({ name: "newCouncil", description: "The next security council (a multisig vault)", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/council-transfer.ts"))
    .build(),
  solanaAdminTask("solana:council:accept", "Take over as security council (the proposed council)").setAction(() => import("./actions/council-accept.ts")).build(),
  solanaAdminTask("solana:registry:admin:transfer", "Propose the scramble registry's next admin (registry admin)")
    .addOption({ name: "newAdmin", description: "The next registry admin", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/registry-admin-transfer.ts"))
    .build(),
  solanaAdminTask("solana:registry:admin:accept", "Take over as the scramble registry's admin (the proposed admin)").setAction(() => import("./actions/registry-admin-accept.ts")).build(),
  solanaAdminTask("solana:registry:update", "Retune the scramble registry (registry admin); what is left out is kept")
    .addOption({ name: "minDifficulty", description: "Lowest difficulty", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "maxDifficulty", description: "Highest difficulty", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "targetIntervalSlots", description: "Slots between claims the difficulty aims at", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "minerFeeShareBps", description: "Miner's share of a consumed withdrawal's fee, basis points (at most 5000)", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "revealWindowSlots", description: "Slots a mined claim may be revealed in", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "claimWindowSlots", description: "Slots a revealed claim may be consumed in", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "maxConsumptions", description: "Consumptions each new claim allows", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "consumerAuthority", description: "The only signer that may consume claims (the shield pool's config PDA)", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/registry-update.ts"))
    .build(),

  solanaTask("solana:health", "Daily check: pause, roles and each program's upgrade authority, pending rotation, roots, relayers, vaults vs rent")
    .addFlag({ name: "json", description: "Print one JSON object instead of the text report" })
    .setAction(() => import("./actions/health.ts"))
    .build(),
  solanaTask("solana:state:export", "Export each pool's commitments, nullifiers, roots and vault balance and the config at the current slot (RP-002)")
    .addOption({ name: "out", description: "Output file (default: cloak-solana-state-<cluster>-<slot>.json)", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/state-export.ts"))
    .build(),
  solanaTask("solana:state:verify", "Rebuild each pool's tree from its Transacted events (or an export) and compare with the on-chain root (RP-002)")
    .addOption({ name: "file", description: "A solana:state:export file to check offline; the live cluster when omitted", type: ArgumentType.STRING, defaultValue: "" })
    .addFlag({ name: "json", description: "Print one JSON object instead of the text report" })
    .setAction(() => import("./actions/state-verify.ts"))
    .build(),
  solanaTask("solana:events:replay", "Replay both programs' events in chain order as NDJSON, for an indexer's recovery (RP-003)")
    .addOption({ name: "fromSlot", description: "First slot, inclusive", type: ArgumentType.STRING, defaultValue: "0" })
    .addOption({ name: "out", description: "NDJSON file to write (stdout when omitted)", type: ArgumentType.STRING, defaultValue: "" })
    .setAction(() => import("./actions/events-replay.ts"))
    .build(),
];
