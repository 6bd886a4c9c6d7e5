//! Governance of the shield pool: initialize tied to the upgrade authority, the relayer registry,
//! verifying-key rotation (its delay in seconds, the exit window, cancel, the key's points), the
//! security council's emergency path, pause rights and the two-step handovers, with their events.

use cloak_program_tests::governance::{
    accept_admin_ix, accept_pause_authority_ix, accept_security_council_ix, apply_verifying_key_ix,
    cancel_verifying_key_ix, emergency_set_verifying_key_ix, pause_ix, propose_verifying_key_ix,
    remove_relayer_ix, revoke_pause_authority_ix, set_pool_limits_ix, set_pow_required_ix, set_verifying_key_delay_ix,
    transfer_admin_ix, transfer_pause_authority_ix, transfer_security_council_ix, unpause_ix,
};
use cloak_program_tests::shield::{
    add_relayer_ix, config_pda, deploy_sol_pool, initialize_ix, initialize_params, initialize_with_params_ix,
    security_council, transact, PoolKeys, TransactAccounts, DELAY_SECONDS,
};
use cloak_program_tests::{
    account_exists, assert_emitted, assert_error, fetch, fetch_zero_copy, send, send_for_cpi_events,
    set_upgrade_authority, unix_timestamp, warp_to_unix_timestamp,
};
use shield_pool::constants::{MAX_RELAYERS, MIN_VERIFYING_KEY_DELAY_SECONDS};
use shield_pool::errors::ShieldPoolError;
use shield_pool::events::{
    AdminTransferStarted, AdminTransferred, ConfigInitialized, PauseAuthorityRevoked, PauseAuthorityTransferStarted,
    PauseAuthorityTransferred, PausedChanged, PoolLimitsUpdated, PowRequirementSet, RelayerAdded, RelayerRemoved,
    SecurityCouncilTransferStarted, SecurityCouncilTransferred, VerifyingKeyApplied, VerifyingKeyCancelled,
    VerifyingKeyDelaySet, VerifyingKeyEmergencySet, VerifyingKeyProposed,
};
use shield_pool::state::{Config, Pool, VerifyingKeyData, VerifyingKeyInput};
use solana_program_test::ProgramTestContext;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

/// A bank with the config and SOL pool deployed; `pause_authority` may pause.
async fn deployed_with(pause_authority: Pubkey) -> ProgramTestContext {
    let mut context = cloak_program_tests::start().await;
    deploy_sol_pool(&mut context, pause_authority, false).await;
    context
}

async fn deployed() -> ProgramTestContext {
    deployed_with(Keypair::new().pubkey()).await
}

async fn config(context: &mut ProgramTestContext) -> Config {
    fetch_zero_copy(context, config_pda()).await
}

fn ceremony_key() -> VerifyingKeyData {
    VerifyingKeyData::from_key(&cloak_zk::verifying_key::VERIFYING_KEY)
}

/// Another well-formed key: gamma and delta swapped. Proofs of our ceremony no longer verify.
fn rotated_key() -> VerifyingKeyInput {
    let current = ceremony_key();
    VerifyingKeyInput {
        alpha_g1: current.alpha_g1,
        beta_g2: current.beta_g2,
        gamma_g2: current.delta_g2,
        delta_g2: current.gamma_g2,
        ic: current.ic,
    }
}

fn ceremony_key_input() -> VerifyingKeyInput {
    let current = ceremony_key();
    VerifyingKeyInput {
        alpha_g1: current.alpha_g1,
        beta_g2: current.beta_g2,
        gamma_g2: current.gamma_g2,
        delta_g2: current.delta_g2,
        ic: current.ic,
    }
}

fn key_hash(key: &VerifyingKeyInput) -> [u8; 32] {
    VerifyingKeyData::from(key).hash()
}

/// Proposes `key` at exactly `at` (unix seconds).
async fn propose_at(context: &mut ProgramTestContext, key: VerifyingKeyInput, at: i64) {
    warp_to_unix_timestamp(context, at).await;
    let admin = context.payer.pubkey();
    send(context, &[propose_verifying_key_ix(admin, key)], &[]).await.expect("propose");
}

