//! Each way a transact is refused that the flow tests do not reach, one scenario each, plus a
//! nullifier address prefunded to block a spend.

use anchor_lang::error::ErrorCode as AnchorError;
use cloak_program_tests::fixtures::{load_flow, Flow, Step};
use cloak_program_tests::shield::{
    create_mint, create_token_account, initialize_config, mint_to, nullifier_pda, open_token_pool,
    sol_pool_with_relayer, transact, PoolKeys, TransactAccounts,
};
use cloak_program_tests::governance::set_pool_limits_ix;
use cloak_program_tests::{assert_error, assert_program_error, fetch, send};
use shield_pool::errors::ShieldPoolError;
use shield_pool::state::NullifierRecord;
use solana_program_test::{BanksClientError, ProgramTestContext};
use solana_sdk::signature::{Keypair, Signer};

async fn sol_pool(flow: &Flow) -> (ProgramTestContext, PoolKeys) {
    sol_pool_with_relayer(flow.keypair("relayer").pubkey(), false).await
}

/// The fixture's SOL deposit sent with some of the pool's accounts replaced.
async fn deposit_with_keys(context: &mut ProgramTestContext, flow: &Flow, keys: PoolKeys) -> Result<(), BanksClientError> {
    let deposit = flow.step("deposit");
    transact(context, &keys, &deposit, TransactAccounts::for_step(&deposit)).await
}

/// A token pool beside the SOL pool, for its accounts to be substituted.
async fn another_pool(context: &mut ProgramTestContext) -> PoolKeys {
    let mint = Keypair::new();
    create_mint(context, &mint).await;
    open_token_pool(context, mint.pubkey()).await
}

async fn run(context: &mut ProgramTestContext, keys: &PoolKeys, step: &Step) {
    transact(context, keys, step, TransactAccounts::for_step(step))
        .await
        .unwrap_or_else(|error| panic!("{}: {error:?}", step.name));
}

#[tokio::test]
async fn two_equal_nullifiers_are_refused() {
    let flow = load_flow("sol_flow");
    let (mut context, keys) = sol_pool(&flow).await;
    let mut deposit = flow.step("deposit");
    deposit.public_inputs.input_nullifiers[1] = deposit.public_inputs.input_nullifiers[0];
    let result = transact(&mut context, &keys, &deposit, TransactAccounts::for_step(&deposit)).await;
    assert_error(result, ShieldPoolError::DuplicateNullifier, "the same nullifier twice");
}

#[tokio::test]
async fn a_fee_above_the_pools_limit_is_refused() {
    let flow = load_flow("sol_flow");
    let (mut context, keys) = sol_pool(&flow).await;
    run(&mut context, &keys, &flow.step("deposit")).await;
    run(&mut context, &keys, &flow.step("transfer")).await;
    let admin = context.payer.pubkey();
    let limits = set_pool_limits_ix(admin, keys.pool, 10_000_000_000, 9_999_999);
    send(&mut context, &[limits], &[]).await.expect("set limits");
    let withdraw = flow.step("withdraw");
    assert_eq!(withdraw.ext_data.fee, 10_000_000);
    let result = transact(&mut context, &keys, &withdraw, TransactAccounts::for_step(&withdraw)).await;
    assert_error(result, ShieldPoolError::FeeLimitExceeded, "fee one above the limit");
}

#[tokio::test]
async fn an_ext_amount_of_i64_min_is_refused() {
    let flow = load_flow("sol_flow");
    let (mut context, keys) = sol_pool(&flow).await;
    let mut deposit = flow.step("deposit");
    deposit.ext_data.ext_amount = i64::MIN;
    // No recipient account: the amount is refused before any account it would need is looked at.
    let result = transact(&mut context, &keys, &deposit, TransactAccounts::default()).await;
    assert_error(result, ShieldPoolError::InvalidExtAmount, "i64::MIN");
}

#[tokio::test]
async fn a_public_input_outside_the_field_is_refused() {
    let flow = load_flow("sol_flow");
    let (mut context, keys) = sol_pool(&flow).await;
    let mut deposit = flow.step("deposit");
    deposit.public_inputs.output_commitments[0] = [0xff; 32];
    let result = transact(&mut context, &keys, &deposit, TransactAccounts::for_step(&deposit)).await;
    assert_error(result, ShieldPoolError::NotAFieldElement, "commitment above the modulus");
}

