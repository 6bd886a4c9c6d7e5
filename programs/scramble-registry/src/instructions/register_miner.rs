//! Opens a miner account, required before mining.

use anchor_lang::prelude::*;

use crate::{
    constants::{MINER_SEED, REGISTRY_SEED},
    errors::RegistryError,
    events::MinerRegistered,
    state::{Miner, Registry},
};

#[derive(Accounts)]
pub struct RegisterMiner<'info> {
    /// Counts the new miner.
    #[account(mut, seeds = [REGISTRY_SEED], bump = registry.bump)]
    pub registry: Account<'info, Registry>,
    /// The miner PDA `[MINER_SEED, authority]`; `init` makes registration once per authority.
    #[account(
        init,
        payer = authority,
        space = Miner::SPACE,
        seeds = [MINER_SEED, authority.key().as_ref()],
        bump
    )]
    pub miner: Account<'info, Miner>,
    /// The miner's key; pays for the account.
    #[account(mut)]
    pub authority: Signer<'info>,
    pub system_program: Program<'info, System>,
}

/// Registers `authority` as a miner with zero counters.
pub fn handle_register_miner(ctx: Context<RegisterMiner>) -> Result<()> {
    let now = Clock::get()?.slot;

    let miner = &mut ctx.accounts.miner;
    miner.set_inner(Miner {
        authority: ctx.accounts.authority.key(),
        registered_slot: now,
        claims_mined: 0,
        claims_revealed: 0,
        consumptions: 0,
        claims_closed: 0,
        bump: ctx.bumps.miner,
    });

    let registry = &mut ctx.accounts.registry;
    registry.total_miners = registry
        .total_miners
        .checked_add(1)
        .ok_or(RegistryError::ArithmeticOverflow)?;

    emit!(MinerRegistered {
        miner: miner.key(),
        authority: miner.authority,
        registered_slot: now,
    });
    Ok(())
}
