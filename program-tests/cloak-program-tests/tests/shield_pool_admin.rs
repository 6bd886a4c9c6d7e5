//! Governance of the shield pool: relayer registry, verifying-key rotation with its delay, pause
//! rights and the two-step admin handover.

use cloak_program_tests::shield::{add_relayer_ix, config_pda, deploy_sol_pool, DELAY_SLOTS};
use cloak_program_tests::{advance_slots, anchor_ix, assert_error, fetch_zero_copy, send};
use shield_pool::errors::ShieldPoolError;
use shield_pool::state::{Config, VerifyingKeyData, VerifyingKeyInput};
use solana_program_test::ProgramTestContext;
use solana_sdk::signature::{Keypair, Signer};

async fn deployed() -> ProgramTestContext {
    let mut context = cloak_program_tests::start().await;
    deploy_sol_pool(&mut context, Keypair::new().pubkey(), false).await;
    context
}

async fn config(context: &mut ProgramTestContext) -> Config {
    fetch_zero_copy(context, config_pda()).await
}

fn rotated_key() -> VerifyingKeyInput {
    let current = VerifyingKeyData::from_key(&cloak_zk::verifying_key::VERIFYING_KEY);
    // Another valid key shape: gamma and delta swapped. Proofs of our ceremony no longer verify.
    VerifyingKeyInput {
        alpha_g1: current.alpha_g1,
        beta_g2: current.beta_g2,
        gamma_g2: current.delta_g2,
        delta_g2: current.gamma_g2,
        ic: current.ic,
    }
}

fn propose_ix(admin: solana_sdk::pubkey::Pubkey, key: VerifyingKeyInput) -> solana_sdk::instruction::Instruction {
    anchor_ix(
        shield_pool::ID,
        shield_pool::accounts::ProposeVerifyingKey { config: config_pda(), admin },
        shield_pool::instruction::ProposeVerifyingKey { verifying_key: key },
    )
}

fn apply_ix(admin: solana_sdk::pubkey::Pubkey) -> solana_sdk::instruction::Instruction {
    anchor_ix(
        shield_pool::ID,
        shield_pool::accounts::ApplyVerifyingKey { config: config_pda(), admin },
        shield_pool::instruction::ApplyVerifyingKey {},
    )
}

#[tokio::test]
async fn initialize_installs_the_ceremony_key_and_the_signer_as_admin() {
    let mut context = deployed().await;
    let config = config(&mut context).await;
    assert_eq!(config.admin, context.payer.pubkey());
    assert_eq!(
        config.verifying_key,
        VerifyingKeyData::from_key(&cloak_zk::verifying_key::VERIFYING_KEY)
    );
    assert_eq!(config.verifying_key_delay_slots, DELAY_SLOTS);
    assert!(!config.is_paused());
}

#[tokio::test]
async fn a_verifying_key_cannot_be_applied_before_its_delay() {
    let mut context = deployed().await;
    let admin = context.payer.pubkey();
    send(&mut context, &[propose_ix(admin, rotated_key())], &[]).await.expect("propose");
    let early = send(&mut context, &[apply_ix(admin)], &[]).await;
    assert_error(early, ShieldPoolError::VerifyingKeyNotReady, "apply before the delay");
    assert_eq!(
        config(&mut context).await.verifying_key,
        VerifyingKeyData::from_key(&cloak_zk::verifying_key::VERIFYING_KEY),
        "the current key is unchanged"
    );
}

#[tokio::test]
async fn a_verifying_key_applies_once_its_delay_has_passed() {
    let mut context = deployed().await;
    let admin = context.payer.pubkey();
    send(&mut context, &[propose_ix(admin, rotated_key())], &[]).await.expect("propose");
    advance_slots(&mut context, DELAY_SLOTS + 1).await;
    send(&mut context, &[apply_ix(admin)], &[]).await.expect("apply after the delay");
    let config = config(&mut context).await;
    assert_eq!(config.verifying_key, VerifyingKeyData::from(&rotated_key()));
    assert!(!config.has_pending_verifying_key());
}

#[tokio::test]
async fn applying_without_a_proposal_is_refused() {
    let mut context = deployed().await;
    let admin = context.payer.pubkey();
    let result = send(&mut context, &[apply_ix(admin)], &[]).await;
    assert_error(result, ShieldPoolError::NoPendingVerifyingKey, "nothing proposed");
}

