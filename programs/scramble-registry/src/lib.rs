//! Scramble registry: miners spend proof of work to earn claims, and the shield pool consumes a
//! claim with each withdrawal batch, paying the claim's miner a share of the fee.
//!
//! Life cycle of a claim: `mine_claim` (proof of work over a recent slot hash, difficulty
//! retargeted toward `target_interval_slots` per claim) → `reveal_claim` by the miner within
//! `reveal_window_slots` → up to `max_consumptions` × `consume_claim`, signed only by the
//! shield pool's config PDA, within `claim_window_slots` → `close_expired_claim` by anyone once
//! it is dead, refunding rent to the miner.

use anchor_lang::prelude::*;

pub mod constants;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod pow;
pub mod slot_hashes;
pub mod state;

pub use constants::*;
pub use errors::RegistryError;
pub use instructions::*;
pub use state::*;

declare_id!("scramb1eReg1stryPoWM1n1ngSo1anaC1oak1111111");

#[program]
pub mod scramble_registry {
    use super::*;

    /// Creates the registry; the signer, which must be the program's upgrade authority, becomes
    /// admin. See `instructions::initialize`.
    pub fn initialize(ctx: Context<Initialize>, params: RegistryParams) -> Result<()> {
        instructions::initialize::handle_initialize(ctx, params)
    }

    /// Admin-only: replaces the parameters, keeping the live difficulty clamped into the new
    /// bounds. See `instructions::update_params`.
    pub fn update_params(ctx: Context<UpdateParams>, params: RegistryParams) -> Result<()> {
        instructions::update_params::handle_update_params(ctx, params)
    }

    /// Admin-only: proposes a new admin, who must accept. See `instructions::transfer_admin`.
    pub fn transfer_admin(ctx: Context<TransferAdmin>, new_admin: Pubkey) -> Result<()> {
        instructions::transfer_admin::handle_transfer_admin(ctx, new_admin)
    }

    /// The proposed admin takes over. See `instructions::accept_admin`.
    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        instructions::accept_admin::handle_accept_admin(ctx)
    }

    /// Registers the signer as a miner. See `instructions::register_miner`.
    pub fn register_miner(ctx: Context<RegisterMiner>) -> Result<()> {
        instructions::register_miner::handle_register_miner(ctx)
    }

    /// Records a claim for a proof of work over a recent slot hash and retargets the
    /// difficulty. See `instructions::mine_claim` and `pow`.
    pub fn mine_claim(
        ctx: Context<MineClaim>,
        slot: u64,
        slot_hash: [u8; 32],
        batch_hash: [u8; 32],
        nonce: u64,
    ) -> Result<()> {
        instructions::mine_claim::handle_mine_claim(ctx, slot, slot_hash, batch_hash, nonce)
    }

    /// The miner opens their claim for consumption. See `instructions::reveal_claim`.
    pub fn reveal_claim(ctx: Context<RevealClaim>) -> Result<()> {
        instructions::reveal_claim::handle_reveal_claim(ctx)
    }

    /// The consumer authority (shield pool, by CPI) spends one consumption of a claim for
    /// `batch_hash`. See `instructions::consume_claim`.
    pub fn consume_claim(ctx: Context<ConsumeClaim>, batch_hash: [u8; 32]) -> Result<()> {
        instructions::consume_claim::handle_consume_claim(ctx, batch_hash)
    }

    /// Anyone closes a dead claim, refunding its rent to the miner. See
    /// `instructions::close_expired_claim`.
    pub fn close_expired_claim(ctx: Context<CloseExpiredClaim>) -> Result<()> {
        instructions::close_expired_claim::handle_close_expired_claim(ctx)
    }
}
