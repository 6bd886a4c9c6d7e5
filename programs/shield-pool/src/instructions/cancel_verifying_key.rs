use anchor_lang::prelude::*;

use crate::errors::ShieldPoolError;
use crate::events::VerifyingKeyCancelled;
use crate::state::Config;

#[event_cpi]
#[derive(Accounts)]
pub struct CancelVerifyingKey<'info> {
    #[account(mut, has_one = admin @ ShieldPoolError::NotAdmin)]
    pub config: AccountLoader<'info, Config>,
    pub admin: Signer<'info>,
}

/// Drops the pending verifying key, e.g. one proposed by mistake or by a compromised admin key
/// that has since been handed over.
pub fn handle_cancel_verifying_key(ctx: Context<CancelVerifyingKey>) -> Result<()> {
    let verifying_key_hash = {
        let mut config = ctx.accounts.config.load_mut()?;
        require!(config.has_pending_verifying_key(), ShieldPoolError::NoPendingVerifyingKey);
        let hash = config.pending_verifying_key.hash();
        config.clear_pending_verifying_key();
        hash
    };
    emit_cpi!(VerifyingKeyCancelled { verifying_key_hash });
    Ok(())
}
