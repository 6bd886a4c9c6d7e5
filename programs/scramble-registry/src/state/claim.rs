//! A mined proof of work that, once revealed, the shield pool can consume for withdrawals.

use anchor_lang::prelude::*;

/// One accepted proof of work, PDA `[CLAIM_SEED, miner_authority, batch_hash, slot (LE)]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Claim {
    /// The miner who did the work; the only key that may reveal, and the recipient of its rent
    /// and of the fee share on each consumption.
    pub miner_authority: Pubkey,
    /// Batch the claim is bound to, or `WILDCARD_BATCH` to serve any batch.
    pub batch_hash: [u8; 32],
    /// The slot whose bank hash seeded the proof of work (not the slot it was mined in).
    pub slot: u64,
    /// Bank hash of `slot`, checked against the SlotHashes sysvar at mining.
    pub slot_hash: [u8; 32],
    /// The nonce that made the proof of work meet the target.
    pub nonce: u64,
    /// `sha256(pow_preimage(..))`, kept so anyone can audit the claim without recomputing it.
    pub pow_hash: [u8; 32],
    /// Registry difficulty the proof of work was checked against.
    pub difficulty: u64,
    /// Slot in which `mine_claim` ran.
    pub mined_at_slot: u64,
    /// Slot in which the miner revealed; 0 while unrevealed (a reveal can never happen in slot 0,
    /// which precedes any slot hash).
    pub revealed_at_slot: u64,
    /// Last slot in which the claim can be consumed; 0 while unrevealed.
    pub expires_at_slot: u64,
    /// Consumptions so far.
    pub consumed_count: u16,
    /// Consumptions allowed, fixed at mining from the registry.
    pub max_consumptions: u16,
    /// Canonical bump of this PDA.
    pub bump: u8,
}

impl Claim {
    /// Bytes to allocate: Anchor discriminator plus the Borsh fields.
    pub const SPACE: usize = Self::DISCRIMINATOR.len() + Self::INIT_SPACE;

    /// Whether the miner has revealed the claim.
    pub fn is_revealed(&self) -> bool {
        self.revealed_at_slot != 0
    }

    /// Whether a revealed claim's consumption window has passed at slot `now`. An unrevealed
    /// claim is never "expired": its deadline is the reveal window, which lives in the registry.
    pub fn is_expired(&self, now: u64) -> bool {
        self.is_revealed() && now > self.expires_at_slot
    }

    /// Whether every allowed consumption has been used.
    pub fn is_fully_consumed(&self) -> bool {
        self.consumed_count >= self.max_consumptions
    }

    /// Last slot in which the claim may be revealed, given the registry's reveal window.
    /// Saturates: a deadline past `u64::MAX` is simply never reached.
    pub fn reveal_deadline(&self, reveal_window_slots: u64) -> u64 {
        self.mined_at_slot.saturating_add(reveal_window_slots)
    }
}