async fn apply_at(context: &mut ProgramTestContext, at: i64) -> Result<(), solana_program_test::BanksClientError> {
    warp_to_unix_timestamp(context, at).await;
    let admin = context.payer.pubkey();
    send(context, &[apply_verifying_key_ix(admin)], &[]).await
}

#[tokio::test]
async fn initialize_installs_the_ceremony_key_and_the_upgrade_authority_as_admin() {
    let mut context = cloak_program_tests::start().await;
    let admin = context.payer.pubkey();
    let pause_authority = Keypair::new().pubkey();
    let started = unix_timestamp(&mut context).await;
    let events = send_for_cpi_events(
        &mut context,
        shield_pool::ID,
        &[initialize_ix(&admin, pause_authority, false)],
        &[],
    )
    .await;
    let config = config(&mut context).await;
    assert_eq!(config.admin, admin);
    assert_eq!(config.pause_authority, pause_authority);
    assert_eq!(config.security_council, security_council().pubkey());
    assert_eq!(config.verifying_key, ceremony_key());
    assert_eq!(config.verifying_key_delay_seconds, 48 * 3600);
    assert_eq!(config.unpaused_since, started, "the exit window of a first rotation opens at initialize");
    assert!(!config.is_paused());
    assert!(!config.has_pending_verifying_key());
    assert_emitted(
        &events,
        &ConfigInitialized {
            admin,
            pause_authority,
            security_council: security_council().pubkey(),
            verifying_key_delay_seconds: DELAY_SECONDS,
            pow_required: false,
        },
    );
}

#[tokio::test]
async fn a_stranger_cannot_initialize_before_the_upgrade_authority() {
    let mut context = cloak_program_tests::start().await;
    let stranger = Keypair::new();
    let fund = solana_sdk::system_instruction::transfer(&context.payer.pubkey(), &stranger.pubkey(), 1_000_000_000);
    send(&mut context, &[fund], &[]).await.expect("fund the stranger");
    let front_run = initialize_ix(&stranger.pubkey(), stranger.pubkey(), false);
    let result = send(&mut context, &[front_run], &[&stranger]).await;
    assert_error(result, ShieldPoolError::NotUpgradeAuthority, "stranger front-runs initialize");
    assert!(!account_exists(&mut context, config_pda()).await);

    let admin = context.payer.pubkey();
    send(&mut context, &[initialize_ix(&admin, Keypair::new().pubkey(), false)], &[])
        .await
        .expect("the upgrade authority initializes");
    assert_eq!(config(&mut context).await.admin, admin);
}

#[tokio::test]
async fn an_immutable_program_cannot_be_initialized() {
    let mut context = cloak_program_tests::start().await;
    set_upgrade_authority(&mut context, shield_pool::ID, None).await;
    let admin = context.payer.pubkey();
    let result = send(&mut context, &[initialize_ix(&admin, admin, false)], &[]).await;
    assert_error(result, ShieldPoolError::NotUpgradeAuthority, "no upgrade authority left");
}

#[tokio::test]
async fn initialize_refuses_a_rotation_delay_below_48_hours() {
    let mut context = cloak_program_tests::start().await;
    let admin = context.payer.pubkey();
    let mut params = initialize_params(admin, false);
    params.verifying_key_delay_seconds = MIN_VERIFYING_KEY_DELAY_SECONDS - 1;
    let result = send(&mut context, &[initialize_with_params_ix(&admin, params)], &[]).await;
    assert_error(result, ShieldPoolError::DelayTooShort, "one second under 48 h");
}

#[tokio::test]
async fn the_admin_sets_the_rotation_delay_but_never_below_48_hours() {
    let mut context = deployed().await;
    let admin = context.payer.pubkey();
    let result = send(&mut context, &[set_verifying_key_delay_ix(admin, MIN_VERIFYING_KEY_DELAY_SECONDS - 1)], &[]).await;
    assert_error(result, ShieldPoolError::DelayTooShort, "one second under 48 h");

    let week = 7 * 24 * 3600;
    let events =
        send_for_cpi_events(&mut context, shield_pool::ID, &[set_verifying_key_delay_ix(admin, week)], &[]).await;
    assert_eq!(config(&mut context).await.verifying_key_delay_seconds, week);
    assert_emitted(&events, &VerifyingKeyDelaySet { verifying_key_delay_seconds: week });
}

