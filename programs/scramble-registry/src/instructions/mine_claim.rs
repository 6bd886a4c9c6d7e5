//! Accepts a proof of work and records it as a claim.

use anchor_lang::prelude::*;

use crate::{
    constants::{
        CLAIM_SEED, HASH_BYTES, MAX_POW_SLOT_AGE, MINER_SEED, REGISTRY_SEED, SLOT_HASHES_SYSVAR_ID,
    },
    errors::RegistryError,
    events::{ClaimMined, DifficultyRetargeted},
    pow::{meets_difficulty, pow_hash, retarget},
    slot_hashes::lookup_slot_hash,
    state::{Claim, Miner, Registry},
};

#[derive(Accounts)]
#[instruction(slot: u64, slot_hash: [u8; 32], batch_hash: [u8; 32])]
pub struct MineClaim<'info> {
    /// Supplies the difficulty and is retargeted by this claim.
    #[account(mut, seeds = [REGISTRY_SEED], bump = registry.bump)]
    pub registry: Account<'info, Registry>,
    /// The signer's miner account; only registered miners may mine.
    #[account(
        mut,
        seeds = [MINER_SEED, authority.key().as_ref()],
        bump = miner.bump,
        has_one = authority @ RegistryError::UnauthorizedMiner
    )]
    pub miner: Account<'info, Miner>,
    /// The new claim, PDA `[CLAIM_SEED, authority, batch_hash, slot (LE)]`. The seeds make one
    /// claim per (miner, batch, seed slot): a second nonce for the same triple cannot be recorded.
    #[account(
        init,
        payer = authority,
        space = Claim::SPACE,
        seeds = [CLAIM_SEED, authority.key().as_ref(), batch_hash.as_ref(), &slot.to_le_bytes()],
        bump
    )]
    pub claim: Account<'info, Claim>,
    /// The miner's key, bound into the proof of work; pays for the claim.
    #[account(mut)]
    pub authority: Signer<'info>,
    /// CHECK: pinned to the SlotHashes sysvar by address; its raw data is read by
    /// `lookup_slot_hash` instead of deserialized whole.
    #[account(address = SLOT_HASHES_SYSVAR_ID)]
    pub slot_hashes: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

/// Records a claim for proof of work over `(slot, slot_hash, authority, batch_hash, nonce)`.
///
/// Checks, in order: `slot` is at most `MAX_POW_SLOT_AGE` slots old (`SlotTooOld`); SlotHashes
/// has an entry for `slot` (`SlotHashNotFound`) equal to `slot_hash` (`SlotHashMismatch`); the
/// hash meets the registry difficulty (`HashAboveTarget`). Then retargets the difficulty from
/// the slots elapsed since the previous claim (skipped for the registry's first claim).
/// `batch_hash` is `WILDCARD_BATCH` for a claim any batch may consume.
pub fn handle_mine_claim(
    ctx: Context<MineClaim>,
    slot: u64,
    slot_hash: [u8; HASH_BYTES],
    batch_hash: [u8; HASH_BYTES],
    nonce: u64,
) -> Result<()> {
    let now = Clock::get()?.slot;

    // A seed slot that will still be minable after the claim could be closed would let closing
    // and re-mining recycle one proof of work; see MAX_POW_SLOT_AGE.
    require_gte!(
        MAX_POW_SLOT_AGE,
        now.saturating_sub(slot),
        RegistryError::SlotTooOld
    );

    // The slot hash is what makes work impossible to start before `slot` was produced.
    let recorded = {
        let data = ctx.accounts.slot_hashes.try_borrow_data()?;
        lookup_slot_hash(&data, slot)?
    };
    let recorded = recorded.ok_or(RegistryError::SlotHashNotFound)?;
    require!(recorded == slot_hash, RegistryError::SlotHashMismatch);

    let authority = ctx.accounts.authority.key();
    let registry = &mut ctx.accounts.registry;
    let difficulty = registry.difficulty;
    let hash = pow_hash(slot, &slot_hash, &authority, &batch_hash, nonce);
    require!(
        meets_difficulty(&hash, difficulty),
        RegistryError::HashAboveTarget
    );

    // Retarget only after the check, so a claim is always judged by the difficulty it was
    // mined against, and only once there is a previous claim to measure the interval from.
    if registry.last_mined_slot != 0 {
        let elapsed_slots = now.saturating_sub(registry.last_mined_slot).max(1);
        let new = retarget(
            difficulty,
            registry.target_interval_slots,
            elapsed_slots,
            registry.min_difficulty,
            registry.max_difficulty,
        );
        if new != difficulty {
            registry.difficulty = new;
            emit!(DifficultyRetargeted {
                old: difficulty,
                new,
                elapsed_slots,
            });
        }
    }
    registry.last_mined_slot = now;
    registry.total_claims_mined = registry
        .total_claims_mined
        .checked_add(1)
        .ok_or(RegistryError::ArithmeticOverflow)?;

    let miner = &mut ctx.accounts.miner;
    miner.claims_mined = miner
        .claims_mined
        .checked_add(1)
        .ok_or(RegistryError::ArithmeticOverflow)?;

    let max_consumptions = registry.max_consumptions;
    let claim = &mut ctx.accounts.claim;
    claim.set_inner(Claim {
        miner_authority: authority,
        batch_hash,
        slot,
        slot_hash,
        nonce,
        pow_hash: hash,
        difficulty,
        mined_at_slot: now,
        revealed_at_slot: 0,
        expires_at_slot: 0,
        consumed_count: 0,
        max_consumptions,
        bump: ctx.bumps.claim,
    });

    emit!(ClaimMined {
        claim: claim.key(),
        miner_authority: authority,
        batch_hash,
        slot,
        nonce,
        pow_hash: hash,
        difficulty,
        mined_at_slot: now,
    });
    Ok(())
}
