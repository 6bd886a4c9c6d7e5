//! The PoW gate: with `pow_required`, every transact paying a fee must consume a revealed
//! scramble-registry claim by CPI, signed by the relayer that takes the fee, and the claim's miner
//! receives its share of the fee (at most half).

use cloak_program_tests::fixtures::{load_flow, Flow};
use cloak_program_tests::registry::{
    claim_pda, initialize_registry, mine_and_reveal, mine_claim_ix, miner_pda, recent_slot_hash, register_miner,
    registry_pda, search_nonce, test_params,
};
use cloak_program_tests::shield::{
    add_relayer, config_pda, create_mint, create_token_account, deploy_token_pool,
    fill_tree_but_last_pair, mint_to, sol_pool_with_relayer, token_balance, transact, transact_signed_by, PoolKeys,
    PowAccounts, TransactAccounts,
};
use shield_pool::constants::MAX_MINER_FEE_SHARE_BPS;
use solana_program_test::BanksClientError;
use solana_sdk::pubkey::Pubkey;
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
    let (mut context, keys) = sol_pool_with_relayer(flow.keypair("relayer").pubkey(), false).await;
    for name in ["deposit", "transfer", "withdraw"] {
        let step = flow.step(name);
        transact(&mut context, &keys, &step, TransactAccounts::for_step(&step))
            .await
            .unwrap_or_else(|error| panic!("{name}: {error:?}"));
    }
    require_pow(&mut context).await;
    initialize_registry(&mut context, test_params(config_pda())).await;
    let miner = register_miner(&mut context).await;
    // SlotHashes needs a slot behind the current one to offer.
    advance_slots(&mut context, 2).await;
    (context, keys, miner)
}

async fn require_pow(context: &mut ProgramTestContext) {
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
    send(context, &[require_pow], &[]).await.expect("require PoW");
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
    let relayer_before = lamports(&mut context, flow.keypair("relayer").pubkey()).await;

    let step = flow.step("pow_withdraw");
    let mut accounts = TransactAccounts::for_step(&step);
    accounts.pow = Some(pow_accounts(&miner, claim));
    transact(&mut context, &keys, &step, accounts).await.expect("gated withdrawal");

    // fee 20_000_000, 20% to the miner, the rest to the relayer, which paid the nullifier rent; the
    // recipient already holds the first withdrawal's 500_000_000.
    assert_eq!(lamports(&mut context, flow.keypair("recipient").pubkey()).await, 800_000_000);
    let nullifier_rent = cloak_program_tests::shield::nullifier_rent(&mut context).await;
    assert_eq!(
        lamports(&mut context, flow.keypair("relayer").pubkey()).await,
        relayer_before + 16_000_000 - 2 * nullifier_rent
    );
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
    let pow = PowAccounts { miner_fee_account: Keypair::new().pubkey(), ..pow_accounts(&miner, claim) };
    let result = pow_withdraw_with(&mut context, &keys, &flow, pow).await;
    assert_error(result, ShieldPoolError::MinerAccountMismatch, "diverted miner share");
}

/// Rewrites the Anchor account at `address` as `value` (a state the registry's own instructions
/// would take many transactions, or another admin rule, to reach).
async fn overwrite<T: anchor_lang::AccountSerialize>(context: &mut ProgramTestContext, address: Pubkey, value: &T) {
    let mut account = context.banks_client.get_account(address).await.expect("banks client").expect("account exists");
    let mut data = Vec::new();
    value.try_serialize(&mut data).expect("serializes");
    account.data = data;
    context.set_account(&address, &account.into());
}

/// Sends the fixture's PoW-gated withdrawal with these PoW accounts.
async fn pow_withdraw_with(context: &mut ProgramTestContext, keys: &PoolKeys, flow: &Flow, pow: PowAccounts) -> Result<(), BanksClientError> {
    let step = flow.step("pow_withdraw");
    let mut accounts = TransactAccounts::for_step(&step);
    accounts.pow = Some(pow);
    transact(context, keys, &step, accounts).await
}

async fn pow_withdraw_with_claim(context: &mut ProgramTestContext, keys: &PoolKeys, flow: &Flow, miner: &Keypair, claim: Pubkey) -> Result<(), BanksClientError> {
    pow_withdraw_with(context, keys, flow, pow_accounts(miner, claim)).await
}

