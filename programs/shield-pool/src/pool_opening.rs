//! Opening a pool, whatever its asset: the pool record and its tree account.

use anchor_lang::prelude::*;

use crate::constants::{MAX_ACCOUNT_GROWTH, TREE_SEED};
use crate::events::PoolInitialized;
use crate::pda_account::create_pda_account;
use crate::state::{CommitmentTree, Pool};

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
