use anchor_lang::prelude::*;


use crate::events::PausedChanged;

/// Lets transactions through again; admin only, so a compromised pause key cannot undo a pause.
pub fn handle_unpause(ctx: Context<Unpause>) -> Result<()> {
    let mut config = ctx.accounts.config.load_mut()?;
    config.paused = 0;
    emit!(PausedChanged { paused: false, by: ctx.accounts.admin.key() });
    Ok(())
}

#[derive(Accounts)]
pub struct Unpause<'info> {
    #[account(mut, has_one = admin @ crate::errors::ShieldPoolError::NotAdmin)]
    pub config: AccountLoader<'info, crate::state::Config>,
    pub admin: Signer<'info>,
}
