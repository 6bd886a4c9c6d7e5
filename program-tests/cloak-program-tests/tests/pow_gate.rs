//! The PoW gate: with `pow_required`, a relayed withdrawal must consume a revealed scramble-registry
//! claim by CPI, and the claim's miner receives its share of the relayer fee.

use cloak_program_tests::fixtures::{load_flow, Flow};
use cloak_program_tests::registry::{
    initialize_registry, miner_pda, mine_and_reveal, register_miner, registry_pda, test_params,
};
use cloak_program_tests::shield::{
    add_relayer, config_pda, deploy_sol_pool, transact, PoolKeys, PowAccounts, TransactAccounts,
};
use cloak_program_tests::{advance_slots, anchor_ix, assert_error, fetch, lamports, send};
use scramble_registry::constants::WILDCARD_BATCH;
use scramble_registry::errors::RegistryError;
use scramble_registry::state::{Claim, Miner, Registry};
use shield_pool::errors::ShieldPoolError;
use solana_program_test::ProgramTestContext;
use solana_sdk::signature::{Keypair, Signer};

/// A SOL pool holding the fixture's deposit, transfer and first withdrawal, then switched to
/// require PoW; a registry consuming for it, and a registered miner.
async fn gated_pool(flow: &Flow) -> (ProgramTestContext, PoolKeys, Keypair) {
    let mut context = cloak_program_tests::start().await;
    let keys = deploy_sol_pool(&mut context, Keypair::new().pubkey(), false).await;
    add_relayer(&mut context, flow.keypair("relayer").pubkey()).await;
    for name in ["deposit", "transfer", "withdraw"] {
        let step = flow.step(name);
        transact(&mut context, &keys, &step, TransactAccounts::for_step(&step))
            .await
            .unwrap_or_else(|error| panic!("{name}: {error:?}"));
    }
    let admin = context.payer.pubkey();
    let require_pow = anchor_ix(
        shield_pool::ID,
        shield_pool::accounts::SetPowRequired {
            config: config_pda(),
            admin,
            event_authority: cloak_program_tests::shield::event_authority_pda(),
            program: shield_pool::ID,
        },
        shield_pool::instruction::SetPowRequired { pow_required: true },
    );
    send(&mut context, &[require_pow], &[]).await.expect("require PoW");
    initialize_registry(&mut context, test_params(config_pda())).await;
    let miner = register_miner(&mut context).await;
    // SlotHashes needs a slot behind the current one to offer.
    advance_slots(&mut context, 2).await;
    (context, keys, miner)
}

fn pow_accounts(miner: &Keypair, claim: solana_sdk::pubkey::Pubkey) -> PowAccounts {
    PowAccounts {
        registry: registry_pda(),
        claim,
        miner: miner_pda(&miner.pubkey()),
        miner_fee_account: miner.pubkey(),
    }
}

#[tokio::test]
async fn a_relayed_withdrawal_consumes_a_claim_and_pays_the_miner_its_share() {
    let flow = load_flow("sol_flow");
    let (mut context, keys, miner) = gated_pool(&flow).await;
    let claim = mine_and_reveal(&mut context, &miner, WILDCARD_BATCH, 4).await.expect("claim");
    let miner_before = lamports(&mut context, miner.pubkey()).await;

    let step = flow.step("pow_withdraw");
    let mut accounts = TransactAccounts::for_step(&step);
    accounts.pow = Some(pow_accounts(&miner, claim));
    transact(&mut context, &keys, &step, accounts).await.expect("gated withdrawal");

    // fee 20_000_000, 20% to the miner; the recipient and relayer already hold the first
    // withdrawal's 500_000_000 and 10_000_000.
    assert_eq!(lamports(&mut context, flow.keypair("recipient").pubkey()).await, 800_000_000);
    assert_eq!(lamports(&mut context, flow.keypair("relayer").pubkey()).await, 26_000_000);
    assert_eq!(lamports(&mut context, miner.pubkey()).await, miner_before + 4_000_000);
    let claim: Claim = fetch(&mut context, claim).await;
    assert_eq!(claim.consumed_count, 1);
    let miner_account: Miner = fetch(&mut context, miner_pda(&miner.pubkey())).await;
    assert_eq!(miner_account.consumptions, 1);
    let registry: Registry = fetch(&mut context, registry_pda()).await;
    assert_eq!(registry.total_consumptions, 1);
}

#[tokio::test]
async fn a_claim_bound_to_the_withdrawals_batch_pays_for_it() {
    let flow = load_flow("sol_flow");
    let (mut context, keys, miner) = gated_pool(&flow).await;
    let step = flow.step("pow_withdraw");
    let batch = step.public_inputs.pow_batch_hash();
    assert_eq!(Some(batch), step.pow_batch_hash, "program and SDK agree on the batch hash");
    let claim = mine_and_reveal(&mut context, &miner, batch, 4).await.expect("claim");

    let mut accounts = TransactAccounts::for_step(&step);
    accounts.pow = Some(pow_accounts(&miner, claim));
    transact(&mut context, &keys, &step, accounts).await.expect("batch-bound claim");
}

#[tokio::test]
async fn a_claim_bound_to_another_batch_is_refused() {
    let flow = load_flow("sol_flow");
    let (mut context, keys, miner) = gated_pool(&flow).await;
    let claim = mine_and_reveal(&mut context, &miner, [7u8; 32], 4).await.expect("claim");
    let step = flow.step("pow_withdraw");
    let mut accounts = TransactAccounts::for_step(&step);
    accounts.pow = Some(pow_accounts(&miner, claim));
    let result = transact(&mut context, &keys, &step, accounts).await;
    assert_error(result, RegistryError::BatchMismatch, "claim for another batch");
}

#[tokio::test]
async fn a_relayed_withdrawal_without_a_claim_is_refused_when_pow_is_required() {
    let flow = load_flow("sol_flow");
    let (mut context, keys, _miner) = gated_pool(&flow).await;
    let step = flow.step("pow_withdraw");
    let result = transact(&mut context, &keys, &step, TransactAccounts::for_step(&step)).await;
    assert_error(result, ShieldPoolError::MissingPowClaim, "no claim");
}

#[tokio::test]
async fn the_miners_share_cannot_be_diverted_to_another_account() {
    let flow = load_flow("sol_flow");
    let (mut context, keys, miner) = gated_pool(&flow).await;
    let claim = mine_and_reveal(&mut context, &miner, WILDCARD_BATCH, 4).await.expect("claim");
    let step = flow.step("pow_withdraw");
    let mut accounts = TransactAccounts::for_step(&step);
    let mut pow = pow_accounts(&miner, claim);
    pow.miner_fee_account = Keypair::new().pubkey();
    accounts.pow = Some(pow);
    let result = transact(&mut context, &keys, &step, accounts).await;
    assert_error(result, ShieldPoolError::MinerAccountMismatch, "diverted miner share");
}
