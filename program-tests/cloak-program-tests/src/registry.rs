//! Scramble-registry setup for the tests: a registry whose consumer is the shield pool's config PDA,
//! a funded miner, and claims mined against a real slot hash.

use anchor_lang::prelude::Pubkey;
use anchor_lang::system_program;
use scramble_registry::constants::{CLAIM_SEED, MINER_SEED, REGISTRY_SEED, SLOT_HASHES_SYSVAR_ID};
use scramble_registry::pow::{meets_difficulty, pow_hash};
use scramble_registry::state::RegistryParams;
use solana_program_test::{BanksClientError, ProgramTestContext};
use solana_sdk::{instruction::Instruction, signature::Keypair, signer::Signer, slot_hashes::SlotHashes};

use crate::{anchor_ix, send};

pub fn registry_pda() -> Pubkey {
    Pubkey::find_program_address(&[REGISTRY_SEED], &scramble_registry::ID).0
}

/// The PDA the registry's `emit_cpi!` signs its event self-CPI with.
pub fn registry_event_authority_pda() -> Pubkey {
    Pubkey::find_program_address(&[b"__event_authority"], &scramble_registry::ID).0
}

pub fn miner_pda(authority: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[MINER_SEED, authority.as_ref()], &scramble_registry::ID).0
}

pub fn claim_pda(authority: &Pubkey, batch_hash: &[u8; 32], slot: u64) -> Pubkey {
    Pubkey::find_program_address(
        &[CLAIM_SEED, authority.as_ref(), batch_hash, &slot.to_le_bytes()],
        &scramble_registry::ID,
    )
    .0
}

/// Registry parameters for tests: an easy difficulty, 20% of relayer fees to the miner.
pub fn test_params(consumer_authority: Pubkey) -> RegistryParams {
    RegistryParams {
        consumer_authority,
        initial_difficulty: 4,
        min_difficulty: 1,
        max_difficulty: 1_000,
        target_interval_slots: 10,
        miner_fee_share_bps: 2_000,
        reveal_window_slots: 100,
        claim_window_slots: 1_000,
        max_consumptions: 3,
    }
}

/// `initialize` signed by `admin`, which must be the registry's upgrade authority.
pub fn initialize_registry_ix(admin: &Pubkey, params: RegistryParams) -> Instruction {
    anchor_ix(
        scramble_registry::ID,
        scramble_registry::accounts::Initialize {
            registry: registry_pda(),
            admin: *admin,
            program_data: crate::program_data_address(&scramble_registry::ID),
            system_program: system_program::ID,
            event_authority: registry_event_authority_pda(),
            program: scramble_registry::ID,
        },
        scramble_registry::instruction::Initialize { params },
    )
}

/// Initializes the registry with the context's payer (the upgrade authority) as admin.
pub async fn initialize_registry(context: &mut ProgramTestContext, params: RegistryParams) {
    let admin = context.payer.pubkey();
    send(context, &[initialize_registry_ix(&admin, params)], &[]).await.expect("initialize registry");
}

/// A new miner keypair, funded by the payer and registered.
pub async fn register_miner(context: &mut ProgramTestContext) -> Keypair {
    let miner = Keypair::new();
    let fund = anchor_lang::solana_program::system_instruction::transfer(
        &context.payer.pubkey(),
        &miner.pubkey(),
        1_000_000_000,
    );
    let register = anchor_ix(
        scramble_registry::ID,
        scramble_registry::accounts::RegisterMiner {
            registry: registry_pda(),
            miner: miner_pda(&miner.pubkey()),
            authority: miner.pubkey(),
            system_program: system_program::ID,
        },
        scramble_registry::instruction::RegisterMiner {},
    );
    send(context, &[fund, register], &[&miner]).await.expect("register miner");
    miner
}

/// The newest entry of the bank's SlotHashes sysvar (the bank must be past its first slot).
pub async fn recent_slot_hash(context: &mut ProgramTestContext) -> (u64, [u8; 32]) {
    let slot_hashes: SlotHashes = context.banks_client.get_sysvar().await.expect("SlotHashes");
    let (slot, hash) = slot_hashes.first().expect("SlotHashes has an entry");
    (*slot, hash.to_bytes())
}

/// The first nonce whose PoW hash meets `difficulty`.
pub fn search_nonce(slot: u64, slot_hash: &[u8; 32], miner: &Pubkey, batch_hash: &[u8; 32], difficulty: u64) -> u64 {
    (0u64..)
        .find(|nonce| meets_difficulty(&pow_hash(slot, slot_hash, miner, batch_hash, *nonce), difficulty))
        .expect("a nonce exists")
}

pub fn mine_claim_ix(
    miner: &Pubkey,
    slot: u64,
    slot_hash: [u8; 32],
    batch_hash: [u8; 32],
    nonce: u64,
) -> Instruction {
    anchor_ix(
        scramble_registry::ID,
        scramble_registry::accounts::MineClaim {
            registry: registry_pda(),
            miner: miner_pda(miner),
            claim: claim_pda(miner, &batch_hash, slot),
            authority: *miner,
            slot_hashes: SLOT_HASHES_SYSVAR_ID,
            system_program: system_program::ID,
        },
        scramble_registry::instruction::MineClaim { slot, slot_hash, batch_hash, nonce },
    )
}

pub fn reveal_claim_ix(miner: &Pubkey, claim: Pubkey) -> Instruction {
    anchor_ix(
        scramble_registry::ID,
        scramble_registry::accounts::RevealClaim {
            registry: registry_pda(),
            claim,
            miner: miner_pda(miner),
            authority: *miner,
        },
        scramble_registry::instruction::RevealClaim {},
    )
}

/// Mines (at the registry's current `difficulty`) and reveals a claim for `batch_hash`; returns its
/// address.
pub async fn mine_and_reveal(
    context: &mut ProgramTestContext,
    miner: &Keypair,
    batch_hash: [u8; 32],
    difficulty: u64,
) -> Result<Pubkey, BanksClientError> {
    let (slot, slot_hash) = recent_slot_hash(context).await;
    let nonce = search_nonce(slot, &slot_hash, &miner.pubkey(), &batch_hash, difficulty);
    let claim = claim_pda(&miner.pubkey(), &batch_hash, slot);
    send(
        context,
        &[
            mine_claim_ix(&miner.pubkey(), slot, slot_hash, batch_hash, nonce),
            reveal_claim_ix(&miner.pubkey(), claim),
        ],
        &[miner],
    )
    .await?;
    Ok(claim)
}
