//! The scramble registry on its own, run natively in solana-program-test's bank: parameter
//! validation, the claim life cycle, proof-of-work and SlotHashes checks, and retargeting.
//!
//! Claims are consumed here by a plain test keypair set as `consumer_authority`; the shield
//! pool's CPI path (its config PDA as consumer) is tested with the shield pool.

use anchor_lang::system_program;
use cloak_program_tests::{
    account_exists, advance_slots, anchor_ix, assert_error, assert_program_error, current_slot,
    fetch, lamports, program_test, send, start_with,
};
use cloak_program_tests::registry::{
    claim_pda, initialize_registry_ix, mine_claim_ix, miner_pda, recent_slot_hash, registry_pda,
    reveal_claim_ix, search_nonce,
};
use cloak_program_tests::governance::registry_update_params_ix;
use scramble_registry::{
    accounts, instruction, pow, Claim, Miner, Registry, RegistryError, RegistryParams,
    MAX_MINER_FEE_SHARE_BPS, MAX_POW_SLOT_AGE, MINER_SEED, REGISTRY_SEED, WILDCARD_BATCH,
};
use solana_program_test::{BanksClientError, ProgramTestContext};
use solana_sdk::{
    account::Account,
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};

type TxResult = Result<(), BanksClientError>;
/// A change that makes `base_params` invalid, and the error it must be refused with.
type ParamCase = (fn(&mut RegistryParams), RegistryError);

const BATCH_A: [u8; 32] = [0xa1; 32];
const BATCH_B: [u8; 32] = [0xb2; 32];
/// Enough for every account a test key pays for.
const FUNDING_LAMPORTS: u64 = 10_000_000_000;
/// Comfortably past `MAX_POW_SLOT_AGE`, so a claim's seed slot can no longer be mined.
const PAST_POW_SLOT_AGE: u64 = MAX_POW_SLOT_AGE + 8;

/// Parameters most tests start from: easy proof of work (8 hashes expected) and short windows.
fn base_params(consumer_authority: Pubkey) -> RegistryParams {
    RegistryParams {
        consumer_authority,
        initial_difficulty: 8,
        min_difficulty: 1,
        max_difficulty: 1_000,
        target_interval_slots: 10,
        miner_fee_share_bps: 2_500,
        reveal_window_slots: 20,
        claim_window_slots: 30,
        max_consumptions: 2,
    }
}

/// A bank with the registry program, funded `consumer`, `miner` and `stranger` keys, and a few
/// slots of history in SlotHashes. The context's payer is the would-be admin.
struct Env {
    ctx: ProgramTestContext,
    consumer: Keypair,
    miner: Keypair,
    stranger: Keypair,
}

async fn start() -> Env {
    let consumer = Keypair::new();
    let miner = Keypair::new();
    let stranger = Keypair::new();
    let mut test = program_test();
    for key in [&consumer, &miner, &stranger] {
        test.add_account(
            key.pubkey(),
            Account::new(FUNDING_LAMPORTS, 0, &system_program::ID),
        );
    }
    let mut ctx = start_with(test).await;
    advance_slots(&mut ctx, 2).await;
    Env {
        ctx,
        consumer,
        miner,
        stranger,
    }
}

/// `start`, then the registry initialized with `base_params` adjusted by `tweak`, and `miner`
/// registered.
async fn setup(tweak: impl FnOnce(&mut RegistryParams)) -> Env {
    let mut env = start().await;
    let mut params = base_params(env.consumer.pubkey());
    tweak(&mut params);
    initialize(&mut env.ctx, params).await.expect("initialize");
    let miner = env.miner.insecure_clone();
    register_miner(&mut env.ctx, &miner)
        .await
        .expect("register miner");
    env
}

async fn initialize(ctx: &mut ProgramTestContext, params: RegistryParams) -> TxResult {
    let admin = ctx.payer.pubkey();
    send(ctx, &[initialize_registry_ix(&admin, params)], &[]).await
}

async fn update_params(
    ctx: &mut ProgramTestContext,
    admin: &Keypair,
    params: RegistryParams,
) -> TxResult {
    send(ctx, &[registry_update_params_ix(admin.pubkey(), params)], &[admin]).await
}

async fn register_miner(ctx: &mut ProgramTestContext, authority: &Keypair) -> TxResult {
    let ix = anchor_ix(
        scramble_registry::ID,
        accounts::RegisterMiner {
            registry: registry_pda(),
            miner: miner_pda(&authority.pubkey()),
            authority: authority.pubkey(),
            system_program: system_program::ID,
        },
        instruction::RegisterMiner {},
    );
    send(ctx, &[ix], &[authority]).await
}

/// The first nonce whose proof-of-work hash does NOT meet `difficulty`.
fn fail_to_solve(
    slot: u64,
    slot_hash: &[u8; 32],
    authority: &Pubkey,
    batch: &[u8; 32],
    difficulty: u64,
) -> u64 {
    (0..)
        .find(|&nonce| {
            !pow::meets_difficulty(
                &pow::pow_hash(slot, slot_hash, authority, batch, nonce),
                difficulty,
            )
        })
        .expect("a nonce misses the difficulty")
}

