//! Cloak's shielded pool on Solana: the same join-split circuit, verifying key, note format and
//! Merkle tree as the EVM pool (docs/protocol.md), with Solana's own ext_data encoding and a PoW gate
//! on relayed withdrawals through the scramble registry (docs/solana.md).
#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;

pub mod constants;
pub mod errors;
pub mod events;
pub mod ext_data;
pub mod instructions;
pub mod pda_account;
pub mod pool_opening;
pub mod state;

use ext_data::{ExtData, TransactPublicInputs};
use instructions::*;
use state::VerifyingKeyInput;

declare_id!("C1oakShie1dPoo111111111111111111111111111111");

#[program]
pub mod shield_pool {
    use super::*;

    /// Creates the config (the program's upgrade authority only): the signer becomes admin, the
    /// ceremony's verifying key is installed.
    pub fn initialize(ctx: Context<Initialize>, params: InitializeParams) -> Result<()> {
        instructions::handle_initialize(ctx, params)
    }

    /// Opens the native SOL pool.
    pub fn initialize_sol_pool(ctx: Context<InitializeSolPool>, max_deposit: u64, max_fee: u64) -> Result<()> {
        instructions::handle_initialize_sol_pool(ctx, max_deposit, max_fee)
    }

    /// Opens the pool of an SPL mint.
    pub fn initialize_token_pool(ctx: Context<InitializeTokenPool>, max_deposit: u64, max_fee: u64) -> Result<()> {
        instructions::handle_initialize_token_pool(ctx, max_deposit, max_fee)
    }

    /// Grows a pool's tree account by up to 10,240 bytes toward its full size (anyone; transacts wait
    /// for the full size).
    pub fn grow_tree(ctx: Context<GrowTree>) -> Result<()> {
        instructions::handle_grow_tree(ctx)
    }

    /// Deposit, transfer or withdraw with a join-split proof.
    pub fn transact(
        ctx: Context<Transact>,
        proof: [u8; 256],
        public_inputs: TransactPublicInputs,
        ext_data: ExtData,
    ) -> Result<()> {
        instructions::handle_transact(ctx, proof, public_inputs, ext_data)
    }

    /// Stops all transacts (pause authority or admin).
    pub fn pause(ctx: Context<Pause>) -> Result<()> {
        instructions::handle_pause(ctx)
    }

    /// Resumes transacts (admin).
    pub fn unpause(ctx: Context<Unpause>) -> Result<()> {
        instructions::handle_unpause(ctx)
    }

    /// Registers a relayer allowed to take fees (admin).
    pub fn add_relayer(ctx: Context<AddRelayer>, relayer: Pubkey) -> Result<()> {
        instructions::handle_add_relayer(ctx, relayer)
    }

    /// Deregisters a relayer (admin).
    pub fn remove_relayer(ctx: Context<RemoveRelayer>, relayer: Pubkey) -> Result<()> {
        instructions::handle_remove_relayer(ctx, relayer)
    }

    /// Stages a checked verifying key, applicable after the config's delay (admin).
    pub fn propose_verifying_key(ctx: Context<ProposeVerifyingKey>, verifying_key: VerifyingKeyInput) -> Result<()> {
        instructions::handle_propose_verifying_key(ctx, verifying_key)
    }

    /// Drops the staged verifying key (admin).
    pub fn cancel_verifying_key(ctx: Context<CancelVerifyingKey>) -> Result<()> {
        instructions::handle_cancel_verifying_key(ctx)
    }

    /// Installs the staged verifying key once the pool has been unpaused for its whole delay (admin).
    pub fn apply_verifying_key(ctx: Context<ApplyVerifyingKey>) -> Result<()> {
        instructions::handle_apply_verifying_key(ctx)
    }

    /// Installs a checked verifying key at once while the pool is paused (security council).
    pub fn emergency_set_verifying_key(
        ctx: Context<EmergencySetVerifyingKey>,
        verifying_key: VerifyingKeyInput,
    ) -> Result<()> {
        instructions::handle_emergency_set_verifying_key(ctx, verifying_key)
    }

    /// Sets the rotation delay in seconds, at least 48 hours (admin).
    pub fn set_verifying_key_delay(ctx: Context<SetVerifyingKeyDelay>, delay_seconds: i64) -> Result<()> {
        instructions::handle_set_verifying_key_delay(ctx, delay_seconds)
    }

    /// Proposes a new admin, who must accept (admin).
    pub fn transfer_admin(ctx: Context<TransferAdmin>, new_admin: Pubkey) -> Result<()> {
        instructions::handle_transfer_admin(ctx, new_admin)
    }

    /// The proposed admin takes over.
    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        instructions::handle_accept_admin(ctx)
    }

    /// Proposes a new pause authority, who must accept (admin).
    pub fn transfer_pause_authority(ctx: Context<TransferPauseAuthority>, new_pause_authority: Pubkey) -> Result<()> {
        instructions::handle_transfer_pause_authority(ctx, new_pause_authority)
    }

    /// The proposed pause authority takes over.
    pub fn accept_pause_authority(ctx: Context<AcceptPauseAuthority>) -> Result<()> {
        instructions::handle_accept_pause_authority(ctx)
    }

    /// Removes the pause authority at once (admin).
    pub fn revoke_pause_authority(ctx: Context<RevokePauseAuthority>) -> Result<()> {
        instructions::handle_revoke_pause_authority(ctx)
    }

    /// Proposes a new security council, who must accept (security council).
    pub fn transfer_security_council(ctx: Context<TransferSecurityCouncil>, new_security_council: Pubkey) -> Result<()> {
        instructions::handle_transfer_security_council(ctx, new_security_council)
    }

    /// The proposed security council takes over.
    pub fn accept_security_council(ctx: Context<AcceptSecurityCouncil>) -> Result<()> {
        instructions::handle_accept_security_council(ctx)
    }

    /// Sets a pool's deposit and fee limits (admin).
    pub fn set_pool_limits(ctx: Context<SetPoolLimits>, max_deposit: u64, max_fee: u64) -> Result<()> {
        instructions::handle_set_pool_limits(ctx, max_deposit, max_fee)
    }

    /// Turns the PoW gate on relayed withdrawals on or off (admin).
    pub fn set_pow_required(ctx: Context<SetPowRequired>, pow_required: bool) -> Result<()> {
        instructions::handle_set_pow_required(ctx, pow_required)
    }
}
