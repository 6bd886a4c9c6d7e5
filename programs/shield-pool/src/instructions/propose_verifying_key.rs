use anchor_lang::prelude::*;


use crate::events::VerifyingKeyProposed;
use crate::state::{VerifyingKeyData, VerifyingKeyInput};

/// Stages a new verifying key; it can be applied after `verifying_key_delay_slots`. A new proposal
/// replaces a pending one and restarts the delay.
pub fn handle_propose_verifying_key(ctx: Context<ProposeVerifyingKey>, verifying_key: VerifyingKeyInput) -> Result<()> {
    let slot = Clock::get()?.slot;
    let mut config = ctx.accounts.config.load_mut()?;
    let ready_slot = slot
        .checked_add(config.verifying_key_delay_slots)
        .ok_or(crate::errors::ShieldPoolError::Overflow)?;
    config.pending_verifying_key = VerifyingKeyData::from(&verifying_key);
    config.pending_verifying_key_ready_slot = ready_slot;
    emit!(VerifyingKeyProposed { ready_slot });
    Ok(())
}

#[derive(Accounts)]
pub struct ProposeVerifyingKey<'info> {
    #[account(mut, has_one = admin @ crate::errors::ShieldPoolError::NotAdmin)]
    pub config: AccountLoader<'info, crate::state::Config>,
    pub admin: Signer<'info>,
}
