use anchor_lang::prelude::*;

use crate::errors::ShieldPoolError;
use crate::events::PauseAuthorityRevoked;
use crate::state::Config;

#[event_cpi]
#[derive(Accounts)]
pub struct RevokePauseAuthority<'info> {
    #[account(mut, has_one = admin @ ShieldPoolError::NotAdmin)]
    pub config: AccountLoader<'info, Config>,
    pub admin: Signer<'info>,
}

/// Removes the pause authority (and any pending one) at once, with no delay: a leaked pause key
/// could otherwise re-pause after every unpause and freeze withdrawals. The admin can still pause,
/// and can hand the role to a fresh key with `transfer_pause_authority`.
pub fn handle_revoke_pause_authority(ctx: Context<RevokePauseAuthority>) -> Result<()> {
    let previous_pause_authority = {
        let mut config = ctx.accounts.config.load_mut()?;
        let previous = config.pause_authority;
        config.pause_authority = Pubkey::default();
        config.pending_pause_authority = Pubkey::default();
        previous
    };
    emit_cpi!(PauseAuthorityRevoked { previous_pause_authority });
    Ok(())
}
