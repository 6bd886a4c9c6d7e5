//! Permissionless crank that deletes dead claims and refunds their rent to the miner.

use anchor_lang::prelude::*;

use crate::{
    constants::{MAX_POW_SLOT_AGE, MINER_SEED, REGISTRY_SEED},
    errors::RegistryError,
    events::{ClaimClosed, CloseReason},
    state::{Claim, Miner, Registry},
};

#[derive(Accounts)]
pub struct CloseExpiredClaim<'info> {
    /// Supplies the reveal window and counts the close.
    #[account(mut, seeds = [REGISTRY_SEED], bump = registry.bump)]
    pub registry: Account<'info, Registry>,
    /// The dead claim; its lamports go to `miner_authority`, who paid for it.
    #[account(mut, close = miner_authority)]
    pub claim: Account<'info, Claim>,
    /// The claim's miner account, for its counters.
    #[account(
        mut,
        seeds = [MINER_SEED, claim.miner_authority.as_ref()],
        bump = miner.bump
    )]
    pub miner: Account<'info, Miner>,
    /// CHECK: only receives the claim's rent, and is pinned to `claim.miner_authority`.
    #[account(mut, address = claim.miner_authority)]
    pub miner_authority: UncheckedAccount<'info>,
    /// Anyone may crank; they only pay the transaction fee.
    pub caller: Signer<'info>,
}

/// Closes a claim that can no longer be used: unrevealed past its reveal window, revealed past
/// `expires_at_slot`, or fully consumed (else `ClaimStillActive`). In every case its seed slot
/// must also be older than `MAX_POW_SLOT_AGE` (else `ClaimStillMineable`), so the freed PDA
/// cannot be re-mined with the same proof of work.
pub fn handle_close_expired_claim(ctx: Context<CloseExpiredClaim>) -> Result<()> {
    let now = Clock::get()?.slot;
    let registry = &mut ctx.accounts.registry;
    let claim = &ctx.accounts.claim;

    let reason = if claim.is_fully_consumed() {
        CloseReason::FullyConsumed
    } else if claim.is_revealed() {
        require!(claim.is_expired(now), RegistryError::ClaimStillActive);
        CloseReason::Expired
    } else {
        require_gt!(
            now,
            claim.reveal_deadline(registry.reveal_window_slots),
            RegistryError::ClaimStillActive
        );
        CloseReason::RevealWindowLapsed
    };
    require_gt!(
        now,
        claim.slot.saturating_add(MAX_POW_SLOT_AGE),
        RegistryError::ClaimStillMineable
    );

    registry.total_claims_closed = registry
        .total_claims_closed
        .checked_add(1)
        .ok_or(RegistryError::ArithmeticOverflow)?;
    let miner = &mut ctx.accounts.miner;
    miner.claims_closed = miner
        .claims_closed
        .checked_add(1)
        .ok_or(RegistryError::ArithmeticOverflow)?;

    emit!(ClaimClosed {
        claim: claim.key(),
        miner_authority: claim.miner_authority,
        closed_by: ctx.accounts.caller.key(),
        reason,
        rent_returned: claim.to_account_info().lamports(),
    });
    Ok(())
}