async fn mine(
    ctx: &mut ProgramTestContext,
    authority: &Keypair,
    slot: u64,
    slot_hash: [u8; 32],
    batch_hash: [u8; 32],
    nonce: u64,
) -> TxResult {
    let ix = mine_claim_ix(&authority.pubkey(), slot, slot_hash, batch_hash, nonce);
    send(ctx, &[ix], &[authority]).await
}

/// Mines a valid claim for `batch_hash` over the newest slot hash at the current difficulty.
async fn mine_valid(
    ctx: &mut ProgramTestContext,
    authority: &Keypair,
    batch_hash: [u8; 32],
) -> Pubkey {
    let (slot, slot_hash) = recent_slot_hash(ctx).await;
    let difficulty = fetch::<Registry>(ctx, registry_pda()).await.difficulty;
    let nonce = search_nonce(
        slot,
        &slot_hash,
        &authority.pubkey(),
        &batch_hash,
        difficulty,
    );
    mine(ctx, authority, slot, slot_hash, batch_hash, nonce)
        .await
        .expect("mine a valid claim");
    claim_pda(&authority.pubkey(), &batch_hash, slot)
}

/// Reveals `claim` signed by `authority`, naming `miner` as the miner account.
async fn reveal_as(
    ctx: &mut ProgramTestContext,
    authority: &Keypair,
    claim: Pubkey,
    miner: Pubkey,
) -> TxResult {
    let ix = anchor_ix(
        scramble_registry::ID,
        accounts::RevealClaim {
            registry: registry_pda(),
            claim,
            miner,
            authority: authority.pubkey(),
        },
        instruction::RevealClaim {},
    );
    send(ctx, &[ix], &[authority]).await
}

async fn reveal(ctx: &mut ProgramTestContext, authority: &Keypair, claim: Pubkey) -> TxResult {
    send(ctx, &[reveal_claim_ix(&authority.pubkey(), claim)], &[authority]).await
}

async fn consume(
    ctx: &mut ProgramTestContext,
    consumer: &Keypair,
    claim: Pubkey,
    miner_authority: &Pubkey,
    batch_hash: [u8; 32],
) -> TxResult {
    let ix = anchor_ix(
        scramble_registry::ID,
        accounts::ConsumeClaim {
            registry: registry_pda(),
            claim,
            miner: miner_pda(miner_authority),
            consumer: consumer.pubkey(),
        },
        instruction::ConsumeClaim { batch_hash },
    );
    send(ctx, &[ix], &[consumer]).await
}

/// Closes `claim`, cranked by the context's payer (not the miner).
async fn close(ctx: &mut ProgramTestContext, claim: Pubkey, miner_authority: &Pubkey) -> TxResult {
    let ix = anchor_ix(
        scramble_registry::ID,
        accounts::CloseExpiredClaim {
            registry: registry_pda(),
            claim,
            miner: miner_pda(miner_authority),
            miner_authority: *miner_authority,
            caller: ctx.payer.pubkey(),
        },
        instruction::CloseExpiredClaim {},
    );
    send(ctx, &[ix], &[]).await
}

// ---------------------------------------------------------------------------------------------
// initialize / update_params
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn initialize_stores_params_with_zero_counters() {
    let mut env = start().await;
    let params = base_params(env.consumer.pubkey());
    initialize(&mut env.ctx, params).await.expect("initialize");

    let registry = fetch::<Registry>(&mut env.ctx, registry_pda()).await;
    assert_eq!(registry.admin, env.ctx.payer.pubkey());
    assert_eq!(registry.consumer_authority, env.consumer.pubkey());
    assert_eq!(registry.difficulty, params.initial_difficulty);
    assert_eq!(registry.min_difficulty, params.min_difficulty);
    assert_eq!(registry.max_difficulty, params.max_difficulty);
    assert_eq!(registry.target_interval_slots, params.target_interval_slots);
    assert_eq!(registry.miner_fee_share_bps, params.miner_fee_share_bps);
    assert_eq!(registry.reveal_window_slots, params.reveal_window_slots);
    assert_eq!(registry.claim_window_slots, params.claim_window_slots);
    assert_eq!(registry.max_consumptions, params.max_consumptions);
    assert_eq!(registry.last_mined_slot, 0);
    assert_eq!(
        [
            registry.total_miners,
            registry.total_claims_mined,
            registry.total_claims_revealed,
            registry.total_consumptions,
            registry.total_claims_closed,
        ],
        [0; 5]
    );
    assert_eq!(
        registry.bump,
        Pubkey::find_program_address(&[REGISTRY_SEED], &scramble_registry::ID).1
    );

    // The PDA exists now, so a second initialize cannot take the registry over.
    let mut again = params;
    again.initial_difficulty += 1;
    assert!(initialize(&mut env.ctx, again).await.is_err());
}

