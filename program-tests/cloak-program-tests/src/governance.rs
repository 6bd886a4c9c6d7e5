//! Builders for the shield pool's governance instructions and the registry's admin handover, each
//! with the event-authority accounts their `emit_cpi!` events need.

use anchor_lang::prelude::Pubkey;
use shield_pool::state::VerifyingKeyInput;
use solana_sdk::instruction::Instruction;

use crate::anchor_ix;
use crate::registry::{registry_event_authority_pda, registry_pda};
use crate::shield::{config_pda, event_authority_pda};

/// A shield-pool instruction whose accounts are the config, one signer and the event accounts:
/// `config_ix!(AccountsStruct { signer_field: key }, data)`.
macro_rules! config_ix {
    ($accounts:ident { $signer_field:ident: $signer:expr }, $data:expr) => {
        anchor_ix(
            shield_pool::ID,
            shield_pool::accounts::$accounts {
                config: config_pda(),
                $signer_field: $signer,
                event_authority: event_authority_pda(),
                program: shield_pool::ID,
            },
            $data,
        )
    };
}

pub fn pause_ix(authority: Pubkey) -> Instruction {
    config_ix!(Pause { authority: authority }, shield_pool::instruction::Pause {})
}

pub fn unpause_ix(admin: Pubkey) -> Instruction {
    config_ix!(Unpause { admin: admin }, shield_pool::instruction::Unpause {})
}

pub fn remove_relayer_ix(admin: Pubkey, relayer: Pubkey) -> Instruction {
    config_ix!(RemoveRelayer { admin: admin }, shield_pool::instruction::RemoveRelayer { relayer })
}

pub fn propose_verifying_key_ix(admin: Pubkey, verifying_key: VerifyingKeyInput) -> Instruction {
    config_ix!(ProposeVerifyingKey { admin: admin }, shield_pool::instruction::ProposeVerifyingKey { verifying_key })
}

pub fn cancel_verifying_key_ix(admin: Pubkey) -> Instruction {
    config_ix!(CancelVerifyingKey { admin: admin }, shield_pool::instruction::CancelVerifyingKey {})
}

pub fn apply_verifying_key_ix(admin: Pubkey) -> Instruction {
    config_ix!(ApplyVerifyingKey { admin: admin }, shield_pool::instruction::ApplyVerifyingKey {})
}

pub fn emergency_set_verifying_key_ix(security_council: Pubkey, verifying_key: VerifyingKeyInput) -> Instruction {
    config_ix!(
        EmergencySetVerifyingKey { security_council: security_council },
        shield_pool::instruction::EmergencySetVerifyingKey { verifying_key }
    )
}

pub fn set_verifying_key_delay_ix(admin: Pubkey, delay_seconds: i64) -> Instruction {
    config_ix!(SetVerifyingKeyDelay { admin: admin }, shield_pool::instruction::SetVerifyingKeyDelay { delay_seconds })
}

pub fn transfer_admin_ix(admin: Pubkey, new_admin: Pubkey) -> Instruction {
    config_ix!(TransferAdmin { admin: admin }, shield_pool::instruction::TransferAdmin { new_admin })
}

pub fn accept_admin_ix(pending_admin: Pubkey) -> Instruction {
    config_ix!(AcceptAdmin { pending_admin: pending_admin }, shield_pool::instruction::AcceptAdmin {})
}

pub fn transfer_pause_authority_ix(admin: Pubkey, new_pause_authority: Pubkey) -> Instruction {
    config_ix!(
        TransferPauseAuthority { admin: admin },
        shield_pool::instruction::TransferPauseAuthority { new_pause_authority }
    )
}

pub fn accept_pause_authority_ix(pending_pause_authority: Pubkey) -> Instruction {
    config_ix!(
        AcceptPauseAuthority { pending_pause_authority: pending_pause_authority },
        shield_pool::instruction::AcceptPauseAuthority {}
    )
}

pub fn revoke_pause_authority_ix(admin: Pubkey) -> Instruction {
    config_ix!(RevokePauseAuthority { admin: admin }, shield_pool::instruction::RevokePauseAuthority {})
}

pub fn transfer_security_council_ix(security_council: Pubkey, new_security_council: Pubkey) -> Instruction {
    config_ix!(
        TransferSecurityCouncil { security_council: security_council },
        shield_pool::instruction::TransferSecurityCouncil { new_security_council }
    )
}

pub fn accept_security_council_ix(pending_security_council: Pubkey) -> Instruction {
    config_ix!(
        AcceptSecurityCouncil { pending_security_council: pending_security_council },
        shield_pool::instruction::AcceptSecurityCouncil {}
    )
}

pub fn set_pow_required_ix(admin: Pubkey, pow_required: bool) -> Instruction {
    config_ix!(SetPowRequired { admin: admin }, shield_pool::instruction::SetPowRequired { pow_required })
}

pub fn set_pool_limits_ix(admin: Pubkey, pool: Pubkey, max_deposit: u64, max_fee: u64) -> Instruction {
    anchor_ix(
        shield_pool::ID,
        shield_pool::accounts::SetPoolLimits {
            config: config_pda(),
            pool,
            admin,
            event_authority: event_authority_pda(),
            program: shield_pool::ID,
        },
        shield_pool::instruction::SetPoolLimits { max_deposit, max_fee },
    )
}

pub fn registry_transfer_admin_ix(admin: Pubkey, new_admin: Pubkey) -> Instruction {
    anchor_ix(
        scramble_registry::ID,
        scramble_registry::accounts::TransferAdmin {
            registry: registry_pda(),
            admin,
            event_authority: registry_event_authority_pda(),
            program: scramble_registry::ID,
        },
        scramble_registry::instruction::TransferAdmin { new_admin },
    )
}

pub fn registry_accept_admin_ix(pending_admin: Pubkey) -> Instruction {
    anchor_ix(
        scramble_registry::ID,
        scramble_registry::accounts::AcceptAdmin {
            registry: registry_pda(),
            pending_admin,
            event_authority: registry_event_authority_pda(),
            program: scramble_registry::ID,
        },
        scramble_registry::instruction::AcceptAdmin {},
    )
}

pub fn registry_update_params_ix(admin: Pubkey, params: scramble_registry::RegistryParams) -> Instruction {
    anchor_ix(
        scramble_registry::ID,
        scramble_registry::accounts::UpdateParams {
            registry: registry_pda(),
            admin,
            event_authority: registry_event_authority_pda(),
            program: scramble_registry::ID,
        },
        scramble_registry::instruction::UpdateParams { params },
    )
}
