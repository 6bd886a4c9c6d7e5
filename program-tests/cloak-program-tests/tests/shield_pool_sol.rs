//! The SOL pool end to end with real proofs from the SDK (fixtures/sol_flow.json), and each way a
//! transact is refused.

use cloak_program_tests::fixtures::{load_flow, Flow, Step};
use cloak_program_tests::shield::{
    deploy_sol_pool, nullifier_pda, sol_pool_with_relayer, transact, PoolKeys, TransactAccounts,
};
use cloak_program_tests::{
    account_exists, anchor_ix, assert_error, fetch, fetch_zero_copy, lamports, send,
};
use shield_pool::errors::ShieldPoolError;
use shield_pool::state::{CommitmentTree, NullifierRecord};
use solana_program_test::ProgramTestContext;
use solana_sdk::signature::{Keypair, Signer};

fn flow() -> Flow {
    load_flow("sol_flow")
}

async fn pool_with_relayer(flow: &Flow) -> (ProgramTestContext, PoolKeys) {
    let (context, keys) = sol_pool_with_relayer(flow.keypair("relayer").pubkey(), false).await;
    assert_eq!(keys.pool, flow.pool, "fixture and harness derive the same pool");
    (context, keys)
}

async fn run(context: &mut ProgramTestContext, keys: &PoolKeys, step: &Step) {
    transact(context, keys, step, TransactAccounts::for_step(step))
        .await
        .unwrap_or_else(|error| panic!("{}: {error:?}", step.name));
}

async fn tree_root(context: &mut ProgramTestContext, keys: &PoolKeys) -> ([u8; 32], u64) {
    let tree: CommitmentTree = fetch_zero_copy(context, keys.tree).await;
    (tree.merkle().root(), tree.merkle().next_index())
}

#[tokio::test]
async fn deposit_transfer_and_relayed_withdraw_move_sol_and_grow_the_tree() {
    let flow = flow();
    let (mut context, keys) = pool_with_relayer(&flow).await;
    let relayer = flow.keypair("relayer").pubkey();
    let recipient = flow.keypair("recipient").pubkey();
    let vault_start = lamports(&mut context, keys.vault).await;
    let relayer_start = lamports(&mut context, relayer).await;

    let deposit = flow.step("deposit");
    run(&mut context, &keys, &deposit).await;
    assert_eq!(lamports(&mut context, keys.vault).await, vault_start + 1_000_000_000);
    assert_eq!(tree_root(&mut context, &keys).await, (deposit.root_after, 2));

    let transfer = flow.step("transfer");
    run(&mut context, &keys, &transfer).await;
    assert_eq!(lamports(&mut context, keys.vault).await, vault_start + 1_000_000_000);
    assert_eq!(tree_root(&mut context, &keys).await, (transfer.root_after, 4));

    let withdraw = flow.step("withdraw");
    run(&mut context, &keys, &withdraw).await;
    assert_eq!(lamports(&mut context, recipient).await, 500_000_000);
    // The relayer signed the withdrawal, so it paid the two nullifier records' rent.
    let nullifier_rent = cloak_program_tests::shield::nullifier_rent(&mut context).await;
    assert_eq!(lamports(&mut context, relayer).await, relayer_start + 10_000_000 - 2 * nullifier_rent);
    assert_eq!(lamports(&mut context, keys.vault).await, vault_start + 490_000_000);
    assert_eq!(tree_root(&mut context, &keys).await, (withdraw.root_after, 6));

    for nullifier in withdraw.public_inputs.input_nullifiers {
        let record: NullifierRecord = fetch(&mut context, nullifier_pda(&keys.pool, &nullifier)).await;
        assert_eq!(record.pool, keys.pool);
    }
}

#[tokio::test]
async fn a_spent_note_cannot_be_spent_again() {
    let flow = flow();
    let (mut context, keys) = pool_with_relayer(&flow).await;
    run(&mut context, &keys, &flow.step("deposit")).await;
    let transfer = flow.step("transfer");
    run(&mut context, &keys, &transfer).await;
    cloak_program_tests::advance_slots(&mut context, 1).await;

    let replay = transact(&mut context, &keys, &transfer, TransactAccounts::for_step(&transfer)).await;
    assert_error(replay, ShieldPoolError::NullifierAlreadySpent, "replayed transfer");
}