#[tokio::test]
async fn initialize_refuses_inconsistent_difficulty_bounds() {
    let mut env = start().await;
    let base = base_params(env.consumer.pubkey());
    let cases: [ParamCase; 4] = [
        (|p| p.min_difficulty = 0, RegistryError::MinDifficultyZero),
        (
            |p| {
                p.min_difficulty = 50;
                p.max_difficulty = 40;
            },
            RegistryError::MinDifficultyAboveMax,
        ),
        (
            |p| p.initial_difficulty = 0,
            RegistryError::InitialDifficultyOutOfBounds,
        ),
        (
            |p| p.initial_difficulty = 1_001,
            RegistryError::InitialDifficultyOutOfBounds,
        ),
    ];
    for (tweak, expected) in cases {
        let mut params = base;
        tweak(&mut params);
        let result = initialize(&mut env.ctx, params).await;
        assert_error(result, expected, &format!("{params:?}"));
    }
    assert!(!account_exists(&mut env.ctx, registry_pda()).await);
}

#[tokio::test]
async fn initialize_refuses_a_miner_share_above_half_the_fee() {
    let mut env = start().await;
    let mut params = base_params(env.consumer.pubkey());
    params.miner_fee_share_bps = MAX_MINER_FEE_SHARE_BPS + 1;
    let result = initialize(&mut env.ctx, params).await;
    assert_error(result, RegistryError::FeeShareTooLarge, "5001 bps");

    // Exactly half is allowed.
    params.miner_fee_share_bps = MAX_MINER_FEE_SHARE_BPS;
    initialize(&mut env.ctx, params).await.expect("5000 bps");
}

#[tokio::test]
async fn update_params_refuses_a_miner_share_above_half_the_fee() {
    let mut env = setup(|_| {}).await;
    let admin = env.ctx.payer.insecure_clone();
    let mut params = base_params(env.consumer.pubkey());
    params.miner_fee_share_bps = 10_000;
    let result = update_params(&mut env.ctx, &admin, params).await;
    assert_error(result, RegistryError::FeeShareTooLarge, "the whole fee to the miner");
    let registry = fetch::<Registry>(&mut env.ctx, registry_pda()).await;
    assert_eq!(registry.miner_fee_share_bps, 2_500);
}

#[tokio::test]
async fn initialize_refuses_zero_interval_windows_or_consumptions() {
    let mut env = start().await;
    let base = base_params(env.consumer.pubkey());
    let cases: [ParamCase; 4] = [
        (
            |p| p.target_interval_slots = 0,
            RegistryError::TargetIntervalZero,
        ),
        (
            |p| p.reveal_window_slots = 0,
            RegistryError::RevealWindowZero,
        ),
        (|p| p.claim_window_slots = 0, RegistryError::ClaimWindowZero),
        (
            |p| p.max_consumptions = 0,
            RegistryError::MaxConsumptionsZero,
        ),
    ];
    for (tweak, expected) in cases {
        let mut params = base;
        tweak(&mut params);
        let result = initialize(&mut env.ctx, params).await;
        assert_error(result, expected, &format!("{params:?}"));
    }
}

#[tokio::test]
async fn update_params_by_non_admin_is_refused() {
    let mut env = setup(|_| {}).await;
    let stranger = env.stranger.insecure_clone();
    let mut params = base_params(stranger.pubkey());
    params.miner_fee_share_bps = MAX_MINER_FEE_SHARE_BPS;
    let result = update_params(&mut env.ctx, &stranger, params).await;
    assert_error(
        result,
        RegistryError::UnauthorizedAdmin,
        "stranger updates params",
    );

    let registry = fetch::<Registry>(&mut env.ctx, registry_pda()).await;
    assert_eq!(registry.consumer_authority, env.consumer.pubkey());
    assert_eq!(registry.miner_fee_share_bps, 2_500);
}

#[tokio::test]
async fn update_params_clamps_live_difficulty_and_keeps_counters() {
    let mut env = setup(|_| {}).await;
    let miner = env.miner.insecure_clone();
    mine_valid(&mut env.ctx, &miner, BATCH_A).await;
    let admin = env.ctx.payer.insecure_clone();

    let mut params = base_params(env.consumer.pubkey());
    params.min_difficulty = 20;
    params.initial_difficulty = 30;
    params.max_difficulty = 40;
    params.max_consumptions = 5;
    let invalid = RegistryParams {
        initial_difficulty: 41,
        ..params
    };
    let result = update_params(&mut env.ctx, &admin, invalid).await;
    assert_error(
        result,
        RegistryError::InitialDifficultyOutOfBounds,
        "validated like initialize",
    );

    update_params(&mut env.ctx, &admin, params)
        .await
        .expect("admin updates");
    let registry = fetch::<Registry>(&mut env.ctx, registry_pda()).await;
    // The live difficulty (8) is raised to the new minimum, not reset to initial_difficulty.
    assert_eq!(registry.difficulty, 20);
    assert_eq!(registry.min_difficulty, 20);
    assert_eq!(registry.max_difficulty, 40);
    assert_eq!(registry.max_consumptions, 5);
    assert_eq!(registry.total_miners, 1);
    assert_eq!(registry.total_claims_mined, 1);
    assert_ne!(registry.last_mined_slot, 0);

    // And lowered to a new maximum.
    params.min_difficulty = 2;
    params.initial_difficulty = 3;
    params.max_difficulty = 4;
    update_params(&mut env.ctx, &admin, params)
        .await
        .expect("admin lowers bounds");
    assert_eq!(
        fetch::<Registry>(&mut env.ctx, registry_pda())
            .await
            .difficulty,
        4
    );
}

