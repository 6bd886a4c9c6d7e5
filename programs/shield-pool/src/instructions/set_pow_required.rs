use anchor_lang::prelude::*;


use crate::events::PowRequirementSet;

/// Turns the PoW gate for relayed withdrawals on or off.
pub fn handle_set_pow_required(ctx: Context<SetPowRequired>, pow_required: bool) -> Result<()> {
    let mut config = ctx.accounts.config.load_mut()?;
    config.pow_required = pow_required as u8;
    emit!(PowRequirementSet { pow_required });
    Ok(())
}

#[derive(Accounts)]
pub struct SetPowRequired<'info> {
    #[account(mut, has_one = admin @ crate::errors::ShieldPoolError::NotAdmin)]
    pub config: AccountLoader<'info, crate::state::Config>,
    pub admin: Signer<'info>,
}
