use anchor_lang::prelude::*;

use crate::errors::ShieldPoolError;
use crate::events::SecurityCouncilTransferred;
use crate::state::{complete_handover, Config};

#[event_cpi]
#[derive(Accounts)]
pub struct AcceptSecurityCouncil<'info> {
    #[account(mut)]
    pub config: AccountLoader<'info, Config>,
    pub pending_security_council: Signer<'info>,
}

/// Second step of a security-council handover: the proposed council takes over.
pub fn handle_accept_security_council(ctx: Context<AcceptSecurityCouncil>) -> Result<()> {
    let signer = ctx.accounts.pending_security_council.key();
    let previous_security_council = {
        let mut guard = ctx.accounts.config.load_mut()?;
        let config = &mut *guard;
        complete_handover(
            &mut config.security_council,
            &mut config.pending_security_council,
            signer,
            ShieldPoolError::NotPendingSecurityCouncil,
        )?
    };
    emit_cpi!(SecurityCouncilTransferred { previous_security_council, security_council: signer });
    Ok(())
}
