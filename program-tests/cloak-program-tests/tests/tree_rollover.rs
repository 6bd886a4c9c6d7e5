//! A full tree does not lock the pool: the next pair opens tree 1, and notes of the full tree stay
//! spendable against its final root, which the tree account keeps (fixtures/rollover_flow.json).

use cloak_program_tests::fixtures::{load_flow, Flow, Step};
use cloak_program_tests::shield::{
    deploy_sol_pool, fill_tree_but_last_pair, sol_pool_with_relayer, transact, transact_ix, PoolKeys,
    TransactAccounts,
};
use cloak_program_tests::{account_data, assert_error, fetch_zero_copy, lamports};
use shield_pool::constants::ROOT_HISTORY_SIZE;
use shield_pool::errors::ShieldPoolError;
use shield_pool::state::CommitmentTree;
use solana_program_test::ProgramTestContext;
use solana_sdk::signature::{Keypair, Signer};

const CAPACITY: u64 = 1 << cloak_zk::tree::TREE_DEPTH;

/// The SOL pool with its tree one pair short of full, and the flow's relayer registered.
async fn nearly_full_pool(flow: &Flow) -> (ProgramTestContext, PoolKeys) {
    let (mut context, keys) = sol_pool_with_relayer(flow.keypair("relayer").pubkey(), false).await;
    assert_eq!(keys.pool, flow.pool, "fixture and harness derive the same pool");
    fill_tree_but_last_pair(&mut context, &keys).await;
    (context, keys)
}

async fn run(context: &mut ProgramTestContext, keys: &PoolKeys, step: &Step) {
    transact(context, keys, step, TransactAccounts::for_step(step))
        .await
        .unwrap_or_else(|error| panic!("{}: {error:?}", step.name));
}

/// (tree number, next index, current root) of the pool's tree.
async fn tree_state(context: &mut ProgramTestContext, keys: &PoolKeys) -> (u64, u64, [u8; 32]) {
    let tree: CommitmentTree = fetch_zero_copy(context, keys.tree).await;
    let merkle = tree.merkle();
    (merkle.tree_number(), merkle.next_index(), merkle.root())
}

#[tokio::test]
async fn a_full_tree_rolls_over_and_its_notes_stay_spendable_against_its_final_root() {
    let flow = load_flow("rollover_flow");
    let (mut context, keys) = nearly_full_pool(&flow).await;
    let fill = flow.step("fill");
    assert_eq!(fill.first_leaf_index, CAPACITY - 2);
    run(&mut context, &keys, &fill).await;
    assert_eq!(tree_state(&mut context, &keys).await, (0, CAPACITY, fill.root_after));
    assert_eq!(account_data(&mut context, keys.tree).await.len(), CommitmentTree::SPACE);

    let rollover = flow.step("rollover_transfer");
    run(&mut context, &keys, &rollover).await;
    assert_eq!(tree_state(&mut context, &keys).await, (1, 2, rollover.root_after));
    // The account grew by one root, rent paid, holding the full tree's final root.
    let data = account_data(&mut context, keys.tree).await;
    assert_eq!(data.len(), CommitmentTree::SPACE + 32);
    assert_eq!(data[CommitmentTree::retired_root_offset(0)..][..32], fill.root_after);
    let rent = context.banks_client.get_rent().await.expect("rent");
    assert_eq!(lamports(&mut context, keys.tree).await, rent.minimum_balance(CommitmentTree::SPACE + 32));

    let withdraw = flow.step("old_tree_withdraw");
    assert_eq!(withdraw.public_inputs.root_index, ROOT_HISTORY_SIZE as u32, "retired tree 0");
    assert_eq!(withdraw.public_inputs.root, fill.root_after);
    run(&mut context, &keys, &withdraw).await;
    assert_eq!(lamports(&mut context, flow.keypair("recipient").pubkey()).await, 400_000_000);
    assert_eq!(tree_state(&mut context, &keys).await, (1, 4, withdraw.root_after));
}

#[tokio::test]
async fn the_transacted_event_places_the_leaves_in_the_new_tree_and_names_the_retired_root() {
    use anchor_lang::{AnchorDeserialize, Discriminator};
    use shield_pool::events::Transacted;
    let flow = load_flow("rollover_flow");
    let (mut context, keys) = nearly_full_pool(&flow).await;
    run(&mut context, &keys, &flow.step("fill")).await;
    let rollover = flow.step("rollover_transfer");
    let relayer = flow.keypair("relayer");
    let instruction = transact_ix(&keys, &relayer.pubkey(), &rollover, TransactAccounts::for_step(&rollover));
    let events = cloak_program_tests::simulate_cpi_events(&mut context, shield_pool::ID, &[instruction], &[&relayer]).await;
    let data = events.iter().find(|event| event.starts_with(Transacted::DISCRIMINATOR)).expect("a Transacted event");
    let event = Transacted::deserialize(&mut &data[8..]).expect("decodes");
    assert_eq!((event.pool, event.tree_number, event.first_leaf_index), (keys.pool, 1, 0));
    assert_eq!(event.retired_root, Some(flow.step("fill").root_after));
    assert_eq!(event.new_root, rollover.root_after);
}

#[tokio::test]
async fn a_retired_root_index_is_refused_before_that_tree_is_retired() {
    let flow = load_flow("rollover_flow");
    let (mut context, keys) = nearly_full_pool(&flow).await;
    run(&mut context, &keys, &flow.step("fill")).await;
    // The full tree's root is in the ring, but no tree has been retired yet.
    let withdraw = flow.step("old_tree_withdraw");
    let result = transact(&mut context, &keys, &withdraw, TransactAccounts::for_step(&withdraw)).await;
    assert_error(result, ShieldPoolError::UnknownRoot, "root index of a tree not yet retired");
}

#[tokio::test]
async fn a_known_root_named_at_another_position_is_refused() {
    let flow = load_flow("sol_flow");
    let mut context = cloak_program_tests::start().await;
    let keys = deploy_sol_pool(&mut context, Keypair::new().pubkey(), false).await;
    let mut deposit = flow.step("deposit");
    // The empty root is at ring slot 0; the program looks only where the client points.
    deposit.public_inputs.root_index = 1;
    let result = transact(&mut context, &keys, &deposit, TransactAccounts::for_step(&deposit)).await;
    assert_error(result, ShieldPoolError::UnknownRoot, "root at the wrong position");
}