#[tokio::test]
async fn a_rotation_applies_at_its_delay_to_the_second_and_not_before() {
    let mut context = deployed().await;
    let proposed_at = unix_timestamp(&mut context).await + 10;
    propose_at(&mut context, rotated_key(), proposed_at).await;

    let early = apply_at(&mut context, proposed_at + DELAY_SECONDS - 1).await;
    assert_error(early, ShieldPoolError::VerifyingKeyNotReady, "one second before the delay ends");
    assert_eq!(config(&mut context).await.verifying_key, ceremony_key(), "the current key is unchanged");

    warp_to_unix_timestamp(&mut context, proposed_at + DELAY_SECONDS).await;
    let admin = context.payer.pubkey();
    let events = send_for_cpi_events(&mut context, shield_pool::ID, &[apply_verifying_key_ix(admin)], &[]).await;
    let config = config(&mut context).await;
    assert_eq!(config.verifying_key, VerifyingKeyData::from(&rotated_key()));
    assert!(!config.has_pending_verifying_key());
    assert_emitted(
        &events,
        &VerifyingKeyApplied { verifying_key_hash: key_hash(&rotated_key()), unix_timestamp: proposed_at + DELAY_SECONDS },
    );
}

#[tokio::test]
async fn a_proposal_announces_its_key_and_when_it_can_apply() {
    let mut context = deployed().await;
    let proposed_at = unix_timestamp(&mut context).await + 10;
    warp_to_unix_timestamp(&mut context, proposed_at).await;
    let admin = context.payer.pubkey();
    let events =
        send_for_cpi_events(&mut context, shield_pool::ID, &[propose_verifying_key_ix(admin, rotated_key())], &[])
            .await;
    assert_emitted(
        &events,
        &VerifyingKeyProposed {
            verifying_key_hash: key_hash(&rotated_key()),
            proposed_at,
            ready_at: proposed_at + DELAY_SECONDS,
        },
    );
    let config = config(&mut context).await;
    assert_eq!(config.pending_verifying_key, VerifyingKeyData::from(&rotated_key()));
    assert_eq!(config.pending_verifying_key_proposed_at, proposed_at);
}

/// The audit's attack: pause, propose an evil key, keep the pool paused for almost the whole delay,
/// unpause and apply at the delay. Users could not withdraw while paused, so the key must wait a
/// full unpaused delay.
#[tokio::test]
async fn a_rotation_needs_the_pool_unpaused_for_its_whole_delay() {
    let pause_authority = Keypair::new();
    let mut context = deployed_with(pause_authority.pubkey()).await;
    let admin = context.payer.pubkey();
    let start = unix_timestamp(&mut context).await + 10;

    warp_to_unix_timestamp(&mut context, start).await;
    send(&mut context, &[pause_ix(pause_authority.pubkey())], &[&pause_authority]).await.expect("pause");
    propose_at(&mut context, rotated_key(), start + 1).await;

    let still_paused = apply_at(&mut context, start + 1 + DELAY_SECONDS).await;
    assert_error(still_paused, ShieldPoolError::ExitWindowNotElapsed, "apply while paused");

    let unpaused_at = start + DELAY_SECONDS - 60;
    warp_to_unix_timestamp(&mut context, unpaused_at).await;
    send(&mut context, &[unpause_ix(admin)], &[]).await.expect("unpause");
    assert_eq!(config(&mut context).await.unpaused_since, unpaused_at);

    let at_the_proposals_delay = apply_at(&mut context, start + 1 + DELAY_SECONDS).await;
    assert_error(at_the_proposals_delay, ShieldPoolError::ExitWindowNotElapsed, "a minute of exit window");
    let a_second_short = apply_at(&mut context, unpaused_at + DELAY_SECONDS - 1).await;
    assert_error(a_second_short, ShieldPoolError::ExitWindowNotElapsed, "one second short of a full window");
    assert_eq!(config(&mut context).await.verifying_key, ceremony_key(), "the old key still verifies");

    apply_at(&mut context, unpaused_at + DELAY_SECONDS).await.expect("a full unpaused delay has passed");
    assert_eq!(config(&mut context).await.verifying_key, VerifyingKeyData::from(&rotated_key()));
}

