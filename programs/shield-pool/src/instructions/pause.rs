use anchor_lang::prelude::*;

use crate::errors::ShieldPoolError;
use crate::events::PausedChanged;
use crate::state::Config;

#[derive(Accounts)]
pub struct Pause<'info> {
    #[account(mut)]
    pub config: AccountLoader<'info, Config>,
    pub authority: Signer<'info>,
}

/// Stops every transact; the pause authority or the admin may.
pub fn handle_pause(ctx: Context<Pause>) -> Result<()> {
    let mut config = ctx.accounts.config.load_mut()?;
    let signer = ctx.accounts.authority.key();
    require!(
        signer == config.pause_authority || signer == config.admin,
        ShieldPoolError::NotPauseAuthority
    );
    config.paused = 1;
    emit!(PausedChanged { paused: true, by: signer });
    Ok(())
}