#[tokio::test]
async fn a_searcher_cannot_replay_a_pending_relayed_withdrawal_with_its_own_claim() {
    let flow = load_flow("sol_flow");
    let (mut context, keys, miner) = gated_pool(&flow).await;
    let relayers_claim = mine_and_reveal(&mut context, &miner, WILDCARD_BATCH, 4).await.expect("claim");
    // The searcher mines its own wildcard claim and copies the pending withdrawal, swapping the claim.
    let searcher = register_miner(&mut context).await;
    let searchers_claim = mine_and_reveal(&mut context, &searcher, WILDCARD_BATCH, 4).await.expect("claim");
    let step = flow.step("pow_withdraw");
    let mut copied = TransactAccounts::for_step(&step);
    copied.pow = Some(pow_accounts(&searcher, searchers_claim));
    let front_run = transact_signed_by(&mut context, &keys, &step, copied, &searcher).await;
    assert_error(front_run, ShieldPoolError::RelayerNotSigner, "front-run with a swapped claim");

    pow_withdraw_with_claim(&mut context, &keys, &flow, &miner, relayers_claim).await.expect("the relayer's own submission");
}

#[tokio::test]
async fn a_fee_paying_transfer_needs_a_claim_when_pow_is_required() {
    let flow = load_flow("rollover_flow");
    let (mut context, keys) = sol_pool_with_relayer(flow.keypair("relayer").pubkey(), true).await;
    fill_tree_but_last_pair(&mut context, &keys).await;
    let fill = flow.step("fill");
    transact(&mut context, &keys, &fill, TransactAccounts::for_step(&fill)).await.expect("fill");
    initialize_registry(&mut context, test_params(config_pda())).await;
    let miner = register_miner(&mut context).await;
    advance_slots(&mut context, 2).await;

    let transfer = flow.step("rollover_transfer");
    assert_eq!((transfer.ext_data.ext_amount, transfer.ext_data.fee), (0, 10_000_000), "a transfer paying a fee");
    let unpaid = transact(&mut context, &keys, &transfer, TransactAccounts::for_step(&transfer)).await;
    assert_error(unpaid, ShieldPoolError::MissingPowClaim, "fee-paying transfer without a claim");

    let claim = mine_and_reveal(&mut context, &miner, WILDCARD_BATCH, 4).await.expect("claim");
    let miner_before = lamports(&mut context, miner.pubkey()).await;
    let mut accounts = TransactAccounts::for_step(&transfer);
    accounts.pow = Some(pow_accounts(&miner, claim));
    transact(&mut context, &keys, &transfer, accounts).await.expect("fee-paying transfer with a claim");
    assert_eq!(lamports(&mut context, miner.pubkey()).await, miner_before + 2_000_000, "20% of the fee");
}

#[tokio::test]
async fn the_miners_share_is_capped_at_half_the_fee_whatever_the_registry_says() {
    let flow = load_flow("sol_flow");
    let (mut context, keys, miner) = gated_pool(&flow).await;
    let mut registry: Registry = fetch(&mut context, registry_pda()).await;
    registry.miner_fee_share_bps = 10_000;
    overwrite(&mut context, registry_pda(), &registry).await;
    let claim = mine_and_reveal(&mut context, &miner, WILDCARD_BATCH, 4).await.expect("claim");
    let relayer = flow.keypair("relayer").pubkey();
    let (miner_before, relayer_before) = (lamports(&mut context, miner.pubkey()).await, lamports(&mut context, relayer).await);

    pow_withdraw_with_claim(&mut context, &keys, &flow, &miner, claim).await.expect("gated withdrawal");
    assert_eq!(MAX_MINER_FEE_SHARE_BPS, 5_000);
    // fee 20_000_000: 10_000_000 each, not all of it to the miner.
    assert_eq!(lamports(&mut context, miner.pubkey()).await, miner_before + 10_000_000);
    let nullifier_rent = cloak_program_tests::shield::nullifier_rent(&mut context).await;
    assert_eq!(lamports(&mut context, relayer).await, relayer_before + 10_000_000 - 2 * nullifier_rent);
}

#[tokio::test]
async fn an_unrevealed_claim_is_refused_through_transact() {
    let flow = load_flow("sol_flow");
    let (mut context, keys, miner) = gated_pool(&flow).await;
    let (slot, slot_hash) = recent_slot_hash(&mut context).await;
    let nonce = search_nonce(slot, &slot_hash, &miner.pubkey(), &WILDCARD_BATCH, 4);
    send(&mut context, &[mine_claim_ix(&miner.pubkey(), slot, slot_hash, WILDCARD_BATCH, nonce)], &[&miner])
        .await
        .expect("mine");
    let claim = claim_pda(&miner.pubkey(), &WILDCARD_BATCH, slot);
    let result = pow_withdraw_with_claim(&mut context, &keys, &flow, &miner, claim).await;
    assert_error(result, RegistryError::ClaimNotRevealed, "unrevealed claim");
}