#[tokio::test]
async fn a_pause_during_the_window_restarts_it() {
    let mut context = deployed().await;
    let admin = context.payer.pubkey();
    let proposed_at = unix_timestamp(&mut context).await + 10;
    propose_at(&mut context, rotated_key(), proposed_at).await;

    warp_to_unix_timestamp(&mut context, proposed_at + 3600).await;
    send(&mut context, &[pause_ix(admin)], &[]).await.expect("pause");
    let unpaused_at = proposed_at + 7200;
    warp_to_unix_timestamp(&mut context, unpaused_at).await;
    let events = send_for_cpi_events(&mut context, shield_pool::ID, &[unpause_ix(admin)], &[]).await;
    assert_emitted(&events, &PausedChanged { paused: false, by: admin, unix_timestamp: unpaused_at });

    let result = apply_at(&mut context, proposed_at + DELAY_SECONDS).await;
    assert_error(result, ShieldPoolError::ExitWindowNotElapsed, "an hour of the window was paused");
    apply_at(&mut context, unpaused_at + DELAY_SECONDS).await.expect("a full window after the unpause");
}

#[tokio::test]
async fn unpausing_an_unpaused_pool_does_not_move_the_window() {
    let mut context = deployed().await;
    let admin = context.payer.pubkey();
    let before = config(&mut context).await.unpaused_since;
    warp_to_unix_timestamp(&mut context, before + 100).await;
    send(&mut context, &[unpause_ix(admin)], &[]).await.expect("unpause");
    assert_eq!(config(&mut context).await.unpaused_since, before);
}

#[tokio::test]
async fn a_cancelled_rotation_never_applies() {
    let mut context = deployed().await;
    let admin = context.payer.pubkey();
    let proposed_at = unix_timestamp(&mut context).await + 10;
    propose_at(&mut context, rotated_key(), proposed_at).await;
    let events = send_for_cpi_events(&mut context, shield_pool::ID, &[cancel_verifying_key_ix(admin)], &[]).await;
    assert_emitted(&events, &VerifyingKeyCancelled { verifying_key_hash: key_hash(&rotated_key()) });
    assert!(!config(&mut context).await.has_pending_verifying_key());

    let result = apply_at(&mut context, proposed_at + DELAY_SECONDS).await;
    assert_error(result, ShieldPoolError::NoPendingVerifyingKey, "apply after cancel");
    assert_eq!(config(&mut context).await.verifying_key, ceremony_key());
}

#[tokio::test]
async fn cancelling_without_a_proposal_is_refused() {
    let mut context = deployed().await;
    let admin = context.payer.pubkey();
    let result = send(&mut context, &[cancel_verifying_key_ix(admin)], &[]).await;
    assert_error(result, ShieldPoolError::NoPendingVerifyingKey, "nothing to cancel");
}

#[tokio::test]
async fn applying_without_a_proposal_is_refused() {
    let mut context = deployed().await;
    let admin = context.payer.pubkey();
    let result = send(&mut context, &[apply_verifying_key_ix(admin)], &[]).await;
    assert_error(result, ShieldPoolError::NoPendingVerifyingKey, "nothing proposed");
}

/// A point whose y coordinate is off by one: not on the curve.
fn off_curve<const N: usize>(mut point: [u8; N]) -> [u8; N] {
    point[N - 1] ^= 1;
    point
}

