//! One event per state change, so indexers and miners can follow the registry without polling
//! accounts. The admin's events go out by `emit_cpi!` (inner instructions, never truncated like
//! logs); the claim life cycle's by `emit!`.

use anchor_lang::prelude::*;

/// The registry was created.
#[event]
pub struct RegistryInitialized {
    pub registry: Pubkey,
    pub admin: Pubkey,
    pub consumer_authority: Pubkey,
    pub difficulty: u64,
    pub min_difficulty: u64,
    pub max_difficulty: u64,
    pub target_interval_slots: u64,
    pub miner_fee_share_bps: u16,
    pub reveal_window_slots: u64,
    pub claim_window_slots: u64,
    pub max_consumptions: u16,
}

/// The admin replaced the registry parameters. `difficulty` is the live difficulty after being
/// clamped into the new bounds.
#[event]
pub struct RegistryParamsUpdated {
    pub registry: Pubkey,
    pub consumer_authority: Pubkey,
    pub difficulty: u64,
    pub min_difficulty: u64,
    pub max_difficulty: u64,
    pub target_interval_slots: u64,
    pub miner_fee_share_bps: u16,
    pub reveal_window_slots: u64,
    pub claim_window_slots: u64,
    pub max_consumptions: u16,
}

/// The admin proposed a successor, who must accept.
#[event]
pub struct RegistryAdminTransferStarted {
    pub admin: Pubkey,
    pub pending_admin: Pubkey,
}

/// The proposed admin accepted.
#[event]
pub struct RegistryAdminTransferred {
    pub previous_admin: Pubkey,
    pub admin: Pubkey,
}

/// A miner account was opened for `authority`.
#[event]
pub struct MinerRegistered {
    pub miner: Pubkey,
    pub authority: Pubkey,
    pub registered_slot: u64,
}

/// A proof of work was accepted and recorded as a claim (not yet consumable until revealed).
#[event]
pub struct ClaimMined {
    pub claim: Pubkey,
    pub miner_authority: Pubkey,
    pub batch_hash: [u8; 32],
    pub slot: u64,
    pub nonce: u64,
    pub pow_hash: [u8; 32],
    /// The difficulty the proof of work was checked against (before any retarget).
    pub difficulty: u64,
    pub mined_at_slot: u64,
}

/// Mining a claim moved the registry difficulty.
#[event]
pub struct DifficultyRetargeted {
    pub old: u64,
    pub new: u64,
    /// Slots since the previous claim (at least 1).
    pub elapsed_slots: u64,
}

/// The miner revealed a claim, opening its consumption window.
#[event]
pub struct ClaimRevealed {
    pub claim: Pubkey,
    pub miner_authority: Pubkey,
    pub revealed_at_slot: u64,
    pub expires_at_slot: u64,
}

/// The consumer authority (the shield pool) used one consumption of a claim for `batch_hash`.
#[event]
pub struct ClaimConsumed {
    pub claim: Pubkey,
    pub miner_authority: Pubkey,
    pub batch_hash: [u8; 32],
    /// Consumptions of this claim so far, including this one.
    pub consumed_count: u16,
}

/// Why a claim could be closed.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseReason {
    /// Never revealed, and its reveal window has passed.
    RevealWindowLapsed,
    /// Revealed, and its consumption window has passed.
    Expired,
    /// Every allowed consumption has been used.
    FullyConsumed,
}

/// A dead claim was closed and its rent returned to the miner.
#[event]
pub struct ClaimClosed {
    pub claim: Pubkey,
    pub miner_authority: Pubkey,
    /// Whoever cranked the close; it need not be the miner.
    pub closed_by: Pubkey,
    pub reason: CloseReason,
    pub rent_returned: u64,
}
