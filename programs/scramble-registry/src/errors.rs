//! Every way a registry instruction can refuse. Codes start at 7000, not at Anchor's 6000 where the
//! shield pool's start, so a code names one error whichever program raised it (a transact that CPIs
//! into the registry can fail with either). Codes are part of the program's interface (the shield
//! pool and the SDK match on them), so only append new variants.
//!
//! The first variant's discriminant (1000, on top of Anchor's offset of 6000) moves the range rather
//! than `#[error_code(offset = 7000)]`: anchor-syn 0.32's IDL generator ignores `offset` and would
//! publish every code 1000 too low.

use anchor_lang::prelude::*;

#[error_code]
pub enum RegistryError {
    // --- RegistryParams validation (initialize, update_params) ---
    #[msg("min_difficulty must be at least 1: the target is u128::MAX / difficulty")]
    MinDifficultyZero = 1000,
    #[msg("min_difficulty must not exceed max_difficulty")]
    MinDifficultyAboveMax,
    #[msg("initial_difficulty must lie within [min_difficulty, max_difficulty]")]
    InitialDifficultyOutOfBounds,
    #[msg("target_interval_slots must be greater than zero")]
    TargetIntervalZero,
    #[msg("miner_fee_share_bps must not exceed MAX_MINER_FEE_SHARE_BPS (5000, half the fee)")]
    FeeShareTooLarge,
    #[msg("reveal_window_slots must be greater than zero")]
    RevealWindowZero,
    #[msg("claim_window_slots must be greater than zero")]
    ClaimWindowZero,
    #[msg("max_consumptions must be greater than zero")]
    MaxConsumptionsZero,

    // --- Authorities ---
    #[msg("admin: signer is not the registry admin")]
    UnauthorizedAdmin,
    #[msg("authority: signer is not the claim's miner_authority")]
    UnauthorizedMiner,
    #[msg("consumer: signer is not the registry's consumer_authority")]
    UnauthorizedConsumer,

    // --- mine_claim ---
    #[msg("slot: older than MAX_POW_SLOT_AGE slots")]
    SlotTooOld,
    #[msg("slot_hashes: account data is shorter than its declared entry count")]
    SlotHashesMalformed,
    #[msg("slot: not in the SlotHashes sysvar (too old, not yet hashed, or never produced)")]
    SlotHashNotFound,
    #[msg("slot_hash: differs from the SlotHashes sysvar entry for slot")]
    SlotHashMismatch,
    #[msg("nonce: proof-of-work hash is not below the target for the current difficulty")]
    HashAboveTarget,

    // --- Claim life cycle ---
    #[msg("claim: revealed_at_slot is already set")]
    AlreadyRevealed,
    #[msg("claim: mined_at_slot + reveal_window_slots has passed")]
    RevealWindowClosed,
    #[msg("claim: revealed_at_slot is not set (claim not revealed)")]
    ClaimNotRevealed,
    #[msg("claim: expires_at_slot has passed")]
    ClaimExpired,
    #[msg("claim: consumed_count has reached max_consumptions")]
    ClaimFullyConsumed,
    #[msg("batch_hash: differs from the claim's batch_hash, which is not the wildcard")]
    BatchMismatch,
    #[msg("claim: still revealable or consumable, and not fully consumed")]
    ClaimStillActive,
    #[msg("claim: slot is within MAX_POW_SLOT_AGE, so closing would let the same proof of work be mined again")]
    ClaimStillMineable,

    // --- Arithmetic ---
    #[msg("counter or slot arithmetic overflowed")]
    ArithmeticOverflow,

    // --- Governance (issue 8) ---
    #[msg("admin: signer is not the program's upgrade authority (its ProgramData account)")]
    NotUpgradeAuthority,
    #[msg("pending_admin: signer is not the registry's pending admin")]
    NotPendingAdmin,
}
