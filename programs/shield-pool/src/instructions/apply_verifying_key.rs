use anchor_lang::prelude::*;

use crate::errors::ShieldPoolError;
use crate::events::VerifyingKeyApplied;
use crate::state::Config;

#[event_cpi]
#[derive(Accounts)]
pub struct ApplyVerifyingKey<'info> {
    #[account(mut, has_one = admin @ ShieldPoolError::NotAdmin)]
    pub config: AccountLoader<'info, Config>,
    pub admin: Signer<'info>,
}

/// Makes the pending verifying key current, but only if every user could have withdrawn under the
/// old key for the whole delay: the delay has passed since the proposal, the pool is unpaused, and
/// it has been unpaused for the whole delay (a pause closes the window; the next unpause restarts it).
pub fn handle_apply_verifying_key(ctx: Context<ApplyVerifyingKey>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let verifying_key_hash = {
        let mut config = ctx.accounts.config.load_mut()?;
        require!(config.has_pending_verifying_key(), ShieldPoolError::NoPendingVerifyingKey);
        let proposal_ready_at = config
            .pending_verifying_key_proposed_at
            .checked_add(config.verifying_key_delay_seconds)
            .ok_or(ShieldPoolError::Overflow)?;
        if now < proposal_ready_at {
            msg!("the proposal's delay ends at unix time {}", proposal_ready_at);
            return err!(ShieldPoolError::VerifyingKeyNotReady);
        }
        if config.is_paused() {
            msg!("paused: the exit window restarts when the pool is unpaused");
            return err!(ShieldPoolError::ExitWindowNotElapsed);
        }
        let ready_at = config.verifying_key_ready_at()?;
        if now < ready_at {
            msg!("the exit window ends at unix time {}", ready_at);
            return err!(ShieldPoolError::ExitWindowNotElapsed);
        }
        config.verifying_key = config.pending_verifying_key;
        config.clear_pending_verifying_key();
        config.verifying_key.hash()
    };
    emit_cpi!(VerifyingKeyApplied { verifying_key_hash, unix_timestamp: now });
    Ok(())
}
