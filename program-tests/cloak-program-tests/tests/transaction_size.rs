//! A transact carries 734 bytes of proof, public inputs (with the root's position) and ext_data. These tests pin down how it
//! fits Solana's 1,232-byte packet: as a v0 transaction whose deployment-wide accounts come from an
//! address lookup table (what the SDK builds), with a priority fee, and not as a legacy transaction.

use cloak_program_tests::fixtures::load_flow;
use cloak_program_tests::shield::{transact_ix, PoolKeys, PowAccounts, TransactAccounts};
use solana_sdk::{
    address_lookup_table::AddressLookupTableAccount,
    hash::Hash,
    instruction::Instruction,
    message::{v0, Message, VersionedMessage},
    packet::PACKET_DATA_SIZE,
    pubkey::Pubkey,
    signature::Signer,
    transaction::{Transaction, VersionedTransaction},
};

/// The miner whose claim the relayer buys.
fn miner() -> Pubkey {
    Pubkey::new_from_array([7; 32])
}

/// The largest transact: a PoW-gated relayed withdrawal with every optional account present, signed
/// and paid for by its relayer (the program requires the relayer to sign when it takes a fee).
fn largest_transact(payer: &Pubkey) -> Vec<Instruction> {
    let flow = load_flow("sol_flow");
    let step = flow.step("pow_withdraw");
    let mut accounts = TransactAccounts::for_step(&step);
    accounts.pow = Some(PowAccounts {
        registry: cloak_program_tests::registry::registry_pda(),
        claim: Pubkey::new_unique(),
        miner: cloak_program_tests::registry::miner_pda(&miner()),
        miner_fee_account: miner(),
    });
    vec![
        cloak_program_tests::compute_budget(),
        // The runbook's relayers pay a priority fee.
        solana_sdk::compute_budget::ComputeBudgetInstruction::set_compute_unit_price(1_000),
        transact_ix(&PoolKeys::native(), payer, &step, accounts),
    ]
}

/// The lookup table a relayer keeps: the accounts every transact of the pool names and the miners it
/// buys claims from. What differs per transaction (nullifier accounts, recipient, the claim) stays in
/// the message, and so does the relayer: it signs, and signers cannot come from a table.
fn relayer_table() -> AddressLookupTableAccount {
    let keys = PoolKeys::native();
    AddressLookupTableAccount {
        key: Pubkey::new_unique(),
        addresses: vec![
            cloak_program_tests::shield::config_pda(),
            keys.pool,
            keys.tree,
            keys.vault,
            cloak_program_tests::shield::event_authority_pda(),
            anchor_lang::system_program::ID,
            scramble_registry::ID,
            cloak_program_tests::registry::registry_pda(),
            cloak_program_tests::registry::miner_pda(&miner()),
            miner(),
        ],
    }
}

#[test]
fn a_pow_gated_withdrawal_with_a_priority_fee_fits_a_packet_as_a_v0_transaction() {
    let payer = load_flow("sol_flow").keypair("relayer");
    let instructions = largest_transact(&payer.pubkey());
    let table = relayer_table();
    let message = v0::Message::try_compile(&payer.pubkey(), &instructions, &[table], Hash::default())
        .expect("v0 message compiles");
    let transaction = VersionedTransaction::try_new(VersionedMessage::V0(message), &[&payer])
        .expect("signs");
    let size = bincode::serialize(&transaction).expect("serializes").len();
    println!("v0 transact with lookup table: {size} bytes");
    assert!(size <= PACKET_DATA_SIZE, "v0 transact is {size} bytes, over {PACKET_DATA_SIZE}");
}

#[test]
fn a_withdrawal_does_not_fit_a_packet_as_a_legacy_transaction() {
    let payer = load_flow("sol_flow").keypair("relayer");
    let instructions = largest_transact(&payer.pubkey());
    let message = Message::new(&instructions, Some(&payer.pubkey()));
    let transaction = Transaction::new(&[&payer], message, Hash::default());
    let size = bincode::serialize(&transaction).expect("serializes").len();
    println!("legacy transact: {size} bytes");
    assert!(size > PACKET_DATA_SIZE, "legacy transact is {size} bytes; the lookup table would be unnecessary");
}
