use anchor_lang::prelude::*;
use anchor_spl::token::{initialize_account3, InitializeAccount3, Mint, Token, TokenAccount};

use crate::constants::{POOL_SEED, TREE_SEED, VAULT_SEED};
use crate::pool_opening::{open_pool, NewTree};
use crate::pda_account::create_pda_account;
use crate::state::{Config, Pool};

#[event_cpi]
#[derive(Accounts)]
pub struct InitializeTokenPool<'info> {
    #[account(has_one = admin)]
    pub config: AccountLoader<'info, Config>,
    pub mint: Box<Account<'info, Mint>>,
    #[account(init, payer = admin, space = 8 + Pool::INIT_SPACE, seeds = [POOL_SEED, mint.key().as_ref()], bump)]
    pub pool: Box<Account<'info, Pool>>,
    /// CHECK: created here at its first 10,240 bytes; `grow_tree` does the rest.
    #[account(mut, seeds = [TREE_SEED, pool.key().as_ref()], bump)]
    pub tree: UncheckedAccount<'info>,
    /// CHECK: created here as a token account of `mint` owned by the pool PDA, so only the program
    /// can move funds out. (Created by hand: Anchor's `token::` init constraints would pull in
    /// Token-2022 support we do not use.) Lamports sent to the address beforehand do not block it.
    #[account(mut, seeds = [VAULT_SEED, pool.key().as_ref()], bump)]
    pub vault: UncheckedAccount<'info>,
    #[account(mut)]
    pub admin: Signer<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

/// Opens the pool of an SPL mint: pool record, tree account (to be grown), token vault.
pub fn handle_initialize_token_pool(ctx: Context<InitializeTokenPool>, max_deposit: u64, max_fee: u64) -> Result<()> {
    let pool_key = ctx.accounts.pool.key();
    let vault_seeds: &[&[u8]] = &[VAULT_SEED, pool_key.as_ref(), &[ctx.bumps.vault]];
    create_pda_account(
        &ctx.accounts.admin.to_account_info(),
        &ctx.accounts.vault.to_account_info(),
        &ctx.accounts.system_program.to_account_info(),
        TokenAccount::LEN,
        &ctx.accounts.token_program.key(),
        vault_seeds,
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
    let tree = NewTree {
        account: &ctx.accounts.tree,
        bump: ctx.bumps.tree,
        payer: &ctx.accounts.admin,
        system_program: &ctx.accounts.system_program,
    };
    let opened = open_pool(&mut ctx.accounts.pool, tree, mint, vault, bumps, (max_deposit, max_fee))?;
    emit_cpi!(opened);
    Ok(())
}
