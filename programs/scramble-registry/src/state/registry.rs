//! The singleton registry: protocol parameters, the live difficulty and global counters.

use anchor_lang::prelude::*;

use crate::{constants::MAX_MINER_FEE_SHARE_BPS, errors::RegistryError};

/// Global state of the scramble registry, PDA `[REGISTRY_SEED]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Registry {
    /// May replace the parameters with `update_params` and hand the role over (`transfer_admin`).
    pub admin: Pubkey,
    /// The only signer allowed to consume claims. Set to the shield pool's config PDA, which only
    /// the shield pool can sign for, so consumption happens exclusively by CPI from a withdrawal.
    pub consumer_authority: Pubkey,
    /// Current proof-of-work difficulty; a hash is valid iff its first 16 bytes, read big-endian,
    /// are below `u128::MAX / difficulty`. Moves after every claim (see `pow::retarget`).
    pub difficulty: u64,
    /// Retargeting never goes below this (at least 1).
    pub min_difficulty: u64,
    /// Retargeting never goes above this.
    pub max_difficulty: u64,
    /// Desired number of slots between consecutive claims across all miners.
    pub target_interval_slots: u64,
    /// Share of the withdrawal fee the shield pool pays to the miner of a consumed claim, in
    /// basis points of `BPS_DENOMINATOR`. Read by the shield pool, not by this program.
    pub miner_fee_share_bps: u16,
    /// Slots after mining within which the miner must reveal, so unrevealed claims cannot be
    /// stockpiled indefinitely.
    pub reveal_window_slots: u64,
    /// Slots after reveal during which the claim can be consumed.
    pub claim_window_slots: u64,
    /// Consumptions each newly mined claim allows (copied into the claim at mining).
    pub max_consumptions: u16,
    /// Slot of the most recent accepted claim; 0 until the first one, which skips retargeting.
    pub last_mined_slot: u64,
    /// Miner accounts ever registered.
    pub total_miners: u64,
    /// Claims ever mined.
    pub total_claims_mined: u64,
    /// Claims ever revealed.
    pub total_claims_revealed: u64,
    /// Consumptions ever made, across all claims.
    pub total_consumptions: u64,
    /// Claims ever closed.
    pub total_claims_closed: u64,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// Proposed by `transfer_admin`, becomes admin on `accept_admin`; default when none. Last, so
    /// the earlier fields keep their offsets.
    pub pending_admin: Pubkey,
}

impl Registry {
    /// Bytes to allocate: Anchor discriminator plus the Borsh fields.
    pub const SPACE: usize = Self::DISCRIMINATOR.len() + Self::INIT_SPACE;

    /// Writes the admin-controlled parameters. Callers validate `params` first; the live
    /// difficulty is clamped into the (possibly new) bounds so it is always within them.
    pub fn apply_params(&mut self, params: &RegistryParams) {
        self.consumer_authority = params.consumer_authority;
        self.min_difficulty = params.min_difficulty;
        self.max_difficulty = params.max_difficulty;
        self.target_interval_slots = params.target_interval_slots;
        self.miner_fee_share_bps = params.miner_fee_share_bps;
        self.reveal_window_slots = params.reveal_window_slots;
        self.claim_window_slots = params.claim_window_slots;
        self.max_consumptions = params.max_consumptions;
        // max/min rather than `Ord::clamp`, which panics when min > max; validation rules
        // that out, but a panic on-chain would be a worse failure than a clamped value.
        self.difficulty = self
            .difficulty
            .max(params.min_difficulty)
            .min(params.max_difficulty);
    }
}

/// Admin-chosen parameters, the argument of `initialize` and `update_params`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegistryParams {
    /// See `Registry::consumer_authority`.
    pub consumer_authority: Pubkey,
    /// Difficulty the registry starts at. Only `initialize` uses it; `update_params` validates it
    /// like `initialize` does but keeps the live difficulty (clamped into the new bounds), so a
    /// parameter change does not reset what retargeting has learned.
    pub initial_difficulty: u64,
    /// See `Registry::min_difficulty`.
    pub min_difficulty: u64,
    /// See `Registry::max_difficulty`.
    pub max_difficulty: u64,
    /// See `Registry::target_interval_slots`.
    pub target_interval_slots: u64,
    /// See `Registry::miner_fee_share_bps`.
    pub miner_fee_share_bps: u16,
    /// See `Registry::reveal_window_slots`.
    pub reveal_window_slots: u64,
    /// See `Registry::claim_window_slots`.
    pub claim_window_slots: u64,
    /// See `Registry::max_consumptions`.
    pub max_consumptions: u16,
}

impl RegistryParams {
    /// Rejects parameters the program could not run with; each error names the offending field.
    pub fn validate(&self) -> Result<()> {
        // Zero would make the target `u128::MAX / 0`.
        require_gte!(self.min_difficulty, 1, RegistryError::MinDifficultyZero);
        require_gte!(
            self.max_difficulty,
            self.min_difficulty,
            RegistryError::MinDifficultyAboveMax
        );
        require!(
            self.initial_difficulty >= self.min_difficulty
                && self.initial_difficulty <= self.max_difficulty,
            RegistryError::InitialDifficultyOutOfBounds
        );
        // Zero would make retargeting always propose zero, pinning difficulty to its minimum.
        require_gt!(
            self.target_interval_slots,
            0,
            RegistryError::TargetIntervalZero
        );
        require_gte!(
            MAX_MINER_FEE_SHARE_BPS,
            self.miner_fee_share_bps,
            RegistryError::FeeShareTooLarge
        );
        // Zero-length windows would make every claim unrevealable or unconsumable.
        require_gt!(self.reveal_window_slots, 0, RegistryError::RevealWindowZero);
        require_gt!(self.claim_window_slots, 0, RegistryError::ClaimWindowZero);
        require_gt!(self.max_consumptions, 0, RegistryError::MaxConsumptionsZero);
        Ok(())
    }
}
