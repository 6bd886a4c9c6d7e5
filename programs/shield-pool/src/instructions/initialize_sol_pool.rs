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
    let pool_key = ctx.accounts.pool.key();
    let pool = &mut ctx.accounts.pool;
    pool.mint = NATIVE_MINT;
    pool.vault = ctx.accounts.vault.key();
    pool.tree = ctx.accounts.tree.key();
    pool.max_deposit = max_deposit;
    pool.max_fee = max_fee;
    pool.bump = ctx.bumps.pool;
    pool.vault_bump = ctx.bumps.vault;
    init_tree(&ctx.accounts.tree, pool_key)?;
    emit!(PoolInitialized {
        pool: pool_key,
        mint: NATIVE_MINT,
        vault: pool.vault,
        tree: pool.tree,
        max_deposit,
        max_fee,
    });
    Ok(())
}

/// Empties a freshly created tree account in place (it is too large to build on the stack).
pub fn init_tree(tree: &AccountLoader<CommitmentTree>, pool: Pubkey) -> Result<()> {
    let mut tree = tree.load_init()?;
    tree.pool = pool;
    tree.merkle_mut().initialize();
    Ok(())
}
