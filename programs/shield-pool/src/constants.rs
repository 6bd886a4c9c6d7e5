//! Seeds, sizes and limits of the shield pool. Sizes that appear in account and argument types are
//! written there as literals (the IDL builder needs them), and checked against these here.

use anchor_lang::prelude::*;

pub const CONFIG_SEED: &[u8] = b"config";
pub const POOL_SEED: &[u8] = b"pool";
pub const VAULT_SEED: &[u8] = b"vault";
pub const TREE_SEED: &[u8] = b"tree";
pub const NULLIFIER_SEED: &[u8] = b"nullifier";

/// The pool of native SOL is keyed by this "mint"; SPL pools by their mint.
pub const NATIVE_MINT: Pubkey = Pubkey::new_from_array([0u8; 32]);

/// Relayers the config can register; a fixed array keeps the config zero-copy.
pub const MAX_RELAYERS: usize = 16;

/// An encrypted output note: version byte, ephemeral X25519 key, ciphertext, Poly1305 tag
/// (sdk/src/encryption.ts, `ENCRYPTED_NOTE_BYTES`).
pub const ENCRYPTED_OUTPUT_BYTES: usize = 1 + 32 + 64 + 16;

/// A Groth16 proof: A (64), B (128), C (64), as the EVM verifier takes it.
pub const PROOF_BYTES: usize = cloak_zk::verifier::PROOF_BYTES;

/// Public inputs of the join-split circuit, and so the verifying key's IC points (one more).
pub const NR_PUBLIC_INPUTS: usize = cloak_zk::verifying_key::NR_PUBLIC_INPUTS;
pub const VERIFYING_KEY_IC_POINTS: usize = NR_PUBLIC_INPUTS + 1;

pub const TREE_DEPTH: usize = cloak_zk::tree::TREE_DEPTH;
pub const ROOT_HISTORY_SIZE: usize = cloak_zk::tree::ROOT_HISTORY_SIZE;

/// Domain tag of the Solana ext_data hash (docs/protocol.md, "Solana ext_data").
pub const EXT_DATA_DOMAIN: &[u8] = b"CLOAK:EXT_DATA:SOLANA:v1";
/// Domain tag of the batch a relayed withdrawal binds a PoW claim to (docs/solana.md).
pub const POW_BATCH_DOMAIN: &[u8] = b"CLOAK:POW_BATCH:v1";

/// The shortest verifying-key rotation delay, in seconds of `Clock::unix_timestamp` (slots drift
/// from wall time): the EVM timelock's standard delay, so users on both chains get the same exit
/// window before a new key can accept proofs.
pub const MIN_VERIFYING_KEY_DELAY_SECONDS: i64 = 48 * 3600;

pub const BPS_DENOMINATOR: u64 = 10_000;

/// The largest share of a relayer's fee a PoW claim's miner receives: the registry's own cap, applied
/// again by the pool whatever the registry account says, so the relayer keeps at least half.
pub use scramble_registry::constants::MAX_MINER_FEE_SHARE_BPS;

/// The most an instruction may grow an account by (the runtime's `MAX_PERMITTED_DATA_INCREASE`), and
/// so the most a PDA can be created with by CPI: the tree account is created at this size and grown
/// to its full size in steps by `grow_tree`.
pub const MAX_ACCOUNT_GROWTH: usize = 10_240;

/// A root's position in `TransactPublicInputs::root_index`: below this, a slot of the tree's ring of
/// recent roots; `ROOT_HISTORY_SIZE + k`, the final root of the pool's retired tree `k`.
pub const RETIRED_ROOTS_OFFSET: u32 = ROOT_HISTORY_SIZE as u32;

// The literals in state and argument types must agree with the protocol constants.
const _: () = assert!(ENCRYPTED_OUTPUT_BYTES == 113);
const _: () = assert!(PROOF_BYTES == 256);
const _: () = assert!(VERIFYING_KEY_IC_POINTS == 8);
const _: () = assert!(TREE_DEPTH == 20);
const _: () = assert!(ROOT_HISTORY_SIZE == 4096);
const _: () = assert!(MAX_RELAYERS == 16);