#[tokio::test]
async fn an_expired_claim_is_refused_through_transact() {
    let flow = load_flow("sol_flow");
    let (mut context, keys, miner) = gated_pool(&flow).await;
    let claim = mine_and_reveal(&mut context, &miner, WILDCARD_BATCH, 4).await.expect("claim");
    advance_slots(&mut context, test_params(config_pda()).claim_window_slots + 1).await;
    let result = pow_withdraw_with_claim(&mut context, &keys, &flow, &miner, claim).await;
    assert_error(result, RegistryError::ClaimExpired, "expired claim");
}

#[tokio::test]
async fn a_used_up_claim_is_refused_through_transact() {
    let flow = load_flow("sol_flow");
    let (mut context, keys, miner) = gated_pool(&flow).await;
    let claim = mine_and_reveal(&mut context, &miner, WILDCARD_BATCH, 4).await.expect("claim");
    let mut used_up: Claim = fetch(&mut context, claim).await;
    used_up.consumed_count = used_up.max_consumptions;
    overwrite(&mut context, claim, &used_up).await;
    let result = pow_withdraw_with_claim(&mut context, &keys, &flow, &miner, claim).await;
    assert_error(result, RegistryError::ClaimFullyConsumed, "used-up claim");
}

#[tokio::test]
async fn a_registry_account_not_owned_by_the_registry_is_refused() {
    let flow = load_flow("sol_flow");
    let (mut context, keys, miner) = gated_pool(&flow).await;
    let claim = mine_and_reveal(&mut context, &miner, WILDCARD_BATCH, 4).await.expect("claim");
    let pow = PowAccounts { registry: miner.pubkey(), ..pow_accounts(&miner, claim) };
    let result = pow_withdraw_with(&mut context, &keys, &flow, pow).await;
    assert_error(result, ShieldPoolError::InvalidPowAccount, "a system account as the registry");
}

#[tokio::test]
async fn a_token_pools_miner_is_paid_its_share_in_tokens() {
    let flow = load_flow("token_flow");
    let mut context = cloak_program_tests::start().await;
    let mint = flow.keypair("mint").pubkey();
    create_mint(&mut context, &flow.keypair("mint")).await;
    let keys = deploy_token_pool(&mut context, mint, Keypair::new().pubkey()).await;
    add_relayer(&mut context, flow.keypair("relayer").pubkey()).await;
    let payer = context.payer.pubkey();
    let depositor = Keypair::new();
    create_token_account(&mut context, &depositor, &mint, &payer).await;
    mint_to(&mut context, &mint, &depositor.pubkey(), 1_000_000).await;
    let deposit = flow.step("deposit");
    let accounts = TransactAccounts { depositor_token_account: Some(depositor.pubkey()), ..TransactAccounts::default() };
    transact(&mut context, &keys, &deposit, accounts).await.expect("token deposit");
    require_pow(&mut context).await;
    initialize_registry(&mut context, test_params(config_pda())).await;
    let miner = register_miner(&mut context).await;
    advance_slots(&mut context, 2).await;

    let recipient = flow.keypair("tokenRecipientAccount");
    create_token_account(&mut context, &recipient, &mint, &Keypair::new().pubkey()).await;
    let (relayer_account, miner_account) = (Keypair::new(), Keypair::new());
    create_token_account(&mut context, &relayer_account, &mint, &flow.keypair("relayer").pubkey()).await;
    create_token_account(&mut context, &miner_account, &mint, &miner.pubkey()).await;
    let claim = mine_and_reveal(&mut context, &miner, WILDCARD_BATCH, 4).await.expect("claim");
    let withdraw = flow.step("withdraw");
    let mut pow = pow_accounts(&miner, claim);
    pow.miner_fee_account = miner_account.pubkey();
    let accounts = TransactAccounts {
        recipient: Some(recipient.pubkey()),
        relayer_fee_account: Some(relayer_account.pubkey()),
        pow: Some(pow),
        ..TransactAccounts::default()
    };
    transact(&mut context, &keys, &withdraw, accounts).await.expect("gated token withdrawal");
    // fee 50_000: 20% to the miner's token account, the rest to the relayer's.
    assert_eq!(token_balance(&mut context, &miner_account.pubkey()).await, 10_000);
    assert_eq!(token_balance(&mut context, &relayer_account.pubkey()).await, 40_000);
    assert_eq!(token_balance(&mut context, &recipient.pubkey()).await, 700_000);
}
