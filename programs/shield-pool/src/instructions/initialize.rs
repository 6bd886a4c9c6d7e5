use anchor_lang::prelude::*;
use anchor_lang::solana_program::bpf_loader_upgradeable;

use crate::constants::{CONFIG_SEED, MIN_VERIFYING_KEY_DELAY_SECONDS};
use crate::errors::ShieldPoolError;
use crate::events::ConfigInitialized;
use crate::state::{Config, VerifyingKeyData};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeParams {
    pub pause_authority: Pubkey,
    /// May install a key at once while paused; `Pubkey::default()` for no emergency path.
    pub security_council: Pubkey,
    pub verifying_key_delay_seconds: i64,
    pub pow_required: bool,
}

#[event_cpi]
#[derive(Accounts)]
pub struct Initialize<'info> {
    #[account(init, payer = admin, space = 8 + core::mem::size_of::<Config>(), seeds = [CONFIG_SEED], bump)]
    pub config: AccountLoader<'info, Config>,
    /// The program's upgrade authority, so nobody can initialize a fresh deployment before it.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// The program's ProgramData account: the upgradeable loader's PDA of this program id, owned by
    /// the loader (the account type checks the owner), so only the real deployment's record passes.
    #[account(
        seeds = [crate::ID.as_ref()],
        bump,
        seeds::program = bpf_loader_upgradeable::ID,
        constraint = program_data.upgrade_authority_address == Some(admin.key()) @ ShieldPoolError::NotUpgradeAuthority
    )]
    pub program_data: Account<'info, ProgramData>,
    pub system_program: Program<'info, System>,
}

/// Creates the protocol config with the signer (the upgrade authority) as admin and our ceremony's
/// verifying key (`cloak_zk::verifying_key`), so a fresh deployment verifies exactly what the EVM
/// pool does. The pool starts unpaused, which opens the exit window of a first rotation.
pub fn handle_initialize(ctx: Context<Initialize>, params: InitializeParams) -> Result<()> {
    require!(
        params.verifying_key_delay_seconds >= MIN_VERIFYING_KEY_DELAY_SECONDS,
        ShieldPoolError::DelayTooShort
    );
    let now = Clock::get()?.unix_timestamp;
    {
        let mut config = ctx.accounts.config.load_init()?;
        config.admin = ctx.accounts.admin.key();
        config.pause_authority = params.pause_authority;
        config.security_council = params.security_council;
        config.verifying_key_delay_seconds = params.verifying_key_delay_seconds;
        config.unpaused_since = now;
        config.verifying_key = VerifyingKeyData::from_key(&cloak_zk::verifying_key::VERIFYING_KEY);
        config.pow_required = params.pow_required as u8;
        config.bump = ctx.bumps.config;
    }
    emit_cpi!(ConfigInitialized {
        admin: ctx.accounts.admin.key(),
        pause_authority: params.pause_authority,
        security_council: params.security_council,
        verifying_key_delay_seconds: params.verifying_key_delay_seconds,
        pow_required: params.pow_required,
    });
    Ok(())
}
