use anchor_lang::prelude::*;
use cloak_zk::tree::PoolTree;

use crate::constants::{ROOT_HISTORY_SIZE, RETIRED_ROOTS_OFFSET};

/// The tree's state with the exact layout of `cloak_zk::tree::PoolTree` (depth 20, 4,096 roots), so
/// the account data is used in place; spelled out here so the IDL and the SDK's decoder see the fields.
#[zero_copy]
#[derive(Debug)]
pub struct TreeState {
    pub next_index: u64,
    pub current_root_index: u64,
    /// Which of the pool's trees is current: 0, then + 1 each time one fills (2^20 leaves).
    pub tree_number: u64,
    pub filled_subtrees: [[u8; 32]; 20],
    pub roots: [[u8; 32]; 4096],
}

/// A pool's incremental Poseidon tree (PDA `["tree", pool]`), 131 KB zero-copy: created at 10,240
/// bytes and grown to [`CommitmentTree::SPACE`] by `grow_tree`. After the struct come the final roots
/// of the pool's retired trees, 32 bytes each, `tree_number` of them (the account grows by 32 bytes at
/// each rollover): they stay provable forever.
#[account(zero_copy)]
#[derive(Debug)]
pub struct CommitmentTree {
    pub tree: TreeState,
    pub pool: Pubkey,
}

impl CommitmentTree {
    /// The account's size before any tree is retired: discriminator and struct.
    pub const SPACE: usize = 8 + core::mem::size_of::<CommitmentTree>();

    pub fn merkle(&self) -> &PoolTree {
        bytemuck::cast_ref(&self.tree)
    }

    pub fn merkle_mut(&mut self) -> &mut PoolTree {
        bytemuck::cast_mut(&mut self.tree)
    }

    /// The account size holding `retired` final roots after the struct.
    pub fn space_with_retired_roots(retired: u64) -> usize {
        Self::SPACE + 32 * retired as usize
    }

    /// Where in the account data the final root of retired tree `tree_number` lies.
    pub fn retired_root_offset(tree_number: u64) -> usize {
        Self::space_with_retired_roots(tree_number)
    }

    /// Whether `root` is the root at `root_index` (see `RETIRED_ROOTS_OFFSET`): one comparison, however
    /// long the history. `data` is the whole account, for the retired roots after the struct.
    pub fn is_known_root(&self, data: &[u8], root: &[u8; 32], root_index: u32) -> bool {
        if root_index < RETIRED_ROOTS_OFFSET {
            return self.merkle().is_known_root_at(root, root_index as usize);
        }
        let retired = (root_index - RETIRED_ROOTS_OFFSET) as u64;
        if retired >= self.merkle().tree_number() {
            return false;
        }
        let offset = Self::retired_root_offset(retired);
        data.get(offset..offset + 32) == Some(&root[..])
    }
}

const _: () = assert!(core::mem::size_of::<TreeState>() == core::mem::size_of::<PoolTree>());
const _: () = assert!(RETIRED_ROOTS_OFFSET as usize == ROOT_HISTORY_SIZE);
