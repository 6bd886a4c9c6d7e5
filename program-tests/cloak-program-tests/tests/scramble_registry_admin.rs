//! Governance of the scramble registry: initialize tied to the upgrade authority, the two-step admin
//! handover, the admin's events, and error codes that never collide with the shield pool's.

use cloak_program_tests::governance::{registry_accept_admin_ix, registry_transfer_admin_ix, registry_update_params_ix};
use cloak_program_tests::registry::{initialize_registry, initialize_registry_ix, registry_pda, test_params};
use cloak_program_tests::{
    account_exists, assert_emitted, assert_error, fetch, send, send_for_cpi_events, set_upgrade_authority,
};
use scramble_registry::events::{RegistryAdminTransferStarted, RegistryAdminTransferred, RegistryInitialized, RegistryParamsUpdated};
use scramble_registry::{Registry, RegistryError};
use shield_pool::errors::ShieldPoolError;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

#[tokio::test]
async fn a_stranger_cannot_initialize_the_registry_before_the_upgrade_authority() {
    let mut context = cloak_program_tests::start().await;
    let stranger = Keypair::new();
    let fund = solana_sdk::system_instruction::transfer(&context.payer.pubkey(), &stranger.pubkey(), 1_000_000_000);
    send(&mut context, &[fund], &[]).await.expect("fund the stranger");
    let front_run = initialize_registry_ix(&stranger.pubkey(), test_params(stranger.pubkey()));
    let result = send(&mut context, &[front_run], &[&stranger]).await;
    assert_error(result, RegistryError::NotUpgradeAuthority, "stranger front-runs initialize");
    assert!(!account_exists(&mut context, registry_pda()).await);

    let admin = context.payer.pubkey();
    let params = test_params(admin);
    let events =
        send_for_cpi_events(&mut context, scramble_registry::ID, &[initialize_registry_ix(&admin, params)], &[]).await;
    assert_eq!(fetch::<Registry>(&mut context, registry_pda()).await.admin, admin);
    assert_emitted(
        &events,
        &RegistryInitialized {
            registry: registry_pda(),
            admin,
            consumer_authority: params.consumer_authority,
            difficulty: params.initial_difficulty,
            min_difficulty: params.min_difficulty,
            max_difficulty: params.max_difficulty,
            target_interval_slots: params.target_interval_slots,
            miner_fee_share_bps: params.miner_fee_share_bps,
            reveal_window_slots: params.reveal_window_slots,
            claim_window_slots: params.claim_window_slots,
            max_consumptions: params.max_consumptions,
        },
    );
}

#[tokio::test]
async fn an_immutable_registry_cannot_be_initialized() {
    let mut context = cloak_program_tests::start().await;
    set_upgrade_authority(&mut context, scramble_registry::ID, None).await;
    let admin = context.payer.pubkey();
    let result = send(&mut context, &[initialize_registry_ix(&admin, test_params(admin))], &[]).await;
    assert_error(result, RegistryError::NotUpgradeAuthority, "no upgrade authority left");
}

#[tokio::test]
async fn the_registry_admin_changes_hands_only_when_the_new_admin_accepts() {
    let mut context = cloak_program_tests::start().await;
    let admin = context.payer.pubkey();
    initialize_registry(&mut context, test_params(admin)).await;
    let successor = Keypair::new();

    let started = send_for_cpi_events(
        &mut context,
        scramble_registry::ID,
        &[registry_transfer_admin_ix(admin, successor.pubkey())],
        &[],
    )
    .await;
    assert_emitted(&started, &RegistryAdminTransferStarted { admin, pending_admin: successor.pubkey() });
    let registry = fetch::<Registry>(&mut context, registry_pda()).await;
    assert_eq!((registry.admin, registry.pending_admin), (admin, successor.pubkey()));

    let impostor = Keypair::new();
    let result = send(&mut context, &[registry_accept_admin_ix(impostor.pubkey())], &[&impostor]).await;
    assert_error(result, RegistryError::NotPendingAdmin, "impostor accepts");

    let accepted = send_for_cpi_events(
        &mut context,
        scramble_registry::ID,
        &[registry_accept_admin_ix(successor.pubkey())],
        &[&successor],
    )
    .await;
    assert_emitted(&accepted, &RegistryAdminTransferred { previous_admin: admin, admin: successor.pubkey() });
    let registry = fetch::<Registry>(&mut context, registry_pda()).await;
    assert_eq!((registry.admin, registry.pending_admin), (successor.pubkey(), Pubkey::default()));

    let result = send(&mut context, &[registry_update_params_ix(admin, test_params(admin))], &[]).await;
    assert_error(result, RegistryError::UnauthorizedAdmin, "the former admin");
    let mut params = test_params(admin);
    params.miner_fee_share_bps = 1_000;
    let updated = send_for_cpi_events(
        &mut context,
        scramble_registry::ID,
        &[registry_update_params_ix(successor.pubkey(), params)],
        &[&successor],
    )
    .await;
    assert_emitted(
        &updated,
        &RegistryParamsUpdated {
            registry: registry_pda(),
            consumer_authority: params.consumer_authority,
            difficulty: params.initial_difficulty,
            min_difficulty: params.min_difficulty,
            max_difficulty: params.max_difficulty,
            target_interval_slots: params.target_interval_slots,
            miner_fee_share_bps: 1_000,
            reveal_window_slots: params.reveal_window_slots,
            claim_window_slots: params.claim_window_slots,
            max_consumptions: params.max_consumptions,
        },
    );
}

/// A transact that CPIs into the registry can fail with either program's code, so the two ranges
/// must not overlap: the shield pool's start at Anchor's 6000, the registry's at 7000.
#[test]
fn registry_error_codes_start_at_7000_clear_of_the_shield_pools() {
    assert_eq!(u32::from(RegistryError::MinDifficultyZero), 7_000);
    let last_shield_pool_code = u32::from(ShieldPoolError::InvalidVerifyingKeyIc);
    assert!(last_shield_pool_code < 7_000, "the shield pool's codes stay below 7000");
    assert_eq!(u32::from(ShieldPoolError::Paused), 6_000);
}
