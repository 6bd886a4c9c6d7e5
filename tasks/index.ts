import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import { DEFAULT_DEPOSIT_LIMIT, PRODUCTION_EMERGENCY_DELAY, PRODUCTION_STANDARD_DELAY } from "./lib/constants.ts";

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
    .addOption({ name: "safe", description: "The governing Safe's address", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "guardians", description: "Extra pause-only keys, comma-separated", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "tokens", description: "ERC-20 pools to create besides the native one, comma-separated", type: ArgumentType.STRING, defaultValue: "" })
    .addOption({ name: "depositLimit", description: "Largest single deposit per pool, in base units", type: ArgumentType.STRING, defaultValue: DEFAULT_DEPOSIT_LIMIT.toString() })
    .addOption({ name: "standardDelay", description: "Standard timelock delay in seconds (48 h)", type: ArgumentType.STRING, defaultValue: PRODUCTION_STANDARD_DELAY.toString() })
    .addOption({ name: "emergencyDelay", description: "Emergency timelock delay in seconds (6 h)", type: ArgumentType.STRING, defaultValue: PRODUCTION_EMERGENCY_DELAY.toString() })
    .setAction(() => import("./actions/deploy.ts"))
    .build(),
];
