use anchor_lang::prelude::*;

use crate::errors::ShieldPoolError;
use crate::events::PausedChanged;
use crate::state::Config;

#[event_cpi]
#[derive(Accounts)]
pub struct Unpause<'info> {
    #[account(mut, has_one = admin @ ShieldPoolError::NotAdmin)]
    pub config: AccountLoader<'info, Config>,
    pub admin: Signer<'info>,
}

/// Lets transactions through again; admin only, so a compromised pause key cannot undo a pause.
/// Lifting a pause starts a new exit window (`unpaused_since`); unpausing an unpaused pool changes
/// nothing, so it cannot be used to push a window back either.
pub fn handle_unpause(ctx: Context<Unpause>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    {
        let mut config = ctx.accounts.config.load_mut()?;
        if config.is_paused() {
            config.paused = 0;
            config.unpaused_since = now;
        }
    }
    emit_cpi!(PausedChanged { paused: false, by: ctx.accounts.admin.key(), unix_timestamp: now });
    Ok(())
}
