//! Creates the singleton registry.

use anchor_lang::prelude::*;

use crate::{
    constants::REGISTRY_SEED,
    events::RegistryInitialized,
    state::{Registry, RegistryParams},
};

#[derive(Accounts)]
pub struct Initialize<'info> {
    /// The registry PDA `[REGISTRY_SEED]`; `init` makes this callable once per deployment.
    #[account(
        init,
        payer = admin,
        space = Registry::SPACE,
        seeds = [REGISTRY_SEED],
        bump
    )]
    pub registry: Account<'info, Registry>,
    /// Pays for the registry and becomes its admin.
    #[account(mut)]
    pub admin: Signer<'info>,
    pub system_program: Program<'info, System>,
}

/// Creates the registry with validated `params`, difficulty `params.initial_difficulty` and zero
/// counters. Whoever calls it first becomes admin, so deploy and initialize atomically.
pub fn handle_initialize(ctx: Context<Initialize>, params: RegistryParams) -> Result<()> {
    params.validate()?;

    let registry = &mut ctx.accounts.registry;
    registry.set_inner(Registry {
        admin: ctx.accounts.admin.key(),
        consumer_authority: params.consumer_authority,
        difficulty: params.initial_difficulty,
        min_difficulty: params.min_difficulty,
        max_difficulty: params.max_difficulty,
        target_interval_slots: params.target_interval_slots,
        miner_fee_share_bps: params.miner_fee_share_bps,
        reveal_window_slots: params.reveal_window_slots,
        claim_window_slots: params.claim_window_slots,
        max_consumptions: params.max_consumptions,
        last_mined_slot: 0,
        total_miners: 0,
        total_claims_mined: 0,
        total_claims_revealed: 0,
        total_consumptions: 0,
        total_claims_closed: 0,
        bump: ctx.bumps.registry,
    });

    emit!(RegistryInitialized {
        registry: registry.key(),
        admin: registry.admin,
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
