import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";

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
];
