use anchor_lang::prelude::*;


use crate::errors::ShieldPoolError;
use crate::events::VerifyingKeyApplied;
use crate::state::VerifyingKeyData;
use bytemuck::Zeroable;

/// Makes the pending verifying key current once its delay has passed.
pub fn handle_apply_verifying_key(ctx: Context<ApplyVerifyingKey>) -> Result<()> {
    let slot = Clock::get()?.slot;
    let mut config = ctx.accounts.config.load_mut()?;
    require!(config.has_pending_verifying_key(), ShieldPoolError::NoPendingVerifyingKey);
    require!(
        slot >= config.pending_verifying_key_ready_slot,
        ShieldPoolError::VerifyingKeyNotReady
    );
    config.verifying_key = config.pending_verifying_key;
    config.pending_verifying_key = VerifyingKeyData::zeroed();
    config.pending_verifying_key_ready_slot = 0;
    emit!(VerifyingKeyApplied { slot });
    Ok(())
}

#[derive(Accounts)]
pub struct ApplyVerifyingKey<'info> {
    #[account(mut, has_one = admin @ crate::errors::ShieldPoolError::NotAdmin)]
    pub config: AccountLoader<'info, crate::state::Config>,
    pub admin: Signer<'info>,
}