#[tokio::test]
async fn a_proposed_key_with_a_malformed_point_is_refused_naming_the_field() {
    let mut context = deployed().await;
    let admin = context.payer.pubkey();
    let good = rotated_key();
    let cases: Vec<(&str, VerifyingKeyInput, ShieldPoolError)> = vec![
        ("alpha off the curve", VerifyingKeyInput { alpha_g1: off_curve(good.alpha_g1), ..good.clone() }, ShieldPoolError::InvalidVerifyingKeyAlpha),
        ("alpha the identity", VerifyingKeyInput { alpha_g1: [0; 64], ..good.clone() }, ShieldPoolError::InvalidVerifyingKeyAlpha),
        ("alpha x above the field modulus", VerifyingKeyInput { alpha_g1: [0xff; 64], ..good.clone() }, ShieldPoolError::InvalidVerifyingKeyAlpha),
        ("beta off the curve", VerifyingKeyInput { beta_g2: off_curve(good.beta_g2), ..good.clone() }, ShieldPoolError::InvalidVerifyingKeyBeta),
        ("gamma outside the subgroup", VerifyingKeyInput { gamma_g2: g2_point_outside_the_subgroup(), ..good.clone() }, ShieldPoolError::InvalidVerifyingKeyGamma),
        ("delta the identity", VerifyingKeyInput { delta_g2: [0; 128], ..good.clone() }, ShieldPoolError::InvalidVerifyingKeyDelta),
        ("delta outside the subgroup", VerifyingKeyInput { delta_g2: g2_point_outside_the_subgroup(), ..good.clone() }, ShieldPoolError::InvalidVerifyingKeyDelta),
        ("ic[5] off the curve", {
            let mut key = good.clone();
            key.ic[5] = off_curve(key.ic[5]);
            key
        }, ShieldPoolError::InvalidVerifyingKeyIc),
    ];
    for (what, key, expected) in cases {
        let result = send(&mut context, &[propose_verifying_key_ix(admin, key)], &[]).await;
        assert_error(result, expected, what);
    }
    assert!(!config(&mut context).await.has_pending_verifying_key());
    send(&mut context, &[propose_verifying_key_ix(admin, good)], &[]).await.expect("the well-formed key");
}

/// A point on BN254's G2 curve (the twist) outside its prime-order subgroup, in the alt_bn128
/// encoding (big-endian x.c1, x.c0, y.c1, y.c0): the first x = (k, 1) that gives one.
fn g2_point_outside_the_subgroup() -> [u8; 128] {
    use ark_bn254::{Fq, Fq2, G2Affine};
    use ark_ff::{BigInteger, PrimeField};
    let point = (1u64..)
        .find_map(|k| {
            let point = G2Affine::get_point_from_x_unchecked(Fq2::new(Fq::from(k), Fq::from(1u64)), false)?;
            (!point.is_in_correct_subgroup_assuming_on_curve()).then_some(point)
        })
        .expect("most twist points lie outside the subgroup");
    let mut encoded = [0u8; 128];
    for (chunk, coordinate) in encoded.chunks_mut(32).zip([point.x.c1, point.x.c0, point.y.c1, point.y.c0]) {
        chunk.copy_from_slice(&coordinate.into_bigint().to_bytes_be());
    }
    encoded
}

#[tokio::test]
async fn the_security_council_installs_a_key_at_once_while_paused() {
    let mut context = deployed().await;
    let admin = context.payer.pubkey();
    let council = security_council();
    send(&mut context, &[propose_verifying_key_ix(admin, ceremony_key_input())], &[]).await.expect("a pending rotation");
    send(&mut context, &[pause_ix(admin)], &[]).await.expect("pause against the exploit");

    let events = send_for_cpi_events(
        &mut context,
        shield_pool::ID,
        &[emergency_set_verifying_key_ix(council.pubkey(), rotated_key())],
        &[&council],
    )
    .await;
    let config = config(&mut context).await;
    assert_eq!(config.verifying_key, VerifyingKeyData::from(&rotated_key()));
    assert!(!config.has_pending_verifying_key(), "the pending rotation is dropped");
    assert!(config.is_paused(), "only the admin's unpause lets proofs through under the new key");
    assert_emitted(
        &events,
        &VerifyingKeyEmergencySet {
            verifying_key_hash: key_hash(&rotated_key()),
            security_council: council.pubkey(),
            cancelled_pending: true,
        },
    );
}

