use anchor_lang::prelude::*;

use crate::errors::ShieldPoolError;
use crate::events::PausedChanged;
use crate::state::Config;

#[event_cpi]
#[derive(Accounts)]
pub struct Pause<'info> {
    #[account(mut)]
    pub config: AccountLoader<'info, Config>,
    pub authority: Signer<'info>,
}

/// Stops every transact; the pause authority or the admin may. A pause also closes the exit window
/// of a pending rotation: it cannot apply while paused, and its window restarts at the next unpause.
pub fn handle_pause(ctx: Context<Pause>) -> Result<()> {
    let signer = ctx.accounts.authority.key();
    {
        let mut config = ctx.accounts.config.load_mut()?;
        require!(
            (signer == config.pause_authority && signer != Pubkey::default()) || signer == config.admin,
            ShieldPoolError::NotPauseAuthority
        );
        config.paused = 1;
    }
    emit_cpi!(PausedChanged { paused: true, by: signer, unix_timestamp: Clock::get()?.unix_timestamp });
    Ok(())
}