#[tokio::test]
async fn only_the_admin_proposes_a_verifying_key() {
    let mut context = deployed().await;
    let stranger = Keypair::new();
    let result = send(&mut context, &[propose_ix(stranger.pubkey(), rotated_key())], &[&stranger]).await;
    assert_error(result, ShieldPoolError::NotAdmin, "stranger proposes");
}

#[tokio::test]
async fn relayers_are_added_and_removed_by_the_admin_only() {
    let mut context = deployed().await;
    let admin = context.payer.pubkey();
    let (first, second) = (Keypair::new().pubkey(), Keypair::new().pubkey());
    send(&mut context, &[add_relayer_ix(&admin, first), add_relayer_ix(&admin, second)], &[])
        .await
        .expect("add relayers");
    let duplicate = send(&mut context, &[add_relayer_ix(&admin, first)], &[]).await;
    assert_error(duplicate, ShieldPoolError::RelayerAlreadyRegistered, "duplicate relayer");

    let remove = anchor_ix(
        shield_pool::ID,
        shield_pool::accounts::RemoveRelayer { config: config_pda(), admin },
        shield_pool::instruction::RemoveRelayer { relayer: first },
    );
    send(&mut context, &[remove], &[]).await.expect("remove relayer");
    assert_eq!(config(&mut context).await.registered_relayers(), &[second]);

    let stranger = Keypair::new();
    let result = send(&mut context, &[add_relayer_ix(&stranger.pubkey(), first)], &[&stranger]).await;
    assert_error(result, ShieldPoolError::NotAdmin, "stranger adds a relayer");
}

#[tokio::test]
async fn a_stranger_cannot_pause() {
    let mut context = deployed().await;
    let stranger = Keypair::new();
    let pause = anchor_ix(
        shield_pool::ID,
        shield_pool::accounts::Pause { config: config_pda(), authority: stranger.pubkey() },
        shield_pool::instruction::Pause {},
    );
    let result = send(&mut context, &[pause], &[&stranger]).await;
    assert_error(result, ShieldPoolError::NotPauseAuthority, "stranger pauses");
}

#[tokio::test]
async fn the_admin_changes_hands_only_when_the_new_admin_accepts() {
    let mut context = deployed().await;
    let admin = context.payer.pubkey();
    let successor = Keypair::new();
    let transfer = anchor_ix(
        shield_pool::ID,
        shield_pool::accounts::TransferAdmin { config: config_pda(), admin },
        shield_pool::instruction::TransferAdmin { new_admin: successor.pubkey() },
    );
    send(&mut context, &[transfer], &[]).await.expect("transfer admin");
    assert_eq!(config(&mut context).await.admin, admin, "nothing changes before acceptance");

    let impostor = Keypair::new();
    let accept = |signer: &Keypair| {
        anchor_ix(
            shield_pool::ID,
            shield_pool::accounts::AcceptAdmin { config: config_pda(), pending_admin: signer.pubkey() },
            shield_pool::instruction::AcceptAdmin {},
        )
    };
    let result = send(&mut context, &[accept(&impostor)], &[&impostor]).await;
    assert_error(result, ShieldPoolError::NotPendingAdmin, "impostor accepts");
    send(&mut context, &[accept(&successor)], &[&successor]).await.expect("accept");
    let config = config(&mut context).await;
    assert_eq!(config.admin, successor.pubkey());
    assert_eq!(config.pending_admin, Default::default());
}

#[tokio::test]
async fn proofs_of_the_old_ceremony_fail_once_a_new_key_applies() {
    let flow = cloak_program_tests::fixtures::load_flow("sol_flow");
    let mut context = deployed().await;
    let admin = context.payer.pubkey();
    send(&mut context, &[propose_ix(admin, rotated_key())], &[]).await.expect("propose");
    advance_slots(&mut context, DELAY_SLOTS + 1).await;
    send(&mut context, &[apply_ix(admin)], &[]).await.expect("apply");

    let deposit = flow.step("deposit");
    let keys = cloak_program_tests::shield::PoolKeys::native();
    let accounts = cloak_program_tests::shield::TransactAccounts::for_step(&deposit);
    let result = cloak_program_tests::shield::transact(&mut context, &keys, &deposit, accounts).await;
    assert_error(result, ShieldPoolError::InvalidProof, "proof for the replaced key");
}
