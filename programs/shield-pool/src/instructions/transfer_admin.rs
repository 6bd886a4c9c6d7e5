use anchor_lang::prelude::*;


use crate::events::AdminTransferStarted;

/// First step of an admin handover: `new_admin` must accept before anything changes hands, so a
/// mistyped key cannot take the protocol out of reach.
pub fn handle_transfer_admin(ctx: Context<TransferAdmin>, new_admin: Pubkey) -> Result<()> {
    let mut config = ctx.accounts.config.load_mut()?;
    config.pending_admin = new_admin;
    emit!(AdminTransferStarted { admin: config.admin, pending_admin: new_admin });
    Ok(())
}

#[derive(Accounts)]
pub struct TransferAdmin<'info> {
    #[account(mut, has_one = admin @ crate::errors::ShieldPoolError::NotAdmin)]
    pub config: AccountLoader<'info, crate::state::Config>,
    pub admin: Signer<'info>,
}
