//! Lets the admin retune the registry.

use anchor_lang::prelude::*;

use crate::{
    constants::REGISTRY_SEED,
    errors::RegistryError,
    events::RegistryParamsUpdated,
    state::{Registry, RegistryParams},
};

#[event_cpi]
#[derive(Accounts)]
pub struct UpdateParams<'info> {
    /// The registry whose parameters change.
    #[account(
        mut,
        seeds = [REGISTRY_SEED],
        bump = registry.bump,
        has_one = admin @ RegistryError::UnauthorizedAdmin
    )]
    pub registry: Account<'info, Registry>,
    /// Must be `registry.admin`.
    pub admin: Signer<'info>,
}

/// Replaces every parameter with validated `params`. The live difficulty is kept but clamped
/// into the new `[min_difficulty, max_difficulty]`; `params.initial_difficulty` is validated and
/// otherwise ignored. Counters, `last_mined_slot` and existing claims are untouched (a claim keeps
/// the `max_consumptions` it was mined with; reveal and claim windows apply as of now).
pub fn handle_update_params(ctx: Context<UpdateParams>, params: RegistryParams) -> Result<()> {
    params.validate()?;

    let registry = &mut ctx.accounts.registry;
    registry.apply_params(&params);

    let registry = &ctx.accounts.registry;
    emit_cpi!(RegistryParamsUpdated {
        registry: registry.key(),
        consumer_authority: registry.consumer_authority,
        difficulty: registry.difficulty,
        min_difficulty: registry.min_difficulty,
        max_difficulty: registry.max_difficulty,
        target_interval_slots: registry.target_interval_slots,
        miner_fee_share_bps: registry.miner_fee_share_bps,
        reveal_window_slots: registry.reveal_window_slots,
        claim_window_slots: registry.claim_window_slots,
        max_consumptions: registry.max_consumptions,
    });
    Ok(())
}