// ---------------------------------------------------------------------------------------------
// Claim life cycle
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn full_life_cycle_register_mine_reveal_consume_updates_counters() {
    let mut env = setup(|_| {}).await;
    let miner = env.miner.insecure_clone();
    let consumer = env.consumer.insecure_clone();
    let authority = miner.pubkey();

    let registered = fetch::<Miner>(&mut env.ctx, miner_pda(&authority)).await;
    assert_eq!(registered.authority, authority);
    assert_eq!(registered.registered_slot, current_slot(&mut env.ctx).await);
    assert_eq!(
        registered.bump,
        Pubkey::find_program_address(&[MINER_SEED, authority.as_ref()], &scramble_registry::ID).1
    );

    // Mine.
    let (slot, slot_hash) = recent_slot_hash(&mut env.ctx).await;
    let nonce = search_nonce(slot, &slot_hash, &authority, &BATCH_A, 8);
    mine(&mut env.ctx, &miner, slot, slot_hash, BATCH_A, nonce)
        .await
        .expect("mine");
    let mined_at = current_slot(&mut env.ctx).await;
    let claim_address = claim_pda(&authority, &BATCH_A, slot);

    let claim = fetch::<Claim>(&mut env.ctx, claim_address).await;
    assert_eq!(claim.miner_authority, authority);
    assert_eq!(claim.batch_hash, BATCH_A);
    assert_eq!(claim.slot, slot);
    assert_eq!(claim.slot_hash, slot_hash);
    assert_eq!(claim.nonce, nonce);
    assert_eq!(
        claim.pow_hash,
        pow::pow_hash(slot, &slot_hash, &authority, &BATCH_A, nonce)
    );
    assert_eq!(claim.difficulty, 8);
    assert_eq!(claim.mined_at_slot, mined_at);
    assert!(!claim.is_revealed());
    assert_eq!(claim.expires_at_slot, 0);
    assert_eq!(claim.consumed_count, 0);
    assert_eq!(claim.max_consumptions, 2);

    // Not consumable before it is revealed.
    let result = consume(&mut env.ctx, &consumer, claim_address, &authority, BATCH_A).await;
    assert_error(
        result,
        RegistryError::ClaimNotRevealed,
        "consume before reveal",
    );

    // Reveal.
    advance_slots(&mut env.ctx, 3).await;
    reveal(&mut env.ctx, &miner, claim_address)
        .await
        .expect("reveal");
    let revealed_at = current_slot(&mut env.ctx).await;
    let claim = fetch::<Claim>(&mut env.ctx, claim_address).await;
    assert!(claim.is_revealed());
    assert_eq!(claim.revealed_at_slot, revealed_at);
    assert_eq!(claim.expires_at_slot, revealed_at + 30);
    assert!(!claim.is_expired(revealed_at + 30));
    assert!(claim.is_expired(revealed_at + 31));

    // Consume.
    consume(&mut env.ctx, &consumer, claim_address, &authority, BATCH_A)
        .await
        .expect("consume");
    let claim = fetch::<Claim>(&mut env.ctx, claim_address).await;
    assert_eq!(claim.consumed_count, 1);

    let registry = fetch::<Registry>(&mut env.ctx, registry_pda()).await;
    assert_eq!(registry.total_miners, 1);
    assert_eq!(registry.total_claims_mined, 1);
    assert_eq!(registry.total_claims_revealed, 1);
    assert_eq!(registry.total_consumptions, 1);
    assert_eq!(registry.total_claims_closed, 0);
    assert_eq!(registry.last_mined_slot, mined_at);
    // The first claim has nothing to measure an interval from, so it does not retarget.
    assert_eq!(registry.difficulty, 8);

    let miner_account = fetch::<Miner>(&mut env.ctx, miner_pda(&authority)).await;
    assert_eq!(miner_account.claims_mined, 1);
    assert_eq!(miner_account.claims_revealed, 1);
    assert_eq!(miner_account.consumptions, 1);
    assert_eq!(miner_account.claims_closed, 0);
}

#[tokio::test]
async fn reveal_twice_is_refused() {
    let mut env = setup(|_| {}).await;
    let miner = env.miner.insecure_clone();
    let claim = mine_valid(&mut env.ctx, &miner, BATCH_A).await;
    reveal(&mut env.ctx, &miner, claim).await.expect("reveal");
    advance_slots(&mut env.ctx, 2).await;
    let result = reveal(&mut env.ctx, &miner, claim).await;
    assert_error(result, RegistryError::AlreadyRevealed, "second reveal");
}

