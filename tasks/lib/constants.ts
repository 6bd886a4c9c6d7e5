/** Runbook delays (PIL seed): 48 h for upgrades, verifier rotation and parameters; 6 h to unpause. */
export const PRODUCTION_STANDARD_DELAY = 48n * 60n * 60n;
export const PRODUCTION_EMERGENCY_DELAY = 6n * 60n * 60n;
/** Largest single deposit a new pool accepts by default (1,000 units of an 18-decimal asset). */
export const DEFAULT_DEPOSIT_LIMIT = 10n ** 21n;
/** The Orchestrator's EXIT_WINDOW (a constant in the contract; a test checks they agree). */
export const EXIT_WINDOW = 48n * 60n * 60n;
/** L2BEAT Stage 1: a security council of at least 8 members with a threshold of at least 75 %. */
export const COUNCIL_MIN_OWNERS = 8;
export const COUNCIL_MIN_THRESHOLD_PERCENT = 75;
/** Chain ids of development chains (Hardhat/EDR and anvil: 31337; geth --dev and ganache: 1337). */
export const LOCAL_CHAIN_IDS: readonly bigint[] = [31337n, 1337n];
