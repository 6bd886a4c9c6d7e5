//! Shared harness for the native program tests: both Cloak programs registered as builtins in
//! solana-program-test's bank (SPL Token runs there as its real SBF build), each with the
//! ProgramData account of an upgradeable deployment naming the context's payer as its upgrade
//! authority, plus helpers to send transactions and read Anchor accounts, events and errors.

pub mod fixtures;
pub mod governance;
pub mod registry;
pub mod shield;

use anchor_lang::solana_program::bpf_loader_upgradeable::{self, UpgradeableLoaderState};
use anchor_lang::{AccountDeserialize, Event, InstructionData, ToAccountMetas};
use solana_program_test::{processor, BanksClientError, ProgramTest, ProgramTestContext};
use solana_sdk::{
    account::Account,
    account_info::AccountInfo,
    clock::Clock,
    entrypoint::ProgramResult,
    instruction::Instruction,
    pubkey::Pubkey,
    rent::Rent,
    signature::{Keypair, Signer},
    transaction::Transaction,
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

/// Starts a bank from [`program_test`], with the context's payer as both programs' upgrade authority.
pub async fn start() -> ProgramTestContext {
    start_with(program_test()).await
}

/// Starts `test` (built on [`program_test`]) with the context's payer as both programs' upgrade
/// authority.
pub async fn start_with(test: ProgramTest) -> ProgramTestContext {
    let mut context = test.start_with_context().await;
    let payer = context.payer.pubkey();
    for program in [shield_pool::ID, scramble_registry::ID] {
        set_upgrade_authority(&mut context, program, Some(payer)).await;
    }
    context
}

/// Where the upgradeable loader keeps `program`'s ProgramData account.
pub fn program_data_address(program: &Pubkey) -> Pubkey {
    bpf_loader_upgradeable::get_program_data_address(program)
}

/// Writes `program`'s ProgramData account as an upgradeable deployment has it (the loader's PDA,
/// owned by the loader), naming `authority` (`None`: immutable). The programs themselves stay
/// builtins: the runtime hands a program account owned by the upgradeable loader to that loader,
/// which runs only SBF code, so only the ProgramData side of a deployment can be modelled natively.
/// Its rent comes out of the payer's balance, keeping the bank's capitalization exact (the
/// accounts-hash check of a multi-slot warp fails otherwise).
pub async fn set_upgrade_authority(context: &mut ProgramTestContext, program: Pubkey, authority: Option<Pubkey>) {
    let address = program_data_address(&program);
    let state = UpgradeableLoaderState::ProgramData { slot: 0, upgrade_authority_address: authority };
    let data = bincode::serialize(&state).expect("ProgramData serializes");
    let lamports = match context.banks_client.get_account(address).await.expect("banks client") {
        Some(existing) => existing.lamports,
        None => {
            let rent = Rent::default().minimum_balance(data.len());
            let payer = context.payer.pubkey();
            let mut funder = context.banks_client.get_account(payer).await.expect("banks client").expect("payer");
            funder.lamports -= rent;
            context.set_account(&payer, &funder.into());
            rent
        }
    };
    let account = Account { lamports, data, owner: bpf_loader_upgradeable::ID, executable: false, rent_epoch: 0 };
    context.set_account(&address, &account.into());
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
/// Sent with preflight, as wallets do, so a refused transaction comes back with its logs, which
/// name the program that failed ([`assert_error`]).
pub async fn send(
    context: &mut ProgramTestContext,
    instructions: &[Instruction],
    signers: &[&Keypair],
) -> Result<(), BanksClientError> {
    let transaction = signed_transaction(context, instructions, signers).await?;
    context.banks_client.process_transaction_with_preflight(transaction).await
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

/// The program that raised the error a transaction failed with, and the error's custom code: the
/// first `Program <id> failed: custom program error: 0x<code>` line of its logs. A program that
/// fails inside a CPI logs its failure before its callers pass the same code on, so this is the
/// program that refused, not the one the transaction called.
pub fn failing_program(result: &Result<(), BanksClientError>) -> Option<(Pubkey, u32)> {
    let Err(BanksClientError::SimulationError { logs, .. }) = result else {
        return None;
    };
    logs.iter().find_map(|line| {
        let (program, code) = line.strip_prefix("Program ")?.split_once(" failed: custom program error: 0x")?;
        Some((program.parse().ok()?, u32::from_str_radix(code, 16).ok()?))
    })
}

/// An error enum of one of our programs: which program raises it.
pub trait ProgramErrorCode: Into<u32> + std::fmt::Debug + Copy {
    const PROGRAM: Pubkey;
}

impl ProgramErrorCode for shield_pool::errors::ShieldPoolError {
    const PROGRAM: Pubkey = shield_pool::ID;
}

impl ProgramErrorCode for scramble_registry::RegistryError {
    const PROGRAM: Pubkey = scramble_registry::ID;
}

/// Asserts the transaction failed with `expected`, raised by the program that owns that error.
#[track_caller]
pub fn assert_error<E: ProgramErrorCode>(result: Result<(), BanksClientError>, expected: E, what: &str) {
    assert_program_error(result, E::PROGRAM, expected, what);
}

/// Asserts the transaction failed with custom error `code` raised by `program` (for Anchor's own
/// errors, e.g. `ErrorCode::AccountNotInitialized`, which any Anchor program can raise).
#[track_caller]
pub fn assert_program_error(
    result: Result<(), BanksClientError>,
    program: Pubkey,
    code: impl Into<u32> + std::fmt::Debug,
    what: &str,
) {
    let expected_name = format!("{code:?}");
    let expected = (program, code.into());
    assert_eq!(
        failing_program(&result),
        Some(expected),
        "{what}: expected {expected_name} ({}) from {program}, got {result:?}",
        expected.1
    );
}

/// Moves the bank forward `slots` slots (new blockhash, SlotHashes updated).
pub async fn advance_slots(context: &mut ProgramTestContext, slots: u64) {
    let current = context.banks_client.get_root_slot().await.expect("slot");
    context.warp_to_slot(current + slots).expect("warp");
}

pub async fn current_slot(context: &mut ProgramTestContext) -> u64 {
    clock(context).await.slot
}

pub async fn clock(context: &mut ProgramTestContext) -> Clock {
    context.banks_client.get_sysvar::<Clock>().await.expect("clock")
}

pub async fn unix_timestamp(context: &mut ProgramTestContext) -> i64 {
    clock(context).await.unix_timestamp
}

/// Moves the bank to the next slot (a fresh blockhash, so a transaction refused before can be
/// sent again) and sets its clock to `unix_timestamp`, to the second.
pub async fn warp_to_unix_timestamp(context: &mut ProgramTestContext, unix_timestamp: i64) {
    advance_slots(context, 1).await;
    let clock = Clock { unix_timestamp, ..clock(context).await };
    context.set_sysvar(&clock);
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

/// Sends `instructions` (they must succeed) and returns the events `program_id` emitted through
/// `emit_cpi!` on the way, as [`simulate_cpi_events`] reads them from the same transaction.
pub async fn send_for_cpi_events(
    context: &mut ProgramTestContext,
    program_id: Pubkey,
    instructions: &[Instruction],
    signers: &[&Keypair],
) -> Vec<Vec<u8>> {
    let events = simulate_cpi_events(context, program_id, instructions, signers).await;
    send(context, instructions, signers).await.expect("the simulated transaction succeeds when sent");
    events
}

/// Asserts `events` holds `expected`, byte for byte (discriminator and every field).
#[track_caller]
pub fn assert_emitted<E: Event>(events: &[Vec<u8>], expected: &E) {
    let encoded = expected.data();
    assert!(
        events.contains(&encoded),
        "event {} not among the {} emitted",
        std::any::type_name::<E>(),
        events.len()
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_sdk::transaction::TransactionError;

    /// The logs of a transact whose registry CPI refused: the registry fails first, then the shield
    /// pool passes the same code on.
    fn refused_in_a_cpi() -> Result<(), BanksClientError> {
        let code = u32::from(scramble_registry::RegistryError::BatchMismatch);
        Err(BanksClientError::SimulationError {
            err: TransactionError::InstructionError(1, solana_sdk::instruction::InstructionError::Custom(code)),
            logs: vec![
                format!("Program {} invoke [1]", shield_pool::ID),
                format!("Program {} invoke [2]", scramble_registry::ID),
                format!("Program {} failed: custom program error: {code:#x}", scramble_registry::ID),
                format!("Program {} failed: custom program error: {code:#x}", shield_pool::ID),
            ],
            units_consumed: 0,
            return_data: None,
        })
    }

    #[test]
    fn the_failing_program_is_the_one_that_refused_not_its_caller() {
        let code = u32::from(scramble_registry::RegistryError::BatchMismatch);
        assert_eq!(failing_program(&refused_in_a_cpi()), Some((scramble_registry::ID, code)));
        assert_error(refused_in_a_cpi(), scramble_registry::RegistryError::BatchMismatch, "the registry refused");
    }

    #[test]
    #[should_panic(expected = "(7021) from C1oakShie1dPoo111111111111111111111111111111")]
    fn the_right_code_from_the_wrong_program_fails_the_assertion() {
        assert_program_error(refused_in_a_cpi(), shield_pool::ID, 7021u32, "the pool did not refuse");
    }
}