#[tokio::test]
async fn wildcard_claim_serves_any_batch() {
    let mut env = setup(|p| p.max_consumptions = 3).await;
    let miner = env.miner.insecure_clone();
    let consumer = env.consumer.insecure_clone();
    let authority = miner.pubkey();
    let claim = mine_valid(&mut env.ctx, &miner, WILDCARD_BATCH).await;
    reveal(&mut env.ctx, &miner, claim).await.expect("reveal");

    for batch in [BATCH_A, BATCH_B, [0x77; 32]] {
        consume(&mut env.ctx, &consumer, claim, &authority, batch)
            .await
            .expect("wildcard serves any batch");
    }
    assert_eq!(fetch::<Claim>(&mut env.ctx, claim).await.consumed_count, 3);
}

#[tokio::test]
async fn batch_bound_claim_refuses_another_batch() {
    let mut env = setup(|_| {}).await;
    let miner = env.miner.insecure_clone();
    let consumer = env.consumer.insecure_clone();
    let authority = miner.pubkey();
    let claim = mine_valid(&mut env.ctx, &miner, BATCH_A).await;
    reveal(&mut env.ctx, &miner, claim).await.expect("reveal");

    let result = consume(&mut env.ctx, &consumer, claim, &authority, BATCH_B).await;
    assert_error(result, RegistryError::BatchMismatch, "other batch");
    let result = consume(&mut env.ctx, &consumer, claim, &authority, WILDCARD_BATCH).await;
    assert_error(
        result,
        RegistryError::BatchMismatch,
        "wildcard batch hash on a bound claim",
    );
    assert_eq!(fetch::<Claim>(&mut env.ctx, claim).await.consumed_count, 0);

    consume(&mut env.ctx, &consumer, claim, &authority, BATCH_A)
        .await
        .expect("its own batch");
}

#[tokio::test]
async fn claim_refuses_consumption_beyond_max_consumptions() {
    let mut env = setup(|p| p.max_consumptions = 2).await;
    let miner = env.miner.insecure_clone();
    let consumer = env.consumer.insecure_clone();
    let authority = miner.pubkey();
    let claim = mine_valid(&mut env.ctx, &miner, WILDCARD_BATCH).await;
    reveal(&mut env.ctx, &miner, claim).await.expect("reveal");

    consume(&mut env.ctx, &consumer, claim, &authority, BATCH_A)
        .await
        .expect("first");
    consume(&mut env.ctx, &consumer, claim, &authority, BATCH_B)
        .await
        .expect("second");
    let result = consume(&mut env.ctx, &consumer, claim, &authority, [0x77; 32]).await;
    assert_error(
        result,
        RegistryError::ClaimFullyConsumed,
        "third consumption",
    );

    assert_eq!(fetch::<Claim>(&mut env.ctx, claim).await.consumed_count, 2);
    assert_eq!(
        fetch::<Registry>(&mut env.ctx, registry_pda())
            .await
            .total_consumptions,
        2
    );
    assert_eq!(
        fetch::<Miner>(&mut env.ctx, miner_pda(&authority))
            .await
            .consumptions,
        2
    );
}

#[tokio::test]
async fn consume_not_signed_by_consumer_authority_is_refused() {
    let mut env = setup(|_| {}).await;
    let miner = env.miner.insecure_clone();
    let stranger = env.stranger.insecure_clone();
    let authority = miner.pubkey();
    let claim = mine_valid(&mut env.ctx, &miner, BATCH_A).await;
    reveal(&mut env.ctx, &miner, claim).await.expect("reveal");

    let result = consume(&mut env.ctx, &stranger, claim, &authority, BATCH_A).await;
    assert_error(
        result,
        RegistryError::UnauthorizedConsumer,
        "stranger consumes",
    );
    // Not even the miner may consume their own claim.
    let result = consume(&mut env.ctx, &miner, claim, &authority, BATCH_A).await;
    assert_error(
        result,
        RegistryError::UnauthorizedConsumer,
        "miner consumes",
    );
    assert_eq!(fetch::<Claim>(&mut env.ctx, claim).await.consumed_count, 0);
}

#[tokio::test]
async fn expired_claim_is_refused_then_closed_with_rent_to_miner() {
    let mut env = setup(|_| {}).await;
    let miner = env.miner.insecure_clone();
    let consumer = env.consumer.insecure_clone();
    let authority = miner.pubkey();
    let claim = mine_valid(&mut env.ctx, &miner, BATCH_A).await;
    reveal(&mut env.ctx, &miner, claim).await.expect("reveal");
    let expires_at = fetch::<Claim>(&mut env.ctx, claim).await.expires_at_slot;

    // Consumable up to and including expires_at_slot; advance_slots warps to the root slot + n.
    let now = current_slot(&mut env.ctx).await;
    advance_slots(&mut env.ctx, expires_at - now).await;
    assert_eq!(current_slot(&mut env.ctx).await, expires_at);
    consume(&mut env.ctx, &consumer, claim, &authority, BATCH_A)
        .await
        .expect("consume on the last slot");

    advance_slots(&mut env.ctx, 1).await;
    let result = consume(&mut env.ctx, &consumer, claim, &authority, BATCH_A).await;
    assert_error(result, RegistryError::ClaimExpired, "consume after expiry");

    // Expired, but its seed slot can still be mined: closing would free the PDA for re-mining.
    let result = close(&mut env.ctx, claim, &authority).await;
    assert_error(
        result,
        RegistryError::ClaimStillMineable,
        "close inside MAX_POW_SLOT_AGE",
    );

    advance_slots(&mut env.ctx, PAST_POW_SLOT_AGE).await;
    let rent = lamports(&mut env.ctx, claim).await;
    let before = lamports(&mut env.ctx, authority).await;
    close(&mut env.ctx, claim, &authority)
        .await
        .expect("close expired claim");
    assert!(!account_exists(&mut env.ctx, claim).await);
    assert_eq!(lamports(&mut env.ctx, authority).await, before + rent);

    let registry = fetch::<Registry>(&mut env.ctx, registry_pda()).await;
    assert_eq!(registry.total_claims_closed, 1);
    assert_eq!(
        fetch::<Miner>(&mut env.ctx, miner_pda(&authority))
            .await
            .claims_closed,
        1
    );
}

