use anchor_lang::prelude::*;

use crate::errors::ShieldPoolError;
use crate::events::AdminTransferred;
use crate::state::Config;

#[derive(Accounts)]
pub struct AcceptAdmin<'info> {
    #[account(mut)]
    pub config: AccountLoader<'info, Config>,
    pub pending_admin: Signer<'info>,
}

/// Second step of an admin handover: the proposed admin takes over.
pub fn handle_accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
    let mut config = ctx.accounts.config.load_mut()?;
    let signer = ctx.accounts.pending_admin.key();
    require!(
        config.pending_admin != Pubkey::default() && config.pending_admin == signer,
        ShieldPoolError::NotPendingAdmin
    );
    let previous_admin = config.admin;
    config.admin = signer;
    config.pending_admin = Pubkey::default();
    emit!(AdminTransferred { previous_admin, admin: signer });
    Ok(())
}
