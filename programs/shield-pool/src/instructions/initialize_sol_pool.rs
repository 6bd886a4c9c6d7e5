use anchor_lang::prelude::*;
use anchor_lang::system_program::{transfer, Transfer};

use crate::constants::{MAX_ACCOUNT_GROWTH, NATIVE_MINT, POOL_SEED, TREE_SEED, VAULT_SEED};
use crate::pda_account::create_pda_account;
use crate::events::PoolInitialized;
use crate::state::{CommitmentTree, Config, Pool};

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

/// A pool's tree account still to be created, and what creating it takes.
pub struct NewTree<'a, 'info> {
    pub account: &'a UncheckedAccount<'info>,
    pub bump: u8,
    pub payer: &'a Signer<'info>,
    pub system_program: &'a Program<'info, System>,
}

/// Records a new pool and creates its tree account: the part of opening a pool that does not depend
/// on the asset. Returns the `PoolInitialized` event for the caller to emit (`emit_cpi!` needs the
/// instruction's context). The tree is 131 KB and an instruction can create at most 10,240 bytes, so
/// it starts there and `grow_tree` (anyone, any number of calls) brings it to full size; transacts
/// are refused until then.
pub fn open_pool(
    pool: &mut Account<Pool>,
    tree: NewTree,
    mint: Pubkey,
    vault: Pubkey,
    (pool_bump, vault_bump): (u8, u8),
    (max_deposit, max_fee): (u64, u64),
) -> Result<PoolInitialized> {
    let pool_key = pool.key();
    pool.mint = mint;
    pool.vault = vault;
    pool.tree = tree.account.key();
    pool.max_deposit = max_deposit;
    pool.max_fee = max_fee;
    pool.bump = pool_bump;
    pool.vault_bump = vault_bump;
    create_pda_account(
        &tree.payer.to_account_info(),
        &tree.account.to_account_info(),
        &tree.system_program.to_account_info(),
        CommitmentTree::SPACE.min(MAX_ACCOUNT_GROWTH),
        &crate::ID,
        &[TREE_SEED, pool_key.as_ref(), &[tree.bump]],
    )?;
    tree.account.try_borrow_mut_data()?[..8].copy_from_slice(CommitmentTree::DISCRIMINATOR);
    Ok(PoolInitialized {
        pool: pool_key,
        mint,
        vault,
        tree: pool.tree,
        max_deposit,
        max_fee,
    })
}
