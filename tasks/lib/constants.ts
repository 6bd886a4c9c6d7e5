/** Runbook delays (PIL seed): 48 h for upgrades, verifier rotation and parameters; 6 h to unpause. */
export const PRODUCTION_STANDARD_DELAY = 48n * 60n * 60n;
export const PRODUCTION_EMERGENCY_DELAY = 6n * 60n * 60n;
/** Largest single deposit a new pool accepts by default (1,000 units of an 18-decimal asset). */
export const DEFAULT_DEPOSIT_LIMIT = 10n ** 21n;
