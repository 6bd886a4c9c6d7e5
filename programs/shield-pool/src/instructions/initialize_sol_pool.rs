use anchor_lang::prelude::*;

use crate::constants::{NATIVE_MINT, POOL_SEED, TREE_SEED, VAULT_SEED};
use crate::pda_account::top_up_to_rent;
use crate::pool_opening::{open_pool, NewTree};
use crate::state::{Config, Pool};

#[event_cpi]
#[derive(Accounts)]
pub struct InitializeSolPool<'info> {
    #[account(has_one = admin)]
    pub config: AccountLoader<'info, Config>,
    #[account(init, payer = admin, space = 8 + Pool::INIT_SPACE, seeds = [POOL_SEED, NATIVE_MINT.as_ref()], bump)]
    pub pool: Box<Account<'info, Pool>>,
    /// CHECK: created here at its first 10,240 bytes (`create_tree`); `grow_tree` does the rest.
    #[account(mut, seeds = [TREE_SEED, pool.key().as_ref()], bump)]
    pub tree: UncheckedAccount<'info>,
    /// The SOL vault: a data-less system account at the PDA, funded here to rent exemption so
    /// withdrawals never leave it below.
    #[account(mut, seeds = [VAULT_SEED, pool.key().as_ref()], bump)]
    pub vault: SystemAccount<'info>,
    #[account(mut)]
    pub admin: Signer<'info>,
    pub system_program: Program<'info, System>,
}

/// Opens the SOL pool: pool record, tree account (to be grown), rent-exempt vault.
pub fn handle_initialize_sol_pool(ctx: Context<InitializeSolPool>, max_deposit: u64, max_fee: u64) -> Result<()> {
    top_up_to_rent(
        &ctx.accounts.admin.to_account_info(),
        &ctx.accounts.vault.to_account_info(),
        &ctx.accounts.system_program.to_account_info(),
        0,
    )?;
    let vault = ctx.accounts.vault.key();
    let bumps = (ctx.bumps.pool, ctx.bumps.vault);
    let tree = NewTree {
        account: &ctx.accounts.tree,
        bump: ctx.bumps.tree,
        payer: &ctx.accounts.admin,
        system_program: &ctx.accounts.system_program,
    };
    let opened = open_pool(&mut ctx.accounts.pool, tree, NATIVE_MINT, vault, bumps, (max_deposit, max_fee))?;
    emit_cpi!(opened);
    Ok(())
}
