//! An SPL token pool end to end with real proofs (fixtures/token_flow.json).

use cloak_program_tests::fixtures::{load_flow, Flow};
use cloak_program_tests::shield::{
    add_relayer, create_mint, create_token_account, deploy_token_pool, mint_to, token_balance,
    transact, PoolKeys, TransactAccounts,
};
use cloak_program_tests::assert_error;
use shield_pool::errors::ShieldPoolError;
use solana_program_test::ProgramTestContext;
use solana_sdk::signature::{Keypair, Signer};

/// The fixture's token pool with a registered relayer, a depositor token account of the payer
/// holding the fixture's deposit, and the fixture's withdrawal recipient account (owned by a stranger).
async fn token_pool() -> (Flow, ProgramTestContext, PoolKeys, Keypair, Keypair) {
    let flow = load_flow("token_flow");
    let mut context = cloak_program_tests::start().await;
    let mint = flow.keypair("mint");
    create_mint(&mut context, &mint).await;
    let keys = deploy_token_pool(&mut context, mint.pubkey(), Keypair::new().pubkey()).await;
    assert_eq!(keys.pool, flow.pool, "fixture and harness derive the same pool");
    add_relayer(&mut context, flow.keypair("relayer").pubkey()).await;
    let payer = context.payer.pubkey();
    let depositor_account = Keypair::new();
    create_token_account(&mut context, &depositor_account, &mint.pubkey(), &payer).await;
    mint_to(&mut context, &mint.pubkey(), &depositor_account.pubkey(), 1_000_000).await;
    let recipient_account = flow.keypair("tokenRecipientAccount");
    create_token_account(&mut context, &recipient_account, &mint.pubkey(), &Keypair::new().pubkey()).await;
    (flow, context, keys, depositor_account, recipient_account)
}

#[tokio::test]
async fn token_deposit_and_relayed_withdraw_move_tokens_through_the_vault() {
    let (flow, mut context, keys, depositor_account, recipient_account) = token_pool().await;
    let mint = flow.keypair("mint");
    let relayer = flow.keypair("relayer").pubkey();
    let relayer_account = Keypair::new();
    create_token_account(&mut context, &relayer_account, &mint.pubkey(), &relayer).await;

    let deposit = flow.step("deposit");
    let accounts = TransactAccounts {
        depositor_token_account: Some(depositor_account.pubkey()),
        ..TransactAccounts::default()
    };
    transact(&mut context, &keys, &deposit, accounts).await.expect("token deposit");
    assert_eq!(token_balance(&mut context, &depositor_account.pubkey()).await, 0);
    assert_eq!(token_balance(&mut context, &keys.vault).await, 1_000_000);

    let withdraw = flow.step("withdraw");
    let accounts = TransactAccounts {
        recipient: Some(recipient_account.pubkey()),
        relayer_fee_account: Some(relayer_account.pubkey()),
        ..TransactAccounts::default()
    };
    transact(&mut context, &keys, &withdraw, accounts).await.expect("token withdraw");
    assert_eq!(token_balance(&mut context, &recipient_account.pubkey()).await, 700_000);
    assert_eq!(token_balance(&mut context, &relayer_account.pubkey()).await, 50_000);
    assert_eq!(token_balance(&mut context, &keys.vault).await, 250_000);
}

#[tokio::test]
async fn a_token_fee_to_an_account_the_relayer_does_not_own_is_refused() {
    let (flow, mut context, keys, depositor_account, recipient_account) = token_pool().await;
    let deposit = flow.step("deposit");
    let accounts = TransactAccounts {
        depositor_token_account: Some(depositor_account.pubkey()),
        ..TransactAccounts::default()
    };
    transact(&mut context, &keys, &deposit, accounts).await.expect("token deposit");

    // The payer's own token account, not the registered relayer's.
    let withdraw = flow.step("withdraw");
    let accounts = TransactAccounts {
        recipient: Some(recipient_account.pubkey()),
        relayer_fee_account: Some(depositor_account.pubkey()),
        ..TransactAccounts::default()
    };
    let result = transact(&mut context, &keys, &withdraw, accounts).await;
    assert_error(result, ShieldPoolError::RelayerAccountMismatch, "fee to a foreign token account");
}
