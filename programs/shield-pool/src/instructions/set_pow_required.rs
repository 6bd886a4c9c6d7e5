use anchor_lang::prelude::*;

use crate::errors::ShieldPoolError;
use crate::events::PowRequirementSet;
use crate::state::Config;

#[event_cpi]
#[derive(Accounts)]
pub struct SetPowRequired<'info> {
    #[account(mut, has_one = admin @ ShieldPoolError::NotAdmin)]
    pub config: AccountLoader<'info, Config>,
    pub admin: Signer<'info>,
}

/// Turns the PoW gate for relayed withdrawals on or off.
pub fn handle_set_pow_required(ctx: Context<SetPowRequired>, pow_required: bool) -> Result<()> {
    ctx.accounts.config.load_mut()?.pow_required = pow_required as u8;
    emit_cpi!(PowRequirementSet { pow_required });
    Ok(())
}