#[tokio::test]
async fn unrevealed_claim_closes_once_reveal_window_lapses() {
    let mut env = setup(|p| p.reveal_window_slots = PAST_POW_SLOT_AGE + 20).await;
    let miner = env.miner.insecure_clone();
    let authority = miner.pubkey();
    let claim = mine_valid(&mut env.ctx, &miner, BATCH_A).await;
    let deadline = fetch::<Claim>(&mut env.ctx, claim).await.mined_at_slot + PAST_POW_SLOT_AGE + 20;

    // Past MAX_POW_SLOT_AGE but still revealable: active.
    let now = current_slot(&mut env.ctx).await;
    advance_slots(&mut env.ctx, deadline - now).await;
    let result = close(&mut env.ctx, claim, &authority).await;
    assert_error(
        result,
        RegistryError::ClaimStillActive,
        "close on the last reveal slot",
    );

    advance_slots(&mut env.ctx, 1).await;
    let rent = lamports(&mut env.ctx, claim).await;
    let before = lamports(&mut env.ctx, authority).await;
    close(&mut env.ctx, claim, &authority)
        .await
        .expect("close unrevealed claim");
    assert_eq!(lamports(&mut env.ctx, authority).await, before + rent);
    assert!(!account_exists(&mut env.ctx, claim).await);
}

#[tokio::test]
async fn closing_a_still_active_claim_is_refused() {
    let mut env = setup(|p| p.claim_window_slots = 10 * MAX_POW_SLOT_AGE).await;
    let miner = env.miner.insecure_clone();
    let authority = miner.pubkey();
    let claim = mine_valid(&mut env.ctx, &miner, BATCH_A).await;

    // Unrevealed, within its reveal window.
    let result = close(&mut env.ctx, claim, &authority).await;
    assert_error(result, RegistryError::ClaimStillActive, "unrevealed claim");

    // Revealed, within its claim window (even once its seed slot has aged out).
    reveal(&mut env.ctx, &miner, claim).await.expect("reveal");
    advance_slots(&mut env.ctx, PAST_POW_SLOT_AGE).await;
    let result = close(&mut env.ctx, claim, &authority).await;
    assert_error(result, RegistryError::ClaimStillActive, "revealed claim");
    assert!(account_exists(&mut env.ctx, claim).await);
}

#[tokio::test]
async fn fully_consumed_claim_closes_only_once_its_slot_cannot_be_mined_again() {
    let mut env = setup(|p| p.max_consumptions = 1).await;
    let miner = env.miner.insecure_clone();
    let consumer = env.consumer.insecure_clone();
    let authority = miner.pubkey();

    let (slot, slot_hash) = recent_slot_hash(&mut env.ctx).await;
    let nonce = search_nonce(slot, &slot_hash, &authority, &BATCH_A, 8);
    mine(&mut env.ctx, &miner, slot, slot_hash, BATCH_A, nonce)
        .await
        .expect("mine");
    let claim = claim_pda(&authority, &BATCH_A, slot);
    reveal(&mut env.ctx, &miner, claim).await.expect("reveal");
    consume(&mut env.ctx, &consumer, claim, &authority, BATCH_A)
        .await
        .expect("consume");

    let result = close(&mut env.ctx, claim, &authority).await;
    assert_error(
        result,
        RegistryError::ClaimStillMineable,
        "fully consumed, slot still fresh",
    );

    advance_slots(&mut env.ctx, PAST_POW_SLOT_AGE).await;
    close(&mut env.ctx, claim, &authority)
        .await
        .expect("close fully consumed claim");
    assert!(!account_exists(&mut env.ctx, claim).await);

    // The same proof of work cannot be recorded a second time.
    let result = mine(&mut env.ctx, &miner, slot, slot_hash, BATCH_A, nonce).await;
    assert_error(result, RegistryError::SlotTooOld, "re-mine after close");
}