#[tokio::test]
async fn a_tampered_proof_is_refused() {
    let flow = flow();
    let (mut context, keys) = pool_with_relayer(&flow).await;
    let mut deposit = flow.step("deposit");
    // Swap A's coordinates: still a valid encoding of field elements, no longer the proof.
    let (x, y) = deposit.proof[..64].split_at(32);
    let swapped: Vec<u8> = [y, x].concat();
    deposit.proof[..64].copy_from_slice(&swapped);
    let result = transact(&mut context, &keys, &deposit, TransactAccounts::for_step(&deposit)).await;
    assert_error(result, ShieldPoolError::InvalidProof, "tampered proof");
    assert_eq!(tree_root(&mut context, &keys).await.1, 0, "nothing was inserted");
}

#[tokio::test]
async fn a_proof_against_an_unknown_root_is_refused() {
    let flow = flow();
    let (mut context, keys) = pool_with_relayer(&flow).await;
    // The transfer proves membership in the tree after the deposit, which this pool never had.
    let transfer = flow.step("transfer");
    let result = transact(&mut context, &keys, &transfer, TransactAccounts::for_step(&transfer)).await;
    assert_error(result, ShieldPoolError::UnknownRoot, "unknown root");
}

#[tokio::test]
async fn tampered_ext_data_is_refused() {
    let flow = flow();
    let (mut context, keys) = pool_with_relayer(&flow).await;
    run(&mut context, &keys, &flow.step("deposit")).await;
    run(&mut context, &keys, &flow.step("transfer")).await;
    let mut withdraw = flow.step("withdraw");
    // Redirect the withdrawal: the hash the proof commits to no longer matches.
    withdraw.ext_data.recipient = Keypair::new().pubkey();
    let result = transact(&mut context, &keys, &withdraw, TransactAccounts::for_step(&withdraw)).await;
    // The program hashes the ext_data it received, so the proof no longer verifies.
    assert_error(result, ShieldPoolError::InvalidProof, "redirected recipient");
}

#[tokio::test]
async fn a_deposit_short_of_the_proven_amount_is_refused() {
    let flow = flow();
    let (mut context, keys) = pool_with_relayer(&flow).await;
    let mut deposit = flow.step("deposit");
    deposit.ext_data.ext_amount -= 1;
    let result = transact(&mut context, &keys, &deposit, TransactAccounts::for_step(&deposit)).await;
    // The public amount the program derives from ext_amount - fee no longer matches the proof's.
    assert_error(result, ShieldPoolError::InvalidProof, "short deposit");
}

#[tokio::test]
async fn transact_is_refused_while_paused_and_accepted_after_unpause() {
    let flow = flow();
    let mut context = cloak_program_tests::start().await;
    let pause_authority = Keypair::new();
    let keys = deploy_sol_pool(&mut context, pause_authority.pubkey(), false).await;
    let config = cloak_program_tests::shield::config_pda();
    let pause = anchor_ix(
        shield_pool::ID,
        shield_pool::accounts::Pause {
            config,
            authority: pause_authority.pubkey(),
            event_authority: cloak_program_tests::shield::event_authority_pda(),
            program: shield_pool::ID,
        },
        shield_pool::instruction::Pause {},
    );
    send(&mut context, &[pause], &[&pause_authority]).await.expect("pause");

    let deposit = flow.step("deposit");
    let result = transact(&mut context, &keys, &deposit, TransactAccounts::for_step(&deposit)).await;
    assert_error(result, ShieldPoolError::Paused, "paused pool");

    let admin = context.payer.pubkey();
    let unpause = anchor_ix(
        shield_pool::ID,
        shield_pool::accounts::Unpause {
            config,
            admin,
            event_authority: cloak_program_tests::shield::event_authority_pda(),
            program: shield_pool::ID,
        },
        shield_pool::instruction::Unpause {},
    );
    send(&mut context, &[unpause], &[]).await.expect("unpause");
    // A fresh blockhash, or the bank would answer the identical transaction from its status cache.
    cloak_program_tests::advance_slots(&mut context, 1).await;
    run(&mut context, &keys, &deposit).await;
}

