use anchor_lang::prelude::*;

use crate::constants::{CONFIG_SEED, MIN_VERIFYING_KEY_DELAY_SLOTS};
use crate::errors::ShieldPoolError;
use crate::events::ConfigInitialized;
use crate::state::{Config, VerifyingKeyData};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeParams {
    pub pause_authority: Pubkey,
    pub verifying_key_delay_slots: u64,
    pub pow_required: bool,
}

#[derive(Accounts)]
pub struct Initialize<'info> {
    #[account(init, payer = admin, space = 8 + core::mem::size_of::<Config>(), seeds = [CONFIG_SEED], bump)]
    pub config: AccountLoader<'info, Config>,
    #[account(mut)]
    pub admin: Signer<'info>,
    pub system_program: Program<'info, System>,
}

/// Creates the protocol config with the signer as admin and our ceremony's verifying key
/// (`cloak_zk::verifying_key`), so a fresh deployment verifies exactly what the EVM pool does.
pub fn handle_initialize(ctx: Context<Initialize>, params: InitializeParams) -> Result<()> {
    require!(
        params.verifying_key_delay_slots >= MIN_VERIFYING_KEY_DELAY_SLOTS,
        ShieldPoolError::DelayTooShort
    );
    let mut config = ctx.accounts.config.load_init()?;
    config.admin = ctx.accounts.admin.key();
    config.pause_authority = params.pause_authority;
    config.verifying_key_delay_slots = params.verifying_key_delay_slots;
    config.verifying_key = VerifyingKeyData::from_key(&cloak_zk::verifying_key::VERIFYING_KEY);
    config.pow_required = params.pow_required as u8;
    config.bump = ctx.bumps.config;
    emit!(ConfigInitialized {
        admin: config.admin,
        pause_authority: config.pause_authority,
        verifying_key_delay_slots: config.verifying_key_delay_slots,
        pow_required: params.pow_required,
    });
    Ok(())
}
