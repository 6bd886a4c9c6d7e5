import { PublicKey } from "@solana/web3.js";

/**
 * Program ids, seeds and domain tags of the Solana programs (programs/shield-pool,
 * programs/scramble-registry), byte for byte: changing one here without the program is a protocol break.
 */

export const SHIELD_POOL_PROGRAM_ID = new PublicKey("C1oakShie1dPoo111111111111111111111111111111");
export const SCRAMBLE_REGISTRY_PROGRAM_ID = new PublicKey("scramb1eReg1stryPoWM1n1ngSo1anaC1oak1111111");

/**
 * The upgradeable BPF loader: each program's ProgramData account (its upgrade authority's record) is
 * this loader's PDA of the program id, which both programs' `initialize` checks against its signer.
 */
export const BPF_LOADER_UPGRADEABLE_PROGRAM_ID = new PublicKey("BPFLoaderUpgradeab1e11111111111111111111111");

/** Shield pool PDA seeds. */
export const CONFIG_SEED = "config";
export const POOL_SEED = "pool";
export const VAULT_SEED = "vault";
export const TREE_SEED = "tree";
export const NULLIFIER_SEED = "nullifier";
/** Anchor's event-cpi authority, which signs the shield pool's self-CPI carrying each Transacted event. */
export const EVENT_AUTHORITY_SEED = "__event_authority";

/** Scramble registry PDA seeds. */
export const REGISTRY_SEED = "registry";
export const MINER_SEED = "miner";
export const CLAIM_SEED = "claim";

/** The SOL pool is keyed by this "mint" (32 zero bytes); SPL pools by their mint. */
export const NATIVE_MINT: PublicKey = PublicKey.default;

/** Opens the ext data hash preimage. */
export const EXT_DATA_DOMAIN = "CLOAK:EXT_DATA:SOLANA:v1";
/** Opens the preimage of the batch a relayed withdrawal binds a PoW claim to. */
export const POW_BATCH_DOMAIN = "CLOAK:POW_BATCH:v1";
/** Opens every proof-of-work preimage. */
export const POW_DOMAIN = "CLOAK:SCRAMBLE:v1";

/** A claim mined for this batch hash may be consumed by any batch. */
export const WILDCARD_BATCH: Uint8Array = new Uint8Array(32);

/** An encrypted output note as the program stores it: version, ephemeral key, ciphertext, tag. */
export const ENCRYPTED_OUTPUT_BYTES = 113;

/** A Groth16 proof as the program takes it: A (64) | B (128) | C (64). */
export const PROOF_BYTES = 256;

/**
 * Recent roots a Solana pool accepts (`cloak_zk::tree::ROOT_HISTORY_SIZE`); transact names its root by
 * position: a ring slot below this, SOLANA_ROOT_HISTORY_SIZE + k for retired tree k's final root.
 */
export const SOLANA_ROOT_HISTORY_SIZE = 4096;

/** The most one instruction may grow an account by; grow_tree adds this much per call. */
export const MAX_ACCOUNT_GROWTH = 10_240;

/**
 * The shortest verifying-key rotation delay the shield pool accepts, in seconds of the cluster's unix
 * time (48 hours, the EVM timelock's): `initialize` and `set_verifying_key_delay` refuse less.
 */
export const MIN_VERIFYING_KEY_DELAY_SECONDS = 48n * 3600n;

/** The largest share of a fee the shield pool pays a PoW miner, whatever the registry says. */
export const MAX_MINER_FEE_SHARE_BPS = 5_000;

/** The seven public inputs, 32 bytes each. */
export const PUBLIC_INPUTS_BYTES = 7 * 32;