/// The incident the emergency path is for: a key in force is broken (here one that refuses every
/// proof of our ceremony). Pause, the council installs the fix at once, the admin unpauses, and
/// proofs verify again without waiting out a delay.
#[tokio::test]
async fn the_emergency_path_restores_a_working_key_without_a_delay() {
    let flow = cloak_program_tests::fixtures::load_flow("sol_flow");
    let mut context = deployed().await;
    let admin = context.payer.pubkey();
    let council = security_council();
    let proposed_at = unix_timestamp(&mut context).await + 10;
    propose_at(&mut context, rotated_key(), proposed_at).await;
    apply_at(&mut context, proposed_at + DELAY_SECONDS).await.expect("the broken key applies");
    let deposit = flow.step("deposit");
    let broken = transact(&mut context, &PoolKeys::native(), &deposit, TransactAccounts::for_step(&deposit)).await;
    assert_error(broken, ShieldPoolError::InvalidProof, "a valid proof under the broken key");

    send(
        &mut context,
        &[
            pause_ix(admin),
            emergency_set_verifying_key_ix(council.pubkey(), ceremony_key_input()),
            unpause_ix(admin),
        ],
        &[&council],
    )
    .await
    .expect("pause, install the fix, unpause");
    cloak_program_tests::advance_slots(&mut context, 1).await;
    transact(&mut context, &PoolKeys::native(), &deposit, TransactAccounts::for_step(&deposit))
        .await
        .expect("the deposit verifies under the restored key");
}

#[tokio::test]
async fn the_security_council_cannot_install_a_key_while_unpaused() {
    let mut context = deployed().await;
    let council = security_council();
    let result = send(&mut context, &[emergency_set_verifying_key_ix(council.pubkey(), rotated_key())], &[&council]).await;
    assert_error(result, ShieldPoolError::NotInEmergency, "emergency install while unpaused");
    assert_eq!(config(&mut context).await.verifying_key, ceremony_key());
}

#[tokio::test]
async fn the_emergency_path_checks_the_key_too() {
    let mut context = deployed().await;
    let admin = context.payer.pubkey();
    let council = security_council();
    send(&mut context, &[pause_ix(admin)], &[]).await.expect("pause");
    let key = VerifyingKeyInput { beta_g2: g2_point_outside_the_subgroup(), ..rotated_key() };
    let result = send(&mut context, &[emergency_set_verifying_key_ix(council.pubkey(), key)], &[&council]).await;
    assert_error(result, ShieldPoolError::InvalidVerifyingKeyBeta, "a malformed emergency key");
}

#[tokio::test]
async fn the_security_council_hands_itself_over_and_the_admin_cannot_appoint_it() {
    let mut context = deployed().await;
    let admin = context.payer.pubkey();
    let council = security_council();
    let successor = Keypair::new();

    let result = send(&mut context, &[transfer_security_council_ix(admin, admin)], &[]).await;
    assert_error(result, ShieldPoolError::NotSecurityCouncil, "the admin appoints itself");

    let started = send_for_cpi_events(
        &mut context,
        shield_pool::ID,
        &[transfer_security_council_ix(council.pubkey(), successor.pubkey())],
        &[&council],
    )
    .await;
    assert_emitted(
        &started,
        &SecurityCouncilTransferStarted {
            security_council: council.pubkey(),
            pending_security_council: successor.pubkey(),
        },
    );
    let impostor = Keypair::new();
    let result = send(&mut context, &[accept_security_council_ix(impostor.pubkey())], &[&impostor]).await;
    assert_error(result, ShieldPoolError::NotPendingSecurityCouncil, "impostor accepts");

    let accepted = send_for_cpi_events(
        &mut context,
        shield_pool::ID,
        &[accept_security_council_ix(successor.pubkey())],
        &[&successor],
    )
    .await;
    assert_emitted(
        &accepted,
        &SecurityCouncilTransferred { previous_security_council: council.pubkey(), security_council: successor.pubkey() },
    );
    send(&mut context, &[pause_ix(admin)], &[]).await.expect("pause");
    let result = send(&mut context, &[emergency_set_verifying_key_ix(council.pubkey(), rotated_key())], &[&council]).await;
    assert_error(result, ShieldPoolError::NotSecurityCouncil, "the former council");
    send(&mut context, &[emergency_set_verifying_key_ix(successor.pubkey(), rotated_key())], &[&successor])
        .await
        .expect("the new council");
}

