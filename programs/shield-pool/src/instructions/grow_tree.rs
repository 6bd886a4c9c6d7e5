use anchor_lang::prelude::*;

use crate::constants::MAX_ACCOUNT_GROWTH;
use crate::errors::ShieldPoolError;
use crate::events::TreeGrown;
use crate::pda_account::grow_account;
use crate::state::{CommitmentTree, Pool};

#[event_cpi]
#[derive(Accounts)]
pub struct GrowTree<'info> {
    #[account(has_one = tree)]
    pub pool: Box<Account<'info, Pool>>,
    #[account(mut)]
    pub tree: AccountLoader<'info, CommitmentTree>,
    /// Pays the rent of the added bytes; anyone may.
    #[account(mut)]
    pub payer: Signer<'info>,
    pub system_program: Program<'info, System>,
}

/// Grows the pool's tree account by up to 10,240 bytes (the most one instruction may), toward
/// `CommitmentTree::SPACE`; the call that reaches it writes the empty tree, and transacts are accepted
/// from then on. Permissionless: it only spends the caller's lamports.
pub fn handle_grow_tree(ctx: Context<GrowTree>) -> Result<()> {
    let info = ctx.accounts.tree.to_account_info();
    let size = info.data_len();
    require!(size < CommitmentTree::SPACE, ShieldPoolError::TreeAlreadyGrown);
    let new_size = (size + MAX_ACCOUNT_GROWTH).min(CommitmentTree::SPACE);
    grow_account(
        &ctx.accounts.payer.to_account_info(),
        &info,
        &ctx.accounts.system_program.to_account_info(),
        new_size,
    )?;
    if new_size == CommitmentTree::SPACE {
        let mut tree = ctx.accounts.tree.load_mut()?;
        tree.pool = ctx.accounts.pool.key();
        tree.merkle_mut().initialize();
    }
    emit_cpi!(TreeGrown {
        pool: ctx.accounts.pool.key(),
        tree: info.key(),
        size: new_size as u64,
        target: CommitmentTree::SPACE as u64,
    });
    Ok(())
}
