//! Every event here goes out by `emit_cpi!`: a self-CPI, so it sits in the transaction's inner
//! instructions, which unlike logs are never truncated. An indexer must not miss a commitment or a
//! pool's opening, and a watcher must not miss a governance change.

use anchor_lang::prelude::*;

/// One shielded transaction: everything an indexer needs to rebuild the trees and a wallet needs to
/// find its notes. A leaf is identified by (pool, tree_number, index).
#[event]
pub struct Transacted {
    pub pool: Pubkey,
    pub input_nullifiers: [[u8; 32]; 2],
    pub output_commitments: [[u8; 32]; 2],
    /// Leaf index of the first commitment in tree `tree_number`; the second is at `first_leaf_index + 1`.
    pub first_leaf_index: u64,
    pub encrypted_outputs: [[u8; 113]; 2],
    pub new_root: [u8; 32],
    pub ext_amount: i64,
    pub fee: u64,
    pub relayer: Pubkey,
    /// Set when a PoW claim was consumed, with the miner's share of the fee.
    pub pow_claim: Option<Pubkey>,
    pub miner_fee: u64,
    /// The tree the commitments went into: 0, then + 1 at each rollover.
    pub tree_number: u64,
    /// Set on the transaction that opened tree `tree_number`: the final root of tree
    /// `tree_number - 1`, which the pool keeps (root index `ROOT_HISTORY_SIZE + tree_number - 1`).
    pub retired_root: Option<[u8; 32]>,
}

/// `grow_tree` enlarged a pool's tree account; at `size == target` the tree is ready for transacts.
#[event]
pub struct TreeGrown {
    pub pool: Pubkey,
    pub tree: Pubkey,
    pub size: u64,
    pub target: u64,
}

#[event]
pub struct ConfigInitialized {
    pub admin: Pubkey,
    pub pause_authority: Pubkey,
    pub security_council: Pubkey,
    pub verifying_key_delay_seconds: i64,
    pub pow_required: bool,
}

#[event]
pub struct PoolInitialized {
    pub pool: Pubkey,
    pub mint: Pubkey,
    pub vault: Pubkey,
    pub tree: Pubkey,
    pub max_deposit: u64,
    pub max_fee: u64,
}

#[event]
pub struct PoolLimitsUpdated {
    pub pool: Pubkey,
    pub max_deposit: u64,
    pub max_fee: u64,
}

/// `unix_timestamp` is when it happened; an unpause starts the exit window of a pending rotation.
#[event]
pub struct PausedChanged {
    pub paused: bool,
    pub by: Pubkey,
    pub unix_timestamp: i64,
}

#[event]
pub struct RelayerAdded {
    pub relayer: Pubkey,
}

#[event]
pub struct RelayerRemoved {
    pub relayer: Pubkey,
}

/// `ready_at` is the earliest it can apply, if the pool stays unpaused until then.
#[event]
pub struct VerifyingKeyProposed {
    pub verifying_key_hash: [u8; 32],
    pub proposed_at: i64,
    pub ready_at: i64,
}

#[event]
pub struct VerifyingKeyCancelled {
    pub verifying_key_hash: [u8; 32],
}

#[event]
pub struct VerifyingKeyApplied {
    pub verifying_key_hash: [u8; 32],
    pub unix_timestamp: i64,
}

/// The security council installed a key at once while the pool was paused; a pending rotation, if
/// any, was dropped.
#[event]
pub struct VerifyingKeyEmergencySet {
    pub verifying_key_hash: [u8; 32],
    pub security_council: Pubkey,
    pub cancelled_pending: bool,
}

#[event]
pub struct VerifyingKeyDelaySet {
    pub verifying_key_delay_seconds: i64,
}

#[event]
pub struct AdminTransferStarted {
    pub admin: Pubkey,
    pub pending_admin: Pubkey,
}

#[event]
pub struct AdminTransferred {
    pub previous_admin: Pubkey,
    pub admin: Pubkey,
}

#[event]
pub struct PauseAuthorityTransferStarted {
    pub pause_authority: Pubkey,
    pub pending_pause_authority: Pubkey,
}

#[event]
pub struct PauseAuthorityTransferred {
    pub previous_pause_authority: Pubkey,
    pub pause_authority: Pubkey,
}

/// The admin removed the pause authority (and any pending one) at once, e.g. after a key leak.
#[event]
pub struct PauseAuthorityRevoked {
    pub previous_pause_authority: Pubkey,
}

#[event]
pub struct SecurityCouncilTransferStarted {
    pub security_council: Pubkey,
    pub pending_security_council: Pubkey,
}

#[event]
pub struct SecurityCouncilTransferred {
    pub previous_security_council: Pubkey,
    pub security_council: Pubkey,
}

#[event]
pub struct PowRequirementSet {
    pub pow_required: bool,
}
