use anchor_lang::prelude::*;
use cloak_zk::tree::PoolTree;

/// The tree's state with the exact layout of `cloak_zk::tree::PoolTree` (depth 20, 100 roots), so the
/// account data is used in place; spelled out here so the IDL and the SDK's decoder see the fields.
#[zero_copy]
#[derive(Debug)]
pub struct TreeState {
    pub next_index: u64,
    pub current_root_index: u64,
    pub filled_subtrees: [[u8; 32]; 20],
    pub roots: [[u8; 32]; 100],
}

/// A pool's incremental Poseidon tree (PDA `["tree", pool]`), 3.9 KB zero-copy.
#[account(zero_copy)]
#[derive(Debug)]
pub struct CommitmentTree {
    pub tree: TreeState,
    pub pool: Pubkey,
}

impl CommitmentTree {
    pub fn merkle(&self) -> &PoolTree {
        bytemuck::cast_ref(&self.tree)
    }

    pub fn merkle_mut(&mut self) -> &mut PoolTree {
        bytemuck::cast_mut(&mut self.tree)
    }
}

const _: () = assert!(core::mem::size_of::<TreeState>() == core::mem::size_of::<PoolTree>());
