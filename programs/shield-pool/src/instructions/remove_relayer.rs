use anchor_lang::prelude::*;

use crate::errors::ShieldPoolError;
use crate::events::RelayerRemoved;
use crate::state::Config;

#[event_cpi]
#[derive(Accounts)]
pub struct RemoveRelayer<'info> {
    #[account(mut, has_one = admin @ ShieldPoolError::NotAdmin)]
    pub config: AccountLoader<'info, Config>,
    pub admin: Signer<'info>,
}

/// Deregisters `relayer`; transactions paying it a fee are refused from now on.
pub fn handle_remove_relayer(ctx: Context<RemoveRelayer>, relayer: Pubkey) -> Result<()> {
    {
        let mut config = ctx.accounts.config.load_mut()?;
        let count = config.relayer_count as usize;
        let position = config
            .registered_relayers()
            .iter()
            .position(|registered| *registered == relayer)
            .ok_or(ShieldPoolError::RelayerNotRegistered)?;
        // Order carries no meaning, so the last entry fills the gap.
        config.relayers[position] = config.relayers[count - 1];
        config.relayers[count - 1] = Pubkey::default();
        config.relayer_count -= 1;
    }
    emit_cpi!(RelayerRemoved { relayer });
    Ok(())
}
