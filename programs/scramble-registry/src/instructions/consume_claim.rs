//! The shield pool spends one consumption of a claim on a withdrawal batch.

use anchor_lang::prelude::*;

use crate::{
    constants::{HASH_BYTES, MINER_SEED, REGISTRY_SEED, WILDCARD_BATCH},
    errors::RegistryError,
    events::ClaimConsumed,
    state::{Claim, Miner, Registry},
};

#[derive(Accounts)]
pub struct ConsumeClaim<'info> {
    /// Names the consumer authority and counts the consumption; the shield pool reads
    /// `miner_fee_share_bps` from it after this CPI.
    #[account(mut, seeds = [REGISTRY_SEED], bump = registry.bump)]
    pub registry: Account<'info, Registry>,
    /// The claim to consume. Ownership plus discriminator prove it genuine, so its seeds are not
    /// re-derived; the shield pool pays `claim.miner_authority` after this CPI.
    #[account(mut)]
    pub claim: Account<'info, Claim>,
    /// The claim's miner account, for its counters.
    #[account(
        mut,
        seeds = [MINER_SEED, claim.miner_authority.as_ref()],
        bump = miner.bump
    )]
    pub miner: Account<'info, Miner>,
    /// Must be `registry.consumer_authority` — the shield pool's config PDA, which only the
    /// shield pool can sign for, so claims are consumed only by withdrawals.
    #[account(
        constraint = consumer.key() == registry.consumer_authority @ RegistryError::UnauthorizedConsumer
    )]
    pub consumer: Signer<'info>,
}

/// Spends one consumption of a revealed, unexpired claim for `batch_hash`, which must equal the
/// claim's batch hash unless the claim is a wildcard.
pub fn handle_consume_claim(
    ctx: Context<ConsumeClaim>,
    batch_hash: [u8; HASH_BYTES],
) -> Result<()> {
    let now = Clock::get()?.slot;
    let claim = &mut ctx.accounts.claim;

    require!(claim.is_revealed(), RegistryError::ClaimNotRevealed);
    require!(!claim.is_expired(now), RegistryError::ClaimExpired);
    require!(
        !claim.is_fully_consumed(),
        RegistryError::ClaimFullyConsumed
    );
    require!(
        claim.batch_hash == WILDCARD_BATCH || claim.batch_hash == batch_hash,
        RegistryError::BatchMismatch
    );

    claim.consumed_count = claim
        .consumed_count
        .checked_add(1)
        .ok_or(RegistryError::ArithmeticOverflow)?;
    let miner = &mut ctx.accounts.miner;
    miner.consumptions = miner
        .consumptions
        .checked_add(1)
        .ok_or(RegistryError::ArithmeticOverflow)?;
    let registry = &mut ctx.accounts.registry;
    registry.total_consumptions = registry
        .total_consumptions
        .checked_add(1)
        .ok_or(RegistryError::ArithmeticOverflow)?;

    emit!(ClaimConsumed {
        claim: claim.key(),
        miner_authority: claim.miner_authority,
        batch_hash,
        consumed_count: claim.consumed_count,
    });
    Ok(())
}
