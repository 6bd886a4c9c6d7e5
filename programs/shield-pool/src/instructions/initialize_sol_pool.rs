use anchor_lang::prelude::*;
use anchor_lang::system_program::{transfer, Transfer};

use crate::constants::{NATIVE_MINT, POOL_SEED, TREE_SEED, VAULT_SEED};
use crate::events::PoolInitialized;
use crate::state::{CommitmentTree, Config, Pool};

#[derive(Accounts)]
pub struct InitializeSolPool<'info> {
    #[account(has_one = admin)]
    pub config: AccountLoader<'info, Config>,
    #[account(init, payer = admin, space = 8 + Pool::INIT_SPACE, seeds = [POOL_SEED, NATIVE_MINT.as_ref()], bump)]
    pub pool: Box<Account<'info, Pool>>,
    #[account(init, payer = admin, space = 8 + core::mem::size_of::<CommitmentTree>(), seeds = [TREE_SEED, pool.key().as_ref()], bump)]
    pub tree: AccountLoader<'info, CommitmentTree>,
    /// The SOL vault: a data-less system account at the PDA, funded here to rent exemption so
    /// withdrawals never leave it below.
    #[account(mut, seeds = [VAULT_SEED, pool.key().as_ref()], bump)]
    pub vault: SystemAccount<'info>,
    #[account(mut)]
    pub admin: Signer<'info>,
    pub system_program: Program<'info, System>,
}

/// Opens the SOL pool: pool record, empty tree, rent-exempt vault.
pub fn handle_initialize_sol_pool(ctx: Context<InitializeSolPool>, max_deposit: u64, max_fee: u64) -> Result<()> {
    let rent_exempt = Rent::get()?.minimum_balance(0);
    let missing = rent_exempt.saturating_sub(ctx.accounts.vault.lamports());
    if missing > 0 {
        transfer(
            CpiContext::new(
                ctx.accounts.system_program.to_account_info(),
                Transfer {
                    from: ctx.accounts.admin.to_account_info(),
                    to: ctx.accounts.vault.to_account_info(),
                },
            ),
            missing,
        )?;
    }
    let vault = ctx.accounts.vault.key();
    let bumps = (ctx.bumps.pool, ctx.bumps.vault);
    open_pool(&mut ctx.accounts.pool, &ctx.accounts.tree, NATIVE_MINT, vault, bumps, (max_deposit, max_fee))
}

/// Records a new pool, empties its tree in place (too large to build on the stack) and announces it:
/// the part of opening a pool that does not depend on the asset.
pub fn open_pool(
    pool: &mut Account<Pool>,
    tree: &AccountLoader<CommitmentTree>,
    mint: Pubkey,
    vault: Pubkey,
    (pool_bump, vault_bump): (u8, u8),
    (max_deposit, max_fee): (u64, u64),
) -> Result<()> {
    let pool_key = pool.key();
    pool.mint = mint;
    pool.vault = vault;
    pool.tree = tree.key();
    pool.max_deposit = max_deposit;
    pool.max_fee = max_fee;
    pool.bump = pool_bump;
    pool.vault_bump = vault_bump;
    let mut tree_state = tree.load_init()?;
    tree_state.pool = pool_key;
    tree_state.merkle_mut().initialize();
    emit!(PoolInitialized {
        pool: pool_key,
        mint,
        vault,
        tree: pool.tree,
        max_deposit,
        max_fee,
    });
    Ok(())
}
