//! Per-miner account: proves registration and keeps the miner's own counters.

use anchor_lang::prelude::*;

/// A registered miner, PDA `[MINER_SEED, authority]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Miner {
    /// The key that mines, reveals and receives rent and fee shares for this miner's claims.
    pub authority: Pubkey,
    /// Slot at which the miner registered.
    pub registered_slot: u64,
    /// Claims this miner has mined.
    pub claims_mined: u64,
    /// Claims this miner has revealed.
    pub claims_revealed: u64,
    /// Consumptions of this miner's claims.
    pub consumptions: u64,
    /// This miner's claims that have been closed.
    pub claims_closed: u64,
    /// Canonical bump of this PDA.
    pub bump: u8,
}

impl Miner {
    /// Bytes to allocate: Anchor discriminator plus the Borsh fields.
    pub const SPACE: usize = Self::DISCRIMINATOR.len() + Self::INIT_SPACE;
}
