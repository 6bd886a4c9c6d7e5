use anchor_lang::prelude::*;

/// A spent nullifier (PDA `["nullifier", pool, nullifier]`). Its creation is the double-spend check:
/// the system program refuses to create an account that exists.
#[account]
#[derive(InitSpace, Debug)]
pub struct NullifierRecord {
    pub pool: Pubkey,
}
