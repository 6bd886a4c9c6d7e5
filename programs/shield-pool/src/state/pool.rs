use anchor_lang::prelude::*;

/// One asset's pool (PDA `["pool", mint]`, the zero key for SOL): its vault, its tree and its limits.
/// Notes of different pools never mix: the ext_data hash binds a proof to one pool.
#[account]
#[derive(InitSpace, Debug)]
pub struct Pool {
    /// The SPL mint, or `NATIVE_MINT` for SOL.
    pub mint: Pubkey,
    /// PDA `["vault", pool]`: a system account holding SOL, or a token account the pool owns.
    pub vault: Pubkey,
    /// PDA `["tree", pool]`.
    pub tree: Pubkey,
    /// Largest single deposit, in the asset's base units.
    pub max_deposit: u64,
    /// Largest relayer fee, in the asset's base units.
    pub max_fee: u64,
    pub bump: u8,
    pub vault_bump: u8,
}

impl Pool {
    pub fn is_native(&self) -> bool {
        self.mint == crate::constants::NATIVE_MINT
    }
}
