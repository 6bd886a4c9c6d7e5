use anchor_lang::prelude::*;

use crate::errors::ShieldPoolError;
use crate::events::PauseAuthorityTransferStarted;
use crate::state::Config;

#[event_cpi]
#[derive(Accounts)]
pub struct TransferPauseAuthority<'info> {
    #[account(mut, has_one = admin @ ShieldPoolError::NotAdmin)]
    pub config: AccountLoader<'info, Config>,
    pub admin: Signer<'info>,
}

/// First step of a pause-authority handover (admin): the new key must accept, so a mistyped key
/// cannot leave the monitoring bot unable to pause.
pub fn handle_transfer_pause_authority(ctx: Context<TransferPauseAuthority>, new_pause_authority: Pubkey) -> Result<()> {
    let pause_authority = {
        let mut config = ctx.accounts.config.load_mut()?;
        config.pending_pause_authority = new_pause_authority;
        config.pause_authority
    };
    emit_cpi!(PauseAuthorityTransferStarted { pause_authority, pending_pause_authority: new_pause_authority });
    Ok(())
}
