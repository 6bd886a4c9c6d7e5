//! Opening a pool cannot be blocked by lamports sent to its addresses beforehand, and its 131 KB tree
//! account reaches full size in steps an instruction may take, with transacts refused until then.
//! Both the opening and every growth step are announced by self-CPI events.

use anchor_spl::token::spl_token;
use cloak_program_tests::fixtures::load_flow;
use cloak_program_tests::shield::{
    create_mint, deploy_sol_pool, deploy_token_pool, grow_tree_ix, grow_tree_steps, initialize_config,
    initialize_sol_pool_ix, initialize_token_pool_ix, transact, PoolKeys, TransactAccounts, MAX_DEPOSIT, MAX_FEE,
};
use cloak_program_tests::{account_data, assert_emitted, assert_error, lamports, send, send_for_cpi_events};
use shield_pool::constants::{MAX_ACCOUNT_GROWTH, NATIVE_MINT};
use shield_pool::errors::ShieldPoolError;
use shield_pool::events::{PoolInitialized, TreeGrown};
use shield_pool::state::CommitmentTree;
use solana_program_test::ProgramTestContext;
use anchor_lang::solana_program::system_instruction;
use solana_sdk::{program_pack::Pack, pubkey::Pubkey, signature::Keypair, signer::Signer};

/// What a griefer sends to a PoW-free, derivable pool address before the admin opens the pool: more
/// than rent exemption for a data-less account, so the system program's `create_account` would refuse.
const GRIEF_LAMPORTS: u64 = 5_000_000;

async fn prefund(context: &mut ProgramTestContext, address: Pubkey) {
    let payer = context.payer.pubkey();
    send(context, &[system_instruction::transfer(&payer, &address, GRIEF_LAMPORTS)], &[])
        .await
        .expect("prefund");
}

async fn owner_of(context: &mut ProgramTestContext, address: Pubkey) -> Pubkey {
    context.banks_client.get_account(address).await.expect("banks client").expect("account exists").owner
}

#[tokio::test]
async fn a_token_pool_opens_although_its_vault_address_was_prefunded() {
    let flow = load_flow("token_flow");
    let mut context = cloak_program_tests::start().await;
    let mint = flow.keypair("mint");
    create_mint(&mut context, &mint).await;
    prefund(&mut context, PoolKeys::for_mint(mint.pubkey()).vault).await;

    let keys = deploy_token_pool(&mut context, mint.pubkey(), Keypair::new().pubkey()).await;
    assert_eq!(owner_of(&mut context, keys.vault).await, spl_token::ID);
    let vault = spl_token::state::Account::unpack(&account_data(&mut context, keys.vault).await).expect("token account");
    assert_eq!((vault.mint, vault.owner, vault.amount), (mint.pubkey(), keys.pool, 0));
    // The griefer's lamports stay in the vault; it is at least rent-exempt.
    let rent = context.banks_client.get_rent().await.expect("rent");
    assert!(lamports(&mut context, keys.vault).await >= rent.minimum_balance(spl_token::state::Account::LEN));
}

#[tokio::test]
async fn a_pool_opens_although_its_tree_address_was_prefunded() {
    let mut context = cloak_program_tests::start().await;
    prefund(&mut context, PoolKeys::native().tree).await;
    let keys = deploy_sol_pool(&mut context, Keypair::new().pubkey(), false).await;
    assert_eq!(owner_of(&mut context, keys.tree).await, shield_pool::ID);
    assert_eq!(account_data(&mut context, keys.tree).await.len(), CommitmentTree::SPACE);
}