#[tokio::test]
async fn relayers_are_added_and_removed_by_the_admin() {
    let mut context = deployed().await;
    let admin = context.payer.pubkey();
    let (first, second) = (Keypair::new().pubkey(), Keypair::new().pubkey());
    let added = send_for_cpi_events(
        &mut context,
        shield_pool::ID,
        &[add_relayer_ix(&admin, first), add_relayer_ix(&admin, second)],
        &[],
    )
    .await;
    assert_emitted(&added, &RelayerAdded { relayer: first });
    assert_emitted(&added, &RelayerAdded { relayer: second });
    let duplicate = send(&mut context, &[add_relayer_ix(&admin, first)], &[]).await;
    assert_error(duplicate, ShieldPoolError::RelayerAlreadyRegistered, "duplicate relayer");

    let removed = send_for_cpi_events(&mut context, shield_pool::ID, &[remove_relayer_ix(admin, first)], &[]).await;
    assert_emitted(&removed, &RelayerRemoved { relayer: first });
    assert_eq!(config(&mut context).await.registered_relayers(), &[second]);
    cloak_program_tests::advance_slots(&mut context, 1).await;
    let again = send(&mut context, &[remove_relayer_ix(admin, first)], &[]).await;
    assert_error(again, ShieldPoolError::RelayerNotRegistered, "removed twice");
}

#[tokio::test]
async fn a_seventeenth_relayer_is_refused() {
    let mut context = deployed().await;
    let admin = context.payer.pubkey();
    let relayers: Vec<Instruction> = (0..MAX_RELAYERS).map(|_| add_relayer_ix(&admin, Keypair::new().pubkey())).collect();
    for batch in relayers.chunks(8) {
        send(&mut context, batch, &[]).await.expect("sixteen relayers");
    }
    let result = send(&mut context, &[add_relayer_ix(&admin, Keypair::new().pubkey())], &[]).await;
    assert_error(result, ShieldPoolError::RelayerRegistryFull, "a seventeenth relayer");
    assert_eq!(config(&mut context).await.relayer_count, MAX_RELAYERS as u64);
}

#[tokio::test]
async fn the_admin_changes_hands_only_when_the_new_admin_accepts() {
    let mut context = deployed().await;
    let admin = context.payer.pubkey();
    let successor = Keypair::new();
    let started =
        send_for_cpi_events(&mut context, shield_pool::ID, &[transfer_admin_ix(admin, successor.pubkey())], &[]).await;
    assert_emitted(&started, &AdminTransferStarted { admin, pending_admin: successor.pubkey() });
    assert_eq!(config(&mut context).await.admin, admin, "nothing changes before acceptance");

    let impostor = Keypair::new();
    let result = send(&mut context, &[accept_admin_ix(impostor.pubkey())], &[&impostor]).await;
    assert_error(result, ShieldPoolError::NotPendingAdmin, "impostor accepts");
    let accepted =
        send_for_cpi_events(&mut context, shield_pool::ID, &[accept_admin_ix(successor.pubkey())], &[&successor]).await;
    assert_emitted(&accepted, &AdminTransferred { previous_admin: admin, admin: successor.pubkey() });
    let config = config(&mut context).await;
    assert_eq!(config.admin, successor.pubkey());
    assert_eq!(config.pending_admin, Pubkey::default());
}

#[tokio::test]
async fn the_pause_authority_changes_hands_only_when_the_new_key_accepts() {
    let old_key = Keypair::new();
    let mut context = deployed_with(old_key.pubkey()).await;
    let admin = context.payer.pubkey();
    let new_key = Keypair::new();
    let started = send_for_cpi_events(
        &mut context,
        shield_pool::ID,
        &[transfer_pause_authority_ix(admin, new_key.pubkey())],
        &[],
    )
    .await;
    assert_emitted(
        &started,
        &PauseAuthorityTransferStarted { pause_authority: old_key.pubkey(), pending_pause_authority: new_key.pubkey() },
    );
    let impostor = Keypair::new();
    let result = send(&mut context, &[accept_pause_authority_ix(impostor.pubkey())], &[&impostor]).await;
    assert_error(result, ShieldPoolError::NotPendingPauseAuthority, "impostor accepts");

    let accepted = send_for_cpi_events(
        &mut context,
        shield_pool::ID,
        &[accept_pause_authority_ix(new_key.pubkey())],
        &[&new_key],
    )
    .await;
    assert_emitted(
        &accepted,
        &PauseAuthorityTransferred { previous_pause_authority: old_key.pubkey(), pause_authority: new_key.pubkey() },
    );
    let result = send(&mut context, &[pause_ix(old_key.pubkey())], &[&old_key]).await;
    assert_error(result, ShieldPoolError::NotPauseAuthority, "the former pause key");
    send(&mut context, &[pause_ix(new_key.pubkey())], &[&new_key]).await.expect("the new pause key");
}

