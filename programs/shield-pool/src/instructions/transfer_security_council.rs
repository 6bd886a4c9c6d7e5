use anchor_lang::prelude::*;

use crate::errors::ShieldPoolError;
use crate::events::SecurityCouncilTransferStarted;
use crate::state::Config;

#[event_cpi]
#[derive(Accounts)]
pub struct TransferSecurityCouncil<'info> {
    #[account(mut)]
    pub config: AccountLoader<'info, Config>,
    pub security_council: Signer<'info>,
}

/// First step of a security-council handover, by the council itself: if the admin could appoint
/// the council, it could appoint itself and skip the exit window through the emergency path.
pub fn handle_transfer_security_council(ctx: Context<TransferSecurityCouncil>, new_security_council: Pubkey) -> Result<()> {
    let signer = ctx.accounts.security_council.key();
    {
        let mut config = ctx.accounts.config.load_mut()?;
        require!(config.is_security_council(&signer), ShieldPoolError::NotSecurityCouncil);
        config.pending_security_council = new_security_council;
    }
    emit_cpi!(SecurityCouncilTransferStarted {
        security_council: signer,
        pending_security_council: new_security_council,
    });
    Ok(())
}
