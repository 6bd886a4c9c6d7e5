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
    pub verifying_key_delay_slots: u64,
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

#[event]
pub struct PausedChanged {
    pub paused: bool,
    pub by: Pubkey,
}

#[event]
pub struct RelayerAdded {
    pub relayer: Pubkey,
}

#[event]
pub struct RelayerRemoved {
    pub relayer: Pubkey,
}

#[event]
pub struct VerifyingKeyProposed {
    pub ready_slot: u64,
}

#[event]
pub struct VerifyingKeyApplied {
    pub slot: u64,
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
pub struct PowRequirementSet {
    pub pow_required: bool,
}
