use anchor_lang::prelude::*;

use crate::errors::ShieldPoolError;
use crate::events::AdminTransferred;
use crate::state::{complete_handover, Config};

#[event_cpi]
#[derive(Accounts)]
pub struct AcceptAdmin<'info> {
    #[account(mut)]
    pub config: AccountLoader<'info, Config>,
    pub pending_admin: Signer<'info>,
}

/// Second step of an admin handover: the proposed admin takes over.
pub fn handle_accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
    let signer = ctx.accounts.pending_admin.key();
    let previous_admin = {
        let mut guard = ctx.accounts.config.load_mut()?;
        let config = &mut *guard;
        complete_handover(&mut config.admin, &mut config.pending_admin, signer, ShieldPoolError::NotPendingAdmin)?
    };
    emit_cpi!(AdminTransferred { previous_admin, admin: signer });
    Ok(())
}
