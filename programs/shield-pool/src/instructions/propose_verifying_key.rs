use anchor_lang::prelude::*;

use crate::errors::ShieldPoolError;
use crate::events::VerifyingKeyProposed;
use crate::state::{Config, VerifyingKeyData, VerifyingKeyInput};

#[event_cpi]
#[derive(Accounts)]
pub struct ProposeVerifyingKey<'info> {
    #[account(mut, has_one = admin @ ShieldPoolError::NotAdmin)]
    pub config: AccountLoader<'info, Config>,
    pub admin: Signer<'info>,
}

/// Stages a checked verifying key. It applies only after `verifying_key_delay_seconds` with the
/// pool unpaused throughout; a new proposal replaces a pending one and restarts the delay.
pub fn handle_propose_verifying_key(ctx: Context<ProposeVerifyingKey>, verifying_key: VerifyingKeyInput) -> Result<()> {
    verifying_key.check_points()?;
    let now = Clock::get()?.unix_timestamp;
    let ready_at = {
        let mut config = ctx.accounts.config.load_mut()?;
        config.stage_verifying_key(&verifying_key, now);
        config.verifying_key_ready_at()?
    };
    emit_cpi!(VerifyingKeyProposed {
        verifying_key_hash: VerifyingKeyData::from(&verifying_key).hash(),
        proposed_at: now,
        ready_at,
    });
    Ok(())
}
