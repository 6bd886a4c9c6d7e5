use anchor_lang::prelude::*;

use crate::errors::ShieldPoolError;
use crate::events::AdminTransferStarted;
use crate::state::Config;

#[event_cpi]
#[derive(Accounts)]
pub struct TransferAdmin<'info> {
    #[account(mut, has_one = admin @ ShieldPoolError::NotAdmin)]
    pub config: AccountLoader<'info, Config>,
    pub admin: Signer<'info>,
}

/// First step of an admin handover: `new_admin` must accept before anything changes hands, so a
/// mistyped key cannot take the protocol out of reach.
pub fn handle_transfer_admin(ctx: Context<TransferAdmin>, new_admin: Pubkey) -> Result<()> {
    ctx.accounts.config.load_mut()?.pending_admin = new_admin;
    emit_cpi!(AdminTransferStarted { admin: ctx.accounts.admin.key(), pending_admin: new_admin });
    Ok(())
}
