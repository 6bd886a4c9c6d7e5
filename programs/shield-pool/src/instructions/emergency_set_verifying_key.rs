use anchor_lang::prelude::*;

use crate::errors::ShieldPoolError;
use crate::events::VerifyingKeyEmergencySet;
use crate::state::{Config, VerifyingKeyData, VerifyingKeyInput};

#[event_cpi]
#[derive(Accounts)]
pub struct EmergencySetVerifyingKey<'info> {
    #[account(mut)]
    pub config: AccountLoader<'info, Config>,
    pub security_council: Signer<'info>,
}

/// The emergency path against a live exploit: the security council installs a checked key at once,
/// but only while the pool is paused, so no proof is accepted under it before the admin unpauses.
/// Any pending rotation is dropped.
pub fn handle_emergency_set_verifying_key(
    ctx: Context<EmergencySetVerifyingKey>,
    verifying_key: VerifyingKeyInput,
) -> Result<()> {
    let signer = ctx.accounts.security_council.key();
    let cancelled_pending = {
        let mut config = ctx.accounts.config.load_mut()?;
        require!(config.is_security_council(&signer), ShieldPoolError::NotSecurityCouncil);
        require!(config.is_paused(), ShieldPoolError::NotInEmergency);
        verifying_key.check_points()?;
        config.verifying_key = VerifyingKeyData::from(&verifying_key);
        config.clear_pending_verifying_key()
    };
    emit_cpi!(VerifyingKeyEmergencySet {
        verifying_key_hash: VerifyingKeyData::from(&verifying_key).hash(),
        security_council: signer,
        cancelled_pending,
    });
    Ok(())
}