#[tokio::test]
async fn reveal_after_reveal_window_is_refused() {
    let mut env = setup(|_| {}).await;
    let miner = env.miner.insecure_clone();
    let claim = mine_valid(&mut env.ctx, &miner, BATCH_A).await;
    let mined_at = fetch::<Claim>(&mut env.ctx, claim).await.mined_at_slot;

    advance_slots(&mut env.ctx, 20 + 1).await;
    assert_eq!(current_slot(&mut env.ctx).await, mined_at + 21);
    let result = reveal(&mut env.ctx, &miner, claim).await;
    assert_error(
        result,
        RegistryError::RevealWindowClosed,
        "reveal one slot late",
    );
    assert!(!fetch::<Claim>(&mut env.ctx, claim).await.is_revealed());
}

#[tokio::test]
async fn reveal_on_last_slot_of_reveal_window_succeeds() {
    let mut env = setup(|_| {}).await;
    let miner = env.miner.insecure_clone();
    let claim = mine_valid(&mut env.ctx, &miner, BATCH_A).await;

    advance_slots(&mut env.ctx, 20).await;
    reveal(&mut env.ctx, &miner, claim)
        .await
        .expect("reveal on the deadline");
}

#[tokio::test]
async fn reveal_by_someone_else_is_refused() {
    let mut env = setup(|_| {}).await;
    let miner = env.miner.insecure_clone();
    let stranger = env.stranger.insecure_clone();
    let claim = mine_valid(&mut env.ctx, &miner, BATCH_A).await;

    // Naming the real miner's account.
    let result = reveal_as(&mut env.ctx, &stranger, claim, miner_pda(&miner.pubkey())).await;
    assert_error(
        result,
        RegistryError::UnauthorizedMiner,
        "stranger with miner's account",
    );

    // As a registered miner in their own right.
    register_miner(&mut env.ctx, &stranger)
        .await
        .expect("register stranger");
    let result = reveal(&mut env.ctx, &stranger, claim).await;
    assert_error(
        result,
        RegistryError::UnauthorizedMiner,
        "another registered miner",
    );
    assert!(!fetch::<Claim>(&mut env.ctx, claim).await.is_revealed());
}

// ---------------------------------------------------------------------------------------------
// mine_claim checks
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn mine_with_wrong_slot_hash_is_refused() {
    let mut env = setup(|_| {}).await;
    let miner = env.miner.insecure_clone();
    let (slot, mut slot_hash) = recent_slot_hash(&mut env.ctx).await;
    slot_hash[0] ^= 1;
    // A nonce valid for the forged hash, so only the SlotHashes check can refuse it.
    let nonce = search_nonce(slot, &slot_hash, &miner.pubkey(), &BATCH_A, 8);
    let result = mine(&mut env.ctx, &miner, slot, slot_hash, BATCH_A, nonce).await;
    assert_error(result, RegistryError::SlotHashMismatch, "forged slot hash");
}

#[tokio::test]
async fn mine_with_unknown_slot_is_refused() {
    let mut env = setup(|_| {}).await;
    let miner = env.miner.insecure_clone();
    let now = current_slot(&mut env.ctx).await;
    let (_, slot_hash) = recent_slot_hash(&mut env.ctx).await;
    // The current slot has no hash yet; a future one never had.
    for slot in [now, now + 5] {
        let nonce = search_nonce(slot, &slot_hash, &miner.pubkey(), &BATCH_A, 8);
        let result = mine(&mut env.ctx, &miner, slot, slot_hash, BATCH_A, nonce).await;
        assert_error(
            result,
            RegistryError::SlotHashNotFound,
            &format!("slot {slot}"),
        );
    }
}

#[tokio::test]
async fn mine_with_slot_older_than_max_age_is_refused() {
    let mut env = setup(|_| {}).await;
    let miner = env.miner.insecure_clone();
    let (slot, slot_hash) = recent_slot_hash(&mut env.ctx).await;
    let nonce = search_nonce(slot, &slot_hash, &miner.pubkey(), &BATCH_A, 8);

    advance_slots(&mut env.ctx, PAST_POW_SLOT_AGE).await;
    let result = mine(&mut env.ctx, &miner, slot, slot_hash, BATCH_A, nonce).await;
    assert_error(result, RegistryError::SlotTooOld, "stale slot");
}

#[tokio::test]
async fn mine_with_hash_above_target_is_refused() {
    let mut env = setup(|_| {}).await;
    let miner = env.miner.insecure_clone();
    let (slot, slot_hash) = recent_slot_hash(&mut env.ctx).await;
    let nonce = fail_to_solve(slot, &slot_hash, &miner.pubkey(), &BATCH_A, 8);
    let result = mine(&mut env.ctx, &miner, slot, slot_hash, BATCH_A, nonce).await;
    assert_error(result, RegistryError::HashAboveTarget, "hash above target");

    let registry = fetch::<Registry>(&mut env.ctx, registry_pda()).await;
    assert_eq!(registry.total_claims_mined, 0);
    assert_eq!(registry.last_mined_slot, 0);
}

