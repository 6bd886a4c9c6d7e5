//! Creates the singleton registry.

use anchor_lang::prelude::*;
use anchor_lang::solana_program::bpf_loader_upgradeable;

use crate::{
    constants::REGISTRY_SEED,
    errors::RegistryError,
    events::RegistryInitialized,
    state::{Registry, RegistryParams},
};

#[event_cpi]
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
    /// Pays for the registry and becomes its admin; must be the program's upgrade authority, so
    /// nobody can initialize a fresh deployment before it.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// The program's ProgramData account: the upgradeable loader's PDA of this program id, owned by
    /// the loader (the account type checks the owner), so only the real deployment's record passes.
    #[account(
        seeds = [crate::ID.as_ref()],
        bump,
        seeds::program = bpf_loader_upgradeable::ID,
        constraint = program_data.upgrade_authority_address == Some(admin.key()) @ RegistryError::NotUpgradeAuthority
    )]
    pub program_data: Account<'info, ProgramData>,
    pub system_program: Program<'info, System>,
}

/// Creates the registry with validated `params`, difficulty `params.initial_difficulty` and zero
/// counters; the upgrade authority that calls it becomes admin.
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
        pending_admin: Pubkey::default(),
    });

    let registry = &ctx.accounts.registry;
    emit_cpi!(RegistryInitialized {
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
