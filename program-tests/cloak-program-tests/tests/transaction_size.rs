//! A transact carries ~800 bytes of proof, public inputs and ext_data. These tests pin down how it
//! fits Solana's 1,232-byte packet: as a v0 transaction whose non-signer accounts come from an
//! address lookup table (what the SDK builds), and not as a legacy transaction.

use cloak_program_tests::fixtures::load_flow;
use cloak_program_tests::shield::{transact_ix, PoolKeys, PowAccounts, TransactAccounts};
use solana_sdk::{
    address_lookup_table::AddressLookupTableAccount,
    hash::Hash,
    instruction::Instruction,
    message::{v0, Message, VersionedMessage},
    packet::PACKET_DATA_SIZE,
    pubkey::Pubkey,
    signature::{Keypair, Signer},
    transaction::{Transaction, VersionedTransaction},
};

/// The largest transact: a PoW-gated relayed withdrawal with every optional account present.
fn largest_transact(payer: &Pubkey) -> Vec<Instruction> {
    let flow = load_flow("sol_flow");
    let step = flow.step("pow_withdraw");
    let mut accounts = TransactAccounts::for_step(&step);
    accounts.pow = Some(PowAccounts {
        registry: Pubkey::new_unique(),
        claim: Pubkey::new_unique(),
        miner: Pubkey::new_unique(),
        miner_fee_account: Pubkey::new_unique(),
    });
    vec![
        cloak_program_tests::compute_budget(),
        transact_ix(&PoolKeys::native(), payer, &step, accounts),
    ]
}

#[test]
fn a_pow_gated_withdrawal_fits_a_packet_as_a_v0_transaction_with_a_lookup_table() {
    let payer = Keypair::new();
    let instructions = largest_transact(&payer.pubkey());
    // The table holds every account except the signer and the invoked programs, which v0 messages
    // must list statically.
    let programs = [shield_pool::ID, solana_sdk::compute_budget::ID];
    let mut addresses: Vec<Pubkey> = instructions
        .iter()
        .flat_map(|instruction| instruction.accounts.iter().map(|meta| meta.pubkey))
        .filter(|key| *key != payer.pubkey() && !programs.contains(key))
        .collect();
    addresses.sort();
    addresses.dedup();
    let table = AddressLookupTableAccount { key: Pubkey::new_unique(), addresses };
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
    let payer = Keypair::new();
    let instructions = largest_transact(&payer.pubkey());
    let message = Message::new(&instructions, Some(&payer.pubkey()));
    let transaction = Transaction::new(&[&payer], message, Hash::default());
    let size = bincode::serialize(&transaction).expect("serializes").len();
    println!("legacy transact: {size} bytes");
    assert!(size > PACKET_DATA_SIZE, "legacy transact is {size} bytes; the lookup table would be unnecessary");
}