#[tokio::test]
async fn a_fee_to_an_unregistered_relayer_is_refused() {
    let flow = flow();
    let mut context = cloak_program_tests::start().await;
    let keys = deploy_sol_pool(&mut context, Keypair::new().pubkey(), false).await;
    run(&mut context, &keys, &flow.step("deposit")).await;
    run(&mut context, &keys, &flow.step("transfer")).await;
    let withdraw = flow.step("withdraw");
    let result = transact(&mut context, &keys, &withdraw, TransactAccounts::for_step(&withdraw)).await;
    assert_error(result, ShieldPoolError::RelayerNotRegistered, "unregistered relayer");
    assert!(!account_exists(&mut context, nullifier_pda(&keys.pool, &withdraw.public_inputs.input_nullifiers[0])).await);
}

#[tokio::test]
async fn a_withdrawal_to_another_recipient_account_is_refused() {
    let flow = flow();
    let (mut context, keys) = pool_with_relayer(&flow).await;
    run(&mut context, &keys, &flow.step("deposit")).await;
    run(&mut context, &keys, &flow.step("transfer")).await;
    let withdraw = flow.step("withdraw");
    let mut accounts = TransactAccounts::for_step(&withdraw);
    accounts.recipient = Some(Keypair::new().pubkey());
    let result = transact(&mut context, &keys, &withdraw, accounts).await;
    assert_error(result, ShieldPoolError::RecipientMismatch, "swapped recipient account");
}

#[tokio::test]
async fn a_deposit_above_the_pool_limit_is_refused() {
    let flow = flow();
    let (mut context, keys) = pool_with_relayer(&flow).await;
    let admin = context.payer.pubkey();
    let limits = anchor_ix(
        shield_pool::ID,
        shield_pool::accounts::SetPoolLimits {
            config: cloak_program_tests::shield::config_pda(),
            pool: keys.pool,
            admin,
            event_authority: cloak_program_tests::shield::event_authority_pda(),
            program: shield_pool::ID,
        },
        shield_pool::instruction::SetPoolLimits { max_deposit: 999_999_999, max_fee: 0 },
    );
    send(&mut context, &[limits], &[]).await.expect("set limits");
    let deposit = flow.step("deposit");
    let result = transact(&mut context, &keys, &deposit, TransactAccounts::for_step(&deposit)).await;
    assert_error(result, ShieldPoolError::DepositLimitExceeded, "deposit over the limit");
}

#[tokio::test]
async fn the_transacted_event_carries_what_an_indexer_and_a_wallet_need() {
    use anchor_lang::{AnchorDeserialize, Discriminator};
    use shield_pool::events::Transacted;
    let flow = flow();
    let (mut context, keys) = pool_with_relayer(&flow).await;
    let deposit = flow.step("deposit");
    let payer = context.payer.pubkey();
    let instruction = cloak_program_tests::shield::transact_ix(&keys, &payer, &deposit, TransactAccounts::for_step(&deposit));
    let events = cloak_program_tests::simulate_cpi_events(&mut context, shield_pool::ID, &[instruction], &[]).await;
    let data = events
        .iter()
        .find(|event| event.starts_with(Transacted::DISCRIMINATOR))
        .expect("a Transacted event");
    let event = Transacted::deserialize(&mut &data[8..]).expect("decodes");
    assert_eq!(event.pool, keys.pool);
    assert_eq!(event.input_nullifiers, deposit.public_inputs.input_nullifiers);
    assert_eq!(event.output_commitments, deposit.public_inputs.output_commitments);
    assert_eq!(event.first_leaf_index, deposit.first_leaf_index);
    assert_eq!(event.encrypted_outputs, [deposit.ext_data.encrypted_output1, deposit.ext_data.encrypted_output2]);
    assert_eq!(event.new_root, deposit.root_after);
    assert_eq!(event.ext_amount, deposit.ext_data.ext_amount);
    assert_eq!(event.pow_claim, None);
}
