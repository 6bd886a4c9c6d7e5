//! Shared harness for the native program tests: both Cloak programs registered as builtins in
//! solana-program-test's bank (SPL Token runs there as its real SBF build), plus helpers to send
//! transactions and read Anchor accounts and errors.

pub mod fixtures;
pub mod registry;
pub mod shield;

use anchor_lang::{AccountDeserialize, InstructionData, ToAccountMetas};
use solana_program_test::{processor, BanksClientError, ProgramTest, ProgramTestContext};
use solana_sdk::{
    account_info::AccountInfo,
    entrypoint::ProgramResult,
    instruction::{Instruction, InstructionError},
    pubkey::Pubkey,
    signature::{Keypair, Signer},
    transaction::{Transaction, TransactionError},
};

/// Anchor's generated `entry` ties the account slice's lifetime to the accounts' own, which
/// `processor!`'s plain function pointer type cannot express. Leaking a copy of the slice (a few
/// `Rc` clones per instruction, test-only) gives it the lifetime it asks for without `unsafe`.
fn shield_pool_entry(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let accounts = Box::leak(Box::new(accounts.to_vec()));
    shield_pool::entry(program_id, accounts, data)
}

fn scramble_registry_entry(
    program_id: &Pubkey,
    accounts: &[AccountInfo],
    data: &[u8],
) -> ProgramResult {
    let accounts = Box::leak(Box::new(accounts.to_vec()));
    scramble_registry::entry(program_id, accounts, data)
}

/// A bank with both Cloak programs (native) and the default SPL programs.
pub fn program_test() -> ProgramTest {
    let mut test = ProgramTest::default();
    test.prefer_bpf(false);
    test.add_program("shield_pool", shield_pool::ID, processor!(shield_pool_entry));
    test.add_program(
        "scramble_registry",
        scramble_registry::ID,
        processor!(scramble_registry_entry),
    );
    test
}

/// Starts a bank from [`program_test`].
pub async fn start() -> ProgramTestContext {
    program_test().start_with_context().await
}

/// An Anchor instruction from its generated `accounts` and `instruction` structs.
pub fn anchor_ix(
    program_id: Pubkey,
    accounts: impl ToAccountMetas,
    data: impl InstructionData,
) -> Instruction {
    Instruction {
        program_id,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

/// `instructions` in one transaction paid and signed by the context's payer, plus `signers`.
async fn signed_transaction(
    context: &mut ProgramTestContext,
    instructions: &[Instruction],
    signers: &[&Keypair],
) -> Result<Transaction, BanksClientError> {
    let blockhash = context.banks_client.get_latest_blockhash().await?;
    let mut all_signers: Vec<&Keypair> = vec![&context.payer];
    all_signers.extend_from_slice(signers);
    Ok(Transaction::new_signed_with_payer(
        instructions,
        Some(&context.payer.pubkey()),
        &all_signers,
        blockhash,
    ))
}

/// Signs with the context's payer plus `signers` and processes `instructions` in one transaction.
pub async fn send(
    context: &mut ProgramTestContext,
    instructions: &[Instruction],
    signers: &[&Keypair],
) -> Result<(), BanksClientError> {
    let transaction = signed_transaction(context, instructions, signers).await?;
    context.banks_client.process_transaction(transaction).await
}

/// The data of the account at `address`, which must exist.
pub async fn account_data(context: &mut ProgramTestContext, address: Pubkey) -> Vec<u8> {
    context
        .banks_client
        .get_account(address)
        .await
        .expect("banks client")
        .unwrap_or_else(|| panic!("account {address} does not exist"))
        .data
}

/// The Anchor account at `address`, deserialized (discriminator checked).
pub async fn fetch<T: AccountDeserialize>(context: &mut ProgramTestContext, address: Pubkey) -> T {
    T::try_deserialize(&mut account_data(context, address).await.as_slice()).expect("account decodes")
}

pub async fn lamports(context: &mut ProgramTestContext, address: Pubkey) -> u64 {
    context
        .banks_client
        .get_balance(address)
        .await
        .expect("banks client")
}

pub async fn account_exists(context: &mut ProgramTestContext, address: Pubkey) -> bool {
    context
        .banks_client
        .get_account(address)
        .await
        .expect("banks client")
        .is_some()
}

/// The custom error code a failed transaction carries, if it failed with one.
pub fn custom_error(result: &Result<(), BanksClientError>) -> Option<u32> {
    match result {
        Err(BanksClientError::TransactionError(TransactionError::InstructionError(
            _,
            InstructionError::Custom(code),
        ))) => Some(*code),
        Err(BanksClientError::SimulationError {
            err: TransactionError::InstructionError(_, InstructionError::Custom(code)),
            ..
        }) => Some(*code),
        _ => None,
    }
}

/// Asserts the transaction failed with the Anchor error `expected` (its `u32` code).
#[track_caller]
pub fn assert_error(result: Result<(), BanksClientError>, expected: impl Into<u32>, what: &str) {
    let expected = expected.into();
    assert_eq!(
        custom_error(&result),
        Some(expected),
        "{what}: expected custom error {expected}, got {result:?}"
    );
}

/// Moves the bank forward `slots` slots (new blockhash, SlotHashes updated).
pub async fn advance_slots(context: &mut ProgramTestContext, slots: u64) {
    let current = context.banks_client.get_root_slot().await.expect("slot");
    context.warp_to_slot(current + slots).expect("warp");
}

pub async fn current_slot(context: &mut ProgramTestContext) -> u64 {
    context
        .banks_client
        .get_sysvar::<solana_sdk::clock::Clock>()
        .await
        .expect("clock")
        .slot
}

/// A compute budget for a transact: natively every instruction is charged 1 CU, so the limit only
/// mirrors what a client sends on chain (docs/solana.md has the computed cost).
pub fn compute_budget() -> Instruction {
    solana_sdk::compute_budget::ComputeBudgetInstruction::set_compute_unit_limit(400_000)
}

/// A zero-copy Anchor account's data at `address`, past its discriminator.
pub async fn fetch_zero_copy<T: bytemuck::Pod>(context: &mut ProgramTestContext, address: Pubkey) -> T {
    let data = account_data(context, address).await;
    bytemuck::pod_read_unaligned(&data[8..8 + std::mem::size_of::<T>()])
}

/// The events `program_id` emitted through Anchor's `emit_cpi!` when the bank runs `instructions`
/// (simulated, so nothing is committed): each is the event's 8-byte discriminator then its Borsh
/// encoding, taken from the self-CPIs among the transaction's inner instructions.
pub async fn simulate_cpi_events(
    context: &mut ProgramTestContext,
    program_id: Pubkey,
    instructions: &[Instruction],
    signers: &[&Keypair],
) -> Vec<Vec<u8>> {
    let transaction = signed_transaction(context, instructions, signers).await.expect("blockhash");
    let account_keys = transaction.message.account_keys.clone();
    let simulation = context
        .banks_client
        .simulate_transaction(transaction)
        .await
        .expect("banks client");
    simulation.result.expect("simulated").expect("transaction succeeds");
    let inner = simulation
        .simulation_details
        .and_then(|details| details.inner_instructions)
        .expect("inner instructions are recorded");
    inner
        .iter()
        .flat_map(|group| group.iter())
        .filter(|inner| account_keys[inner.instruction.program_id_index as usize] == program_id)
        .filter_map(|inner| inner.instruction.data.strip_prefix(anchor_lang::event::EVENT_IX_TAG_LE).map(<[u8]>::to_vec))
        .collect()
}
