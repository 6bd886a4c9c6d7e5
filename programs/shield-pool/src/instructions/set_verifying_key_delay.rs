use anchor_lang::prelude::*;

use crate::constants::MIN_VERIFYING_KEY_DELAY_SECONDS;
use crate::errors::ShieldPoolError;
use crate::events::VerifyingKeyDelaySet;
use crate::state::Config;

#[event_cpi]
#[derive(Accounts)]
pub struct SetVerifyingKeyDelay<'info> {
    #[account(mut, has_one = admin @ ShieldPoolError::NotAdmin)]
    pub config: AccountLoader<'info, Config>,
    pub admin: Signer<'info>,
}

/// Sets the rotation delay, never below the 48-hour floor. It counts for a pending proposal too:
/// lowering it can only bring a rotation down to the floor, which is the exit window users are owed.
pub fn handle_set_verifying_key_delay(ctx: Context<SetVerifyingKeyDelay>, delay_seconds: i64) -> Result<()> {
    require!(delay_seconds >= MIN_VERIFYING_KEY_DELAY_SECONDS, ShieldPoolError::DelayTooShort);
    ctx.accounts.config.load_mut()?.verifying_key_delay_seconds = delay_seconds;
    emit_cpi!(VerifyingKeyDelaySet { verifying_key_delay_seconds: delay_seconds });
    Ok(())
}