#[tokio::test]
async fn proof_of_work_is_bound_to_the_miner() {
    let mut env = setup(|_| {}).await;
    let miner = env.miner.insecure_clone();
    let stranger = env.stranger.insecure_clone();
    register_miner(&mut env.ctx, &stranger)
        .await
        .expect("register stranger");

    // A nonce found by `miner`, replayed by `stranger`, is (almost surely) not valid for them.
    let (slot, slot_hash) = recent_slot_hash(&mut env.ctx).await;
    let nonce = (0..)
        .find(|&nonce| {
            pow::meets_difficulty(
                &pow::pow_hash(slot, &slot_hash, &miner.pubkey(), &BATCH_A, nonce),
                8,
            ) && !pow::meets_difficulty(
                &pow::pow_hash(slot, &slot_hash, &stranger.pubkey(), &BATCH_A, nonce),
                8,
            )
        })
        .expect("a nonce valid only for the miner");
    let result = mine(&mut env.ctx, &stranger, slot, slot_hash, BATCH_A, nonce).await;
    assert_error(result, RegistryError::HashAboveTarget, "stolen nonce");
    mine(&mut env.ctx, &miner, slot, slot_hash, BATCH_A, nonce)
        .await
        .expect("the miner's own nonce");
}

#[tokio::test]
async fn mine_by_unregistered_authority_is_refused() {
    let mut env = setup(|_| {}).await;
    let stranger = env.stranger.insecure_clone();
    let (slot, slot_hash) = recent_slot_hash(&mut env.ctx).await;
    let nonce = search_nonce(slot, &slot_hash, &stranger.pubkey(), &BATCH_A, 8);
    let result = mine(&mut env.ctx, &stranger, slot, slot_hash, BATCH_A, nonce).await;
    assert_program_error(
        result,
        scramble_registry::ID,
        anchor_lang::error::ErrorCode::AccountNotInitialized,
        "no miner account",
    );
}

// ---------------------------------------------------------------------------------------------
// Retargeting
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn quick_successive_claims_double_difficulty_up_to_max() {
    let mut env = setup(|p| {
        p.initial_difficulty = 8;
        p.max_difficulty = 20;
        p.target_interval_slots = 10;
    })
    .await;
    let miner = env.miner.insecure_clone();
    let difficulty = |registry: Registry| registry.difficulty;

    // The first claim only starts the clock.
    let first = mine_valid(&mut env.ctx, &miner, BATCH_A).await;
    assert_eq!(difficulty(fetch(&mut env.ctx, registry_pda()).await), 8);

    // Same slot: elapsed counts as 1 slot, 10x faster than target, capped at 2x.
    let second = mine_valid(&mut env.ctx, &miner, BATCH_B).await;
    assert_eq!(difficulty(fetch(&mut env.ctx, registry_pda()).await), 16);

    // Doubling again would be 32, but max_difficulty is 20.
    let third = mine_valid(&mut env.ctx, &miner, [0x77; 32]).await;
    assert_eq!(difficulty(fetch(&mut env.ctx, registry_pda()).await), 20);

    // Each claim records the difficulty it was checked against, before its own retarget.
    let recorded = [
        fetch::<Claim>(&mut env.ctx, first).await.difficulty,
        fetch::<Claim>(&mut env.ctx, second).await.difficulty,
        fetch::<Claim>(&mut env.ctx, third).await.difficulty,
    ];
    assert_eq!(recorded, [8, 8, 16]);
    assert_eq!(
        fetch::<Registry>(&mut env.ctx, registry_pda())
            .await
            .total_claims_mined,
        3
    );
}

#[tokio::test]
async fn slow_claims_halve_difficulty_down_to_min() {
    let mut env = setup(|p| {
        p.initial_difficulty = 16;
        p.min_difficulty = 6;
        p.target_interval_slots = 10;
    })
    .await;
    let miner = env.miner.insecure_clone();

    mine_valid(&mut env.ctx, &miner, BATCH_A).await;
    let registry = fetch::<Registry>(&mut env.ctx, registry_pda()).await;
    assert_eq!(registry.difficulty, 16);
    assert_eq!(registry.last_mined_slot, current_slot(&mut env.ctx).await);

    // 100 slots for a 10-slot target would propose 1.6, capped at half.
    advance_slots(&mut env.ctx, 100).await;
    mine_valid(&mut env.ctx, &miner, BATCH_B).await;
    let registry = fetch::<Registry>(&mut env.ctx, registry_pda()).await;
    assert_eq!(registry.difficulty, 8);
    assert_eq!(registry.last_mined_slot, current_slot(&mut env.ctx).await);

    // Halving again would be 4, but min_difficulty is 6.
    advance_slots(&mut env.ctx, 100).await;
    mine_valid(&mut env.ctx, &miner, [0x77; 32]).await;
    assert_eq!(
        fetch::<Registry>(&mut env.ctx, registry_pda())
            .await
            .difficulty,
        6
    );
}

#[tokio::test]
async fn claims_on_the_target_interval_keep_difficulty() {
    let mut env = setup(|p| p.target_interval_slots = 10).await;
    let miner = env.miner.insecure_clone();

    mine_valid(&mut env.ctx, &miner, BATCH_A).await;
    advance_slots(&mut env.ctx, 10).await;
    mine_valid(&mut env.ctx, &miner, BATCH_B).await;
    assert_eq!(
        fetch::<Registry>(&mut env.ctx, registry_pda())
            .await
            .difficulty,
        8
    );
}
