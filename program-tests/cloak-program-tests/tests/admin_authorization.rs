//! Every admin instruction of both programs, called by a stranger, is refused with the exact error
//! of the role it lacks, raised by the program that owns it, and changes nothing. (`initialize` of
//! each program has its own front-running tests, in `shield_pool_admin.rs` and
//! `scramble_registry_admin.rs`.)

use anchor_lang::error::ErrorCode;
use cloak_program_tests::governance::{
    accept_admin_ix, accept_pause_authority_ix, accept_security_council_ix, apply_verifying_key_ix,
    cancel_verifying_key_ix, emergency_set_verifying_key_ix, pause_ix, propose_verifying_key_ix,
    registry_accept_admin_ix, registry_transfer_admin_ix, registry_update_params_ix, remove_relayer_ix,
    revoke_pause_authority_ix, set_pool_limits_ix, set_pow_required_ix, set_verifying_key_delay_ix,
    transfer_admin_ix, transfer_pause_authority_ix, transfer_security_council_ix, unpause_ix,
};
use cloak_program_tests::registry::{initialize_registry, registry_pda, test_params};
use cloak_program_tests::shield::{
    add_relayer_ix, config_pda, create_mint, deploy_sol_pool, initialize_ix, initialize_sol_pool_ix,
    initialize_token_pool_ix, PoolKeys, DELAY_SECONDS,
};
use cloak_program_tests::{account_data, assert_program_error, send};
use scramble_registry::RegistryError;
use shield_pool::errors::ShieldPoolError;
use shield_pool::state::{VerifyingKeyData, VerifyingKeyInput};
use solana_program_test::ProgramTestContext;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

fn ceremony_key() -> VerifyingKeyInput {
    let key = VerifyingKeyData::from_key(&cloak_zk::verifying_key::VERIFYING_KEY);
    VerifyingKeyInput {
        alpha_g1: key.alpha_g1,
        beta_g2: key.beta_g2,
        gamma_g2: key.gamma_g2,
        delta_g2: key.delta_g2,
        ic: key.ic,
    }
}

/// A funded key with no role.
async fn stranger(context: &mut ProgramTestContext) -> Keypair {
    let stranger = Keypair::new();
    let fund = solana_sdk::system_instruction::transfer(&context.payer.pubkey(), &stranger.pubkey(), 10_000_000_000);
    send(context, &[fund], &[]).await.expect("fund the stranger");
    stranger
}

fn shield(error: ShieldPoolError) -> (Pubkey, u32) {
    (shield_pool::ID, error.into())
}

fn registry(error: RegistryError) -> (Pubkey, u32) {
    (scramble_registry::ID, error.into())
}

#[tokio::test]
async fn a_stranger_is_refused_by_every_admin_instruction() {
    let mut context = cloak_program_tests::start().await;
    let keys = deploy_sol_pool(&mut context, Keypair::new().pubkey(), false).await;
    initialize_registry(&mut context, test_params(config_pda())).await;
    let mint = Keypair::new();
    create_mint(&mut context, &mint).await;
    let admin = context.payer.pubkey();
    let relayer = Keypair::new().pubkey();
    send(&mut context, &[add_relayer_ix(&admin, relayer), propose_verifying_key_ix(admin, ceremony_key())], &[])
        .await
        .expect("a relayer and a pending key to aim at");
    let stranger = stranger(&mut context).await;
    let me = stranger.pubkey();
    let config_before = account_data(&mut context, config_pda()).await;
    let registry_before = account_data(&mut context, registry_pda()).await;

    let cells: Vec<(&str, Instruction, (Pubkey, u32))> = vec![
        ("initialize_token_pool", initialize_token_pool_ix(&me, &PoolKeys::for_mint(mint.pubkey())), (shield_pool::ID, ErrorCode::ConstraintHasOne.into())),
        ("pause", pause_ix(me), shield(ShieldPoolError::NotPauseAuthority)),
        ("unpause", unpause_ix(me), shield(ShieldPoolError::NotAdmin)),
        ("add_relayer", add_relayer_ix(&me, me), shield(ShieldPoolError::NotAdmin)),
        ("remove_relayer", remove_relayer_ix(me, relayer), shield(ShieldPoolError::NotAdmin)),
        ("propose_verifying_key", propose_verifying_key_ix(me, ceremony_key()), shield(ShieldPoolError::NotAdmin)),
        ("cancel_verifying_key", cancel_verifying_key_ix(me), shield(ShieldPoolError::NotAdmin)),
        ("apply_verifying_key", apply_verifying_key_ix(me), shield(ShieldPoolError::NotAdmin)),
        ("set_verifying_key_delay", set_verifying_key_delay_ix(me, DELAY_SECONDS), shield(ShieldPoolError::NotAdmin)),
        ("emergency_set_verifying_key", emergency_set_verifying_key_ix(me, ceremony_key()), shield(ShieldPoolError::NotSecurityCouncil)),
        ("transfer_security_council", transfer_security_council_ix(me, me), shield(ShieldPoolError::NotSecurityCouncil)),
        ("accept_security_council", accept_security_council_ix(me), shield(ShieldPoolError::NotPendingSecurityCouncil)),
        ("transfer_admin", transfer_admin_ix(me, me), shield(ShieldPoolError::NotAdmin)),
        ("accept_admin", accept_admin_ix(me), shield(ShieldPoolError::NotPendingAdmin)),
        ("transfer_pause_authority", transfer_pause_authority_ix(me, me), shield(ShieldPoolError::NotAdmin)),
        ("accept_pause_authority", accept_pause_authority_ix(me), shield(ShieldPoolError::NotPendingPauseAuthority)),
        ("revoke_pause_authority", revoke_pause_authority_ix(me), shield(ShieldPoolError::NotAdmin)),
        ("set_pool_limits", set_pool_limits_ix(me, keys.pool, u64::MAX, u64::MAX), shield(ShieldPoolError::NotAdmin)),
        ("set_pow_required", set_pow_required_ix(me, true), shield(ShieldPoolError::NotAdmin)),
        ("registry update_params", registry_update_params_ix(me, test_params(me)), registry(RegistryError::UnauthorizedAdmin)),
        ("registry transfer_admin", registry_transfer_admin_ix(me, me), registry(RegistryError::UnauthorizedAdmin)),
        ("registry accept_admin", registry_accept_admin_ix(me), registry(RegistryError::NotPendingAdmin)),
    ];
    for (instruction, call, (program, code)) in cells {
        let result = send(&mut context, &[call], &[&stranger]).await;
        assert_program_error(result, program, code, &format!("stranger calls {instruction}"));
    }
    assert_eq!(account_data(&mut context, config_pda()).await, config_before, "the config is unchanged");
    assert_eq!(account_data(&mut context, registry_pda()).await, registry_before, "the registry is unchanged");
}

#[tokio::test]
async fn a_stranger_cannot_open_the_sol_pool() {
    let mut context = cloak_program_tests::start().await;
    let admin = context.payer.pubkey();
    send(&mut context, &[initialize_ix(&admin, admin, false)], &[]).await.expect("initialize");
    let stranger = stranger(&mut context).await;
    let result = send(&mut context, &[initialize_sol_pool_ix(&stranger.pubkey())], &[&stranger]).await;
    assert_program_error(result, shield_pool::ID, ErrorCode::ConstraintHasOne, "stranger opens the SOL pool");
}
