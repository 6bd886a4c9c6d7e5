//! First step of a registry admin handover.

use anchor_lang::prelude::*;

use crate::{constants::REGISTRY_SEED, errors::RegistryError, events::RegistryAdminTransferStarted, state::Registry};

#[event_cpi]
#[derive(Accounts)]
pub struct TransferAdmin<'info> {
    #[account(
        mut,
        seeds = [REGISTRY_SEED],
        bump = registry.bump,
        has_one = admin @ RegistryError::UnauthorizedAdmin
    )]
    pub registry: Account<'info, Registry>,
    /// Must be `registry.admin`.
    pub admin: Signer<'info>,
}

/// Proposes `new_admin`, who must accept before anything changes hands, so a mistyped key cannot
/// take the registry out of reach. A later proposal replaces this one.
pub fn handle_transfer_admin(ctx: Context<TransferAdmin>, new_admin: Pubkey) -> Result<()> {
    ctx.accounts.registry.pending_admin = new_admin;
    emit_cpi!(RegistryAdminTransferStarted {
        admin: ctx.accounts.admin.key(),
        pending_admin: new_admin,
    });
    Ok(())
}
