use anchor_lang::prelude::*;


use crate::constants::MAX_RELAYERS;
use crate::errors::ShieldPoolError;
use crate::events::RelayerAdded;

/// Registers `relayer` as allowed to take transaction fees.
pub fn handle_add_relayer(ctx: Context<AddRelayer>, relayer: Pubkey) -> Result<()> {
    let mut config = ctx.accounts.config.load_mut()?;
    require!(!config.is_relayer(&relayer), ShieldPoolError::RelayerAlreadyRegistered);
    let count = config.relayer_count as usize;
    require!(count < MAX_RELAYERS, ShieldPoolError::RelayerRegistryFull);
    config.relayers[count] = relayer;
    config.relayer_count += 1;
    emit!(RelayerAdded { relayer });
    Ok(())
}

#[derive(Accounts)]
pub struct AddRelayer<'info> {
    #[account(mut, has_one = admin @ crate::errors::ShieldPoolError::NotAdmin)]
    pub config: AccountLoader<'info, crate::state::Config>,
    pub admin: Signer<'info>,
}