#[tokio::test]
async fn the_tree_grows_by_at_most_10240_bytes_a_call_and_transacts_wait_for_its_full_size() {
    let flow = load_flow("sol_flow");
    let mut context = cloak_program_tests::start().await;
    initialize_config(&mut context, Keypair::new().pubkey(), false).await;
    let admin = context.payer.pubkey();
    send(&mut context, &[initialize_sol_pool_ix(&admin)], &[]).await.expect("SOL pool opens");
    let keys = PoolKeys::native();
    // The runtime lets an instruction create or grow an account by at most 10,240 bytes; the native
    // bank need not enforce that the way a validator does, so the sizes are checked here.
    assert_eq!(account_data(&mut context, keys.tree).await.len(), MAX_ACCOUNT_GROWTH);

    let deposit = flow.step("deposit");
    let early = transact(&mut context, &keys, &deposit, TransactAccounts::for_step(&deposit)).await;
    assert_error(early, ShieldPoolError::TreeNotReady, "deposit into a tree still growing");

    let mut sizes = vec![MAX_ACCOUNT_GROWTH];
    while *sizes.last().unwrap() < CommitmentTree::SPACE {
        cloak_program_tests::advance_slots(&mut context, 1).await;
        send(&mut context, &[grow_tree_ix(&keys, &admin)], &[]).await.expect("grow");
        sizes.push(account_data(&mut context, keys.tree).await.len());
    }
    assert_eq!(sizes.len() - 1, grow_tree_steps());
    for step in sizes.windows(2) {
        assert!(step[1] > step[0] && step[1] - step[0] <= MAX_ACCOUNT_GROWTH, "grew {} -> {}", step[0], step[1]);
    }
    let rent = context.banks_client.get_rent().await.expect("rent");
    let tree_rent = lamports(&mut context, keys.tree).await;
    assert_eq!(tree_rent, rent.minimum_balance(CommitmentTree::SPACE));
    // The 100-root tree this replaces: discriminator, counters, 20 filled subtrees, 100 roots, pool.
    let hundred_root_tree = 8 + 16 + 20 * 32 + 100 * 32 + 32;
    println!(
        "tree account: {} bytes, {} grow_tree calls, rent {tree_rent} lamports ({} more than a 100-root tree)",
        CommitmentTree::SPACE,
        grow_tree_steps(),
        tree_rent - rent.minimum_balance(hundred_root_tree)
    );

    cloak_program_tests::advance_slots(&mut context, 1).await;
    let again = send(&mut context, &[grow_tree_ix(&keys, &admin)], &[]).await;
    assert_error(again, ShieldPoolError::TreeAlreadyGrown, "grow past full size");
    cloak_program_tests::advance_slots(&mut context, 1).await;
    transact(&mut context, &keys, &deposit, TransactAccounts::for_step(&deposit)).await.expect("deposit once grown");
}

/// What opening the pool of `keys` announces, with the test limits.
fn pool_initialized(keys: &PoolKeys) -> PoolInitialized {
    PoolInitialized {
        pool: keys.pool,
        mint: keys.mint,
        vault: keys.vault,
        tree: keys.tree,
        max_deposit: MAX_DEPOSIT,
        max_fee: MAX_FEE,
    }
}

#[tokio::test]
async fn opening_the_sol_pool_announces_its_pool_vault_tree_and_limits() {
    let mut context = cloak_program_tests::start().await;
    initialize_config(&mut context, Keypair::new().pubkey(), false).await;
    let admin = context.payer.pubkey();
    let events = send_for_cpi_events(&mut context, shield_pool::ID, &[initialize_sol_pool_ix(&admin)], &[]).await;
    let keys = PoolKeys::native();
    assert_eq!(keys.mint, NATIVE_MINT);
    assert_eq!(events.len(), 1, "one event per opening");
    assert_emitted(&events, &pool_initialized(&keys));
}

#[tokio::test]
async fn opening_a_token_pool_announces_its_mint_and_token_vault() {
    let mut context = cloak_program_tests::start().await;
    let mint = Keypair::new();
    create_mint(&mut context, &mint).await;
    initialize_config(&mut context, Keypair::new().pubkey(), false).await;
    let admin = context.payer.pubkey();
    let keys = PoolKeys::for_mint(mint.pubkey());
    let events =
        send_for_cpi_events(&mut context, shield_pool::ID, &[initialize_token_pool_ix(&admin, &keys)], &[]).await;
    assert_eq!(events.len(), 1, "one event per opening");
    assert_emitted(&events, &pool_initialized(&keys));
}

#[tokio::test]
async fn each_grow_tree_call_announces_the_trees_new_size_and_the_full_size() {
    let mut context = cloak_program_tests::start().await;
    initialize_config(&mut context, Keypair::new().pubkey(), false).await;
    let admin = context.payer.pubkey();
    send(&mut context, &[initialize_sol_pool_ix(&admin)], &[]).await.expect("SOL pool opens");
    let keys = PoolKeys::native();

    let grow_all = vec![grow_tree_ix(&keys, &admin); grow_tree_steps()];
    let events = send_for_cpi_events(&mut context, shield_pool::ID, &grow_all, &[]).await;
    assert_eq!(events.len(), grow_tree_steps(), "one event per call");
    for call in 1..=grow_tree_steps() {
        let size = (MAX_ACCOUNT_GROWTH * (call + 1)).min(CommitmentTree::SPACE);
        let grown = TreeGrown { pool: keys.pool, tree: keys.tree, size: size as u64, target: CommitmentTree::SPACE as u64 };
        assert_emitted(&events, &grown);
    }
    assert_eq!(account_data(&mut context, keys.tree).await.len(), CommitmentTree::SPACE);
}
