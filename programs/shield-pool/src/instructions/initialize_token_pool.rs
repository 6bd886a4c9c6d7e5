use anchor_lang::prelude::*;
use anchor_lang::system_program::{create_account, CreateAccount};
use anchor_spl::token::{initialize_account3, InitializeAccount3, Mint, Token, TokenAccount};

use crate::constants::{POOL_SEED, TREE_SEED, VAULT_SEED};
use crate::instructions::initialize_sol_pool::open_pool;
use crate::state::{CommitmentTree, Config, Pool};

#[derive(Accounts)]
pub struct InitializeTokenPool<'info> {
    #[account(has_one = admin)]
    pub config: AccountLoader<'info, Config>,
    pub mint: Box<Account<'info, Mint>>,
    #[account(init, payer = admin, space = 8 + Pool::INIT_SPACE, seeds = [POOL_SEED, mint.key().as_ref()], bump)]
    pub pool: Box<Account<'info, Pool>>,
    #[account(init, payer = admin, space = 8 + core::mem::size_of::<CommitmentTree>(), seeds = [TREE_SEED, pool.key().as_ref()], bump)]
    pub tree: AccountLoader<'info, CommitmentTree>,
    /// CHECK: created here as a token account of `mint` owned by the pool PDA, so only the program
    /// can move funds out. (Created by hand: Anchor's `token::` init constraints would pull in
    /// Token-2022 support we do not use.)
    #[account(mut, seeds = [VAULT_SEED, pool.key().as_ref()], bump)]
    pub vault: UncheckedAccount<'info>,
    #[account(mut)]
    pub admin: Signer<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

/// Opens the pool of an SPL mint: pool record, empty tree, token vault.
pub fn handle_initialize_token_pool(ctx: Context<InitializeTokenPool>, max_deposit: u64, max_fee: u64) -> Result<()> {
    let pool_key = ctx.accounts.pool.key();
    let vault_seeds: &[&[u8]] = &[VAULT_SEED, pool_key.as_ref(), &[ctx.bumps.vault]];
    create_account(
        CpiContext::new_with_signer(
            ctx.accounts.system_program.to_account_info(),
            CreateAccount {
                from: ctx.accounts.admin.to_account_info(),
                to: ctx.accounts.vault.to_account_info(),
            },
            &[vault_seeds],
        ),
        Rent::get()?.minimum_balance(TokenAccount::LEN),
        TokenAccount::LEN as u64,
        &ctx.accounts.token_program.key(),
    )?;
    initialize_account3(CpiContext::new(
        ctx.accounts.token_program.to_account_info(),
        InitializeAccount3 {
            account: ctx.accounts.vault.to_account_info(),
            mint: ctx.accounts.mint.to_account_info(),
            authority: ctx.accounts.pool.to_account_info(),
        },
    ))?;

    let mint = ctx.accounts.mint.key();
    let vault = ctx.accounts.vault.key();
    let bumps = (ctx.bumps.pool, ctx.bumps.vault);
    open_pool(&mut ctx.accounts.pool, &ctx.accounts.tree, mint, vault, bumps, (max_deposit, max_fee))
}
