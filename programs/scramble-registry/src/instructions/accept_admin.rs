//! Second step of a registry admin handover.

use anchor_lang::prelude::*;

use crate::{constants::REGISTRY_SEED, errors::RegistryError, events::RegistryAdminTransferred, state::Registry};

#[event_cpi]
#[derive(Accounts)]
pub struct AcceptAdmin<'info> {
    #[account(mut, seeds = [REGISTRY_SEED], bump = registry.bump)]
    pub registry: Account<'info, Registry>,
    /// Must be `registry.pending_admin`.
    pub pending_admin: Signer<'info>,
}

/// The proposed admin takes over.
pub fn handle_accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
    let signer = ctx.accounts.pending_admin.key();
    let registry = &mut ctx.accounts.registry;
    require!(
        registry.pending_admin != Pubkey::default() && registry.pending_admin == signer,
        RegistryError::NotPendingAdmin
    );
    let previous_admin = registry.admin;
    registry.admin = signer;
    registry.pending_admin = Pubkey::default();
    emit_cpi!(RegistryAdminTransferred { previous_admin, admin: signer });
    Ok(())
}
