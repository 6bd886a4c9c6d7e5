use anchor_lang::prelude::*;

use crate::errors::ShieldPoolError;
use crate::events::PoolLimitsUpdated;
use crate::state::{Config, Pool};

#[event_cpi]
#[derive(Accounts)]
pub struct SetPoolLimits<'info> {
    #[account(has_one = admin @ ShieldPoolError::NotAdmin)]
    pub config: AccountLoader<'info, Config>,
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    pub admin: Signer<'info>,
}

/// Sets a pool's largest deposit and largest relayer fee (base units of its asset).
pub fn handle_set_pool_limits(ctx: Context<SetPoolLimits>, max_deposit: u64, max_fee: u64) -> Result<()> {
    let pool = &mut ctx.accounts.pool;
    pool.max_deposit = max_deposit;
    pool.max_fee = max_fee;
    let pool_key = pool.key();
    emit_cpi!(PoolLimitsUpdated { pool: pool_key, max_deposit, max_fee });
    Ok(())
}
