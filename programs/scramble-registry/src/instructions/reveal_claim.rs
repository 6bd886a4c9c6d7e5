//! The miner opens a claim for consumption.

use anchor_lang::prelude::*;

use crate::{
    constants::{MINER_SEED, REGISTRY_SEED},
    errors::RegistryError,
    events::ClaimRevealed,
    state::{Claim, Miner, Registry},
};

#[derive(Accounts)]
pub struct RevealClaim<'info> {
    /// Supplies the windows and counts the reveal.
    #[account(mut, seeds = [REGISTRY_SEED], bump = registry.bump)]
    pub registry: Account<'info, Registry>,
    /// The claim to reveal. Ownership by this program plus the discriminator already prove it is
    /// a genuine claim, so its seeds are not re-derived. Listed before `miner` so a stranger's
    /// attempt fails with `UnauthorizedMiner` rather than a seeds mismatch.
    #[account(
        mut,
        constraint = claim.miner_authority == authority.key() @ RegistryError::UnauthorizedMiner
    )]
    pub claim: Account<'info, Claim>,
    /// The signer's miner account, for its counters.
    #[account(
        mut,
        seeds = [MINER_SEED, authority.key().as_ref()],
        bump = miner.bump,
        has_one = authority @ RegistryError::UnauthorizedMiner
    )]
    pub miner: Account<'info, Miner>,
    /// Must be the claim's miner.
    pub authority: Signer<'info>,
}

/// Reveals the claim: from now until `now + claim_window_slots` (inclusive) the consumer
/// authority may consume it. Must happen by `mined_at_slot + reveal_window_slots` (inclusive).
pub fn handle_reveal_claim(ctx: Context<RevealClaim>) -> Result<()> {
    let now = Clock::get()?.slot;
    let registry = &mut ctx.accounts.registry;
    let claim = &mut ctx.accounts.claim;

    require!(!claim.is_revealed(), RegistryError::AlreadyRevealed);
    require_gte!(
        claim.reveal_deadline(registry.reveal_window_slots),
        now,
        RegistryError::RevealWindowClosed
    );

    claim.revealed_at_slot = now;
    claim.expires_at_slot = now
        .checked_add(registry.claim_window_slots)
        .ok_or(RegistryError::ArithmeticOverflow)?;

    registry.total_claims_revealed = registry
        .total_claims_revealed
        .checked_add(1)
        .ok_or(RegistryError::ArithmeticOverflow)?;
    let miner = &mut ctx.accounts.miner;
    miner.claims_revealed = miner
        .claims_revealed
        .checked_add(1)
        .ok_or(RegistryError::ArithmeticOverflow)?;

    emit!(ClaimRevealed {
        claim: claim.key(),
        miner_authority: claim.miner_authority,
        revealed_at_slot: claim.revealed_at_slot,
        expires_at_slot: claim.expires_at_slot,
    });
    Ok(())
}