#[tokio::test]
async fn a_spend_goes_through_although_its_nullifier_address_was_prefunded() {
    let flow = load_flow("sol_flow");
    let (mut context, keys) = sol_pool(&flow).await;
    let deposit = flow.step("deposit");
    let nullifier = nullifier_pda(&keys.pool, &deposit.public_inputs.input_nullifiers[0]);
    let payer = context.payer.pubkey();
    let grief = anchor_lang::solana_program::system_instruction::transfer(&payer, &nullifier, 5_000_000);
    send(&mut context, &[grief], &[]).await.expect("prefund the nullifier address");
    run(&mut context, &keys, &deposit).await;
    let record: NullifierRecord = fetch(&mut context, nullifier).await;
    assert_eq!(record.pool, keys.pool);
}

#[tokio::test]
async fn another_pools_tree_is_refused() {
    let flow = load_flow("sol_flow");
    let (mut context, keys) = sol_pool(&flow).await;
    let other = another_pool(&mut context).await;
    let result = deposit_with_keys(&mut context, &flow, PoolKeys { tree: other.tree, ..keys }).await;
    assert_program_error(result, shield_pool::ID, AnchorError::ConstraintHasOne, "another pool's tree");
}

#[tokio::test]
async fn another_vault_is_refused() {
    let flow = load_flow("sol_flow");
    let (mut context, keys) = sol_pool(&flow).await;
    let result = deposit_with_keys(&mut context, &flow, PoolKeys { vault: Keypair::new().pubkey(), ..keys }).await;
    assert_program_error(result, shield_pool::ID, AnchorError::ConstraintHasOne, "a stranger's account as the vault");
}

#[tokio::test]
async fn another_pool_with_this_pools_tree_and_vault_is_refused() {
    let flow = load_flow("sol_flow");
    let (mut context, keys) = sol_pool(&flow).await;
    let other = another_pool(&mut context).await;
    let result = deposit_with_keys(&mut context, &flow, PoolKeys { pool: other.pool, mint: other.mint, ..keys }).await;
    assert_program_error(result, shield_pool::ID, AnchorError::ConstraintHasOne, "the token pool with the SOL pool's tree and vault");
}

#[tokio::test]
async fn a_proof_made_for_one_pool_is_refused_in_another() {
    let flow = load_flow("sol_flow");
    let mut context = cloak_program_tests::start().await;
    initialize_config(&mut context, Keypair::new().pubkey(), false).await;
    let mint = Keypair::new();
    create_mint(&mut context, &mint).await;
    let token_pool = open_token_pool(&mut context, mint.pubkey()).await;
    let payer = context.payer.pubkey();
    let depositor = Keypair::new();
    create_token_account(&mut context, &depositor, &mint.pubkey(), &payer).await;
    mint_to(&mut context, &mint.pubkey(), &depositor.pubkey(), 1_000_000_000).await;
    // The SOL pool's deposit names the empty root, which every fresh pool also has at slot 0; only the
    // pool in the ext_data hash tells them apart.
    let deposit = flow.step("deposit");
    let accounts = TransactAccounts { depositor_token_account: Some(depositor.pubkey()), ..TransactAccounts::default() };
    let result = transact(&mut context, &token_pool, &deposit, accounts).await;
    assert_error(result, ShieldPoolError::InvalidProof, "SOL-pool proof in a token pool");
}

async fn token_pool_with_deposit_funds() -> (Flow, ProgramTestContext, PoolKeys, Keypair) {
    let flow = load_flow("token_flow");
    let mut context = cloak_program_tests::start().await;
    let mint = flow.keypair("mint");
    create_mint(&mut context, &mint).await;
    initialize_config(&mut context, Keypair::new().pubkey(), false).await;
    let keys = open_token_pool(&mut context, mint.pubkey()).await;
    let payer = context.payer.pubkey();
    let depositor = Keypair::new();
    create_token_account(&mut context, &depositor, &mint.pubkey(), &payer).await;
    mint_to(&mut context, &mint.pubkey(), &depositor.pubkey(), 1_000_000).await;
    (flow, context, keys, depositor)
}

#[tokio::test]
async fn a_token_deposit_without_the_token_program_is_refused() {
    let (flow, mut context, keys, depositor) = token_pool_with_deposit_funds().await;
    let deposit = flow.step("deposit");
    let accounts = TransactAccounts {
        depositor_token_account: Some(depositor.pubkey()),
        omit_token_program: true,
        ..TransactAccounts::default()
    };
    let result = transact(&mut context, &keys, &deposit, accounts).await;
    assert_error(result, ShieldPoolError::MissingTokenProgram, "no token program");
}

#[tokio::test]
async fn a_token_deposit_without_the_depositors_token_account_is_refused() {
    let (flow, mut context, keys, _depositor) = token_pool_with_deposit_funds().await;
    let deposit = flow.step("deposit");
    let result = transact(&mut context, &keys, &deposit, TransactAccounts::default()).await;
    assert_error(result, ShieldPoolError::MissingDepositorTokenAccount, "no depositor token account");
}