/// A leaked pause key re-pauses after every unpause; the admin removes it at once, with no delay.
#[tokio::test]
async fn the_admin_revokes_a_leaked_pause_key_at_once() {
    let leaked = Keypair::new();
    let mut context = deployed_with(leaked.pubkey()).await;
    let admin = context.payer.pubkey();
    send(&mut context, &[pause_ix(leaked.pubkey())], &[&leaked]).await.expect("the attacker pauses");
    send(&mut context, &[unpause_ix(admin)], &[]).await.expect("the admin unpauses");
    cloak_program_tests::advance_slots(&mut context, 1).await;
    send(&mut context, &[pause_ix(leaked.pubkey())], &[&leaked]).await.expect("the attacker pauses again");

    let events = send_for_cpi_events(
        &mut context,
        shield_pool::ID,
        &[revoke_pause_authority_ix(admin), unpause_ix(admin)],
        &[],
    )
    .await;
    assert_emitted(&events, &PauseAuthorityRevoked { previous_pause_authority: leaked.pubkey() });
    cloak_program_tests::advance_slots(&mut context, 1).await;
    let result = send(&mut context, &[pause_ix(leaked.pubkey())], &[&leaked]).await;
    assert_error(result, ShieldPoolError::NotPauseAuthority, "the revoked key");
    let config = config(&mut context).await;
    assert!(!config.is_paused());
    assert_eq!(config.pause_authority, Pubkey::default());
}

#[tokio::test]
async fn proofs_of_the_old_ceremony_fail_once_a_new_key_applies() {
    let flow = cloak_program_tests::fixtures::load_flow("sol_flow");
    let mut context = deployed().await;
    let proposed_at = unix_timestamp(&mut context).await + 10;
    propose_at(&mut context, rotated_key(), proposed_at).await;
    apply_at(&mut context, proposed_at + DELAY_SECONDS).await.expect("apply");

    let deposit = flow.step("deposit");
    let result = transact(&mut context, &PoolKeys::native(), &deposit, TransactAccounts::for_step(&deposit)).await;
    assert_error(result, ShieldPoolError::InvalidProof, "proof for the replaced key");
}

#[tokio::test]
async fn the_admin_sets_a_pools_limits_and_announces_them() {
    let mut context = deployed().await;
    let admin = context.payer.pubkey();
    let pool = PoolKeys::native().pool;
    let (max_deposit, max_fee) = (2_500_000_000, 7_500_000);
    let events =
        send_for_cpi_events(&mut context, shield_pool::ID, &[set_pool_limits_ix(admin, pool, max_deposit, max_fee)], &[])
            .await;
    assert_emitted(&events, &PoolLimitsUpdated { pool, max_deposit, max_fee });
    let limits = fetch::<Pool>(&mut context, pool).await;
    assert_eq!((limits.max_deposit, limits.max_fee), (max_deposit, max_fee));
}

#[tokio::test]
async fn the_admin_turns_the_pow_gate_on_and_off_and_announces_each_change() {
    let mut context = deployed().await;
    let admin = context.payer.pubkey();
    assert!(!config(&mut context).await.requires_pow());
    let on = send_for_cpi_events(&mut context, shield_pool::ID, &[set_pow_required_ix(admin, true)], &[]).await;
    assert_emitted(&on, &PowRequirementSet { pow_required: true });
    assert!(config(&mut context).await.requires_pow());

    let off = send_for_cpi_events(&mut context, shield_pool::ID, &[set_pow_required_ix(admin, false)], &[]).await;
    assert_emitted(&off, &PowRequirementSet { pow_required: false });
    assert!(!config(&mut context).await.requires_pow());
}
