use anchor_lang::prelude::*;

use crate::constants::MAX_RELAYERS;
use crate::errors::ShieldPoolError;
use crate::events::RelayerAdded;
use crate::state::Config;

#[event_cpi]
#[derive(Accounts)]
pub struct AddRelayer<'info> {
    #[account(mut, has_one = admin @ ShieldPoolError::NotAdmin)]
    pub config: AccountLoader<'info, Config>,
    pub admin: Signer<'info>,
}

/// Registers `relayer` as allowed to take transaction fees.
pub fn handle_add_relayer(ctx: Context<AddRelayer>, relayer: Pubkey) -> Result<()> {
    {
        let mut config = ctx.accounts.config.load_mut()?;
        require!(!config.is_relayer(&relayer), ShieldPoolError::RelayerAlreadyRegistered);
        let count = config.relayer_count as usize;
        require!(count < MAX_RELAYERS, ShieldPoolError::RelayerRegistryFull);
        config.relayers[count] = relayer;
        config.relayer_count += 1;
    }
    emit_cpi!(RelayerAdded { relayer });
    Ok(())
}
