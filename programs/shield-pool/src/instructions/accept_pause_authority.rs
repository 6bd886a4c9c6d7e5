use anchor_lang::prelude::*;

use crate::errors::ShieldPoolError;
use crate::events::PauseAuthorityTransferred;
use crate::state::{complete_handover, Config};

#[event_cpi]
#[derive(Accounts)]
pub struct AcceptPauseAuthority<'info> {
    #[account(mut)]
    pub config: AccountLoader<'info, Config>,
    pub pending_pause_authority: Signer<'info>,
}

/// Second step of a pause-authority handover: the proposed key takes over.
pub fn handle_accept_pause_authority(ctx: Context<AcceptPauseAuthority>) -> Result<()> {
    let signer = ctx.accounts.pending_pause_authority.key();
    let previous_pause_authority = {
        let mut guard = ctx.accounts.config.load_mut()?;
        let config = &mut *guard;
        complete_handover(
            &mut config.pause_authority,
            &mut config.pending_pause_authority,
            signer,
            ShieldPoolError::NotPendingPauseAuthority,
        )?
    };
    emit_cpi!(PauseAuthorityTransferred { previous_pause_authority, pause_authority: signer });
    Ok(())
}
