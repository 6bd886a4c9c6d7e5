//! The chain: a LiteSVM instance with the Cloak programs loaded, slots that pass, and the history of
//! every transaction it executed (LiteSVM keeps results only; RPC needs slots, balances and lookups).

use std::collections::{HashMap, VecDeque};

use anchor_lang::solana_program::bpf_loader_upgradeable::{self, UpgradeableLoaderState};
use litesvm::LiteSVM;
use serde::{Deserialize, Serialize};
use solana_sdk::{
    account::{Account, AccountSharedData, ReadableAccount},
    address_lookup_table::state::AddressLookupTable,
    clock::Clock,
    hash::Hash,
    message::{inner_instruction::InnerInstructionsList, v0::MessageAddressTableLookup, VersionedMessage},
    native_loader,
    pubkey::Pubkey,
    signature::Signature,
    slot_hashes::SlotHashes,
    transaction::{TransactionError, VersionedTransaction},
};
use tokio::sync::broadcast;

use solana_sdk::signer::Signer;

use crate::program_host;

/// Blocks a blockhash stays usable for on a validator (about 60 s at 400 ms slots).
pub const MAX_BLOCKHASH_AGE: u64 = 150;
/// Wall time a blockhash stays usable for at least: clients cache one (web3.js for 30 s), so a node
/// with fast slots keeps its blockhashes for as many blocks as cover this.
const MIN_BLOCKHASH_LIFETIME_MS: u64 = 60_000;

/// Blocks a blockhash stays usable for at `slot_time`: 150, or more when slots are faster than 400 ms.
pub fn blockhash_validity(slot_time: std::time::Duration) -> u64 {
    MAX_BLOCKHASH_AGE.max(MIN_BLOCKHASH_LIFETIME_MS.div_ceil(slot_time.as_millis().max(1) as u64))
}
/// Entries the SlotHashes sysvar holds, as on a validator.
const SLOT_HASHES_LEN: usize = 512;
pub const LAMPORTS_PER_SIGNATURE: u64 = 5_000;
pub const GENESIS_LAMPORTS: u64 = 1_000_000 * 1_000_000_000;

/// The token program ids whose accounts get pre/post token balances.
pub const TOKEN_PROGRAM_IDS: [Pubkey; 2] = [
    solana_sdk::pubkey!("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"),
    solana_sdk::pubkey!("TokenzQdBNbLqP5VEhdkAS6EPFLC1PpnBqQfJcTXutF"),
];

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TokenBalance {
    pub account_index: u8,
    pub mint: Pubkey,
    pub owner: Pubkey,
    pub program_id: Pubkey,
    pub amount: u64,
    pub decimals: u8,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TransactionStatusMeta {
    pub err: Option<TransactionError>,
    pub fee: u64,
    pub pre_balances: Vec<u64>,
    pub post_balances: Vec<u64>,
    pub pre_token_balances: Vec<TokenBalance>,
    pub post_token_balances: Vec<TokenBalance>,
    pub inner_instructions: InnerInstructionsList,
    pub log_messages: Vec<String>,
    pub loaded_writable: Vec<Pubkey>,
    pub loaded_readonly: Vec<Pubkey>,
    pub compute_units_consumed: u64,
    pub return_data: Option<(Pubkey, Vec<u8>)>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TransactionRecord {
    pub slot: u64,
    pub block_time: i64,
    pub transaction: VersionedTransaction,
    pub meta: TransactionStatusMeta,
}

/// What subscribers hear about.
#[derive(Clone, Debug)]
pub enum LedgerEvent {
    Slot { slot: u64, parent: u64 },
    Transaction { signature: Signature, slot: u64, err: Option<TransactionError>, logs: Vec<String>, accounts: Vec<Pubkey> },
}

/// A transaction the runtime refused before or while executing it.
pub struct Refusal {
    pub err: TransactionError,
    pub logs: Vec<String>,
    pub units_consumed: u64,
}

pub struct SimulationOutcome {
    pub err: Option<TransactionError>,
    pub logs: Vec<String>,
    pub units_consumed: u64,
    pub return_data: Option<(Pubkey, Vec<u8>)>,
    pub post_accounts: HashMap<Pubkey, AccountSharedData>,
    pub inner_instructions: InnerInstructionsList,
}

/// What a restart keeps (see `Ledger::save`).
#[derive(Serialize, Deserialize)]
struct Snapshot {
    slot: u64,
    block_height: u64,
    time_offset: i64,
    blockhash: Hash,
    genesis_hash: Hash,
    slot_hashes: Vec<(u64, Hash)>,
    accounts: Vec<(Pubkey, Account)>,
    transactions: Vec<(Signature, TransactionRecord)>,
    order: Vec<Signature>,
}

pub struct Ledger {
    svm: LiteSVM,
    slot: u64,
    block_height: u64,
    /// Added to the wall clock for the Clock sysvar's unix_timestamp (cloak_increaseTime).
    time_offset: i64,
    /// Usable blockhashes, newest last, with the block height each was made at.
    blockhashes: VecDeque<(Hash, u64)>,
    slot_hashes: VecDeque<(u64, Hash)>,
    genesis_hash: Hash,
    transactions: HashMap<Signature, TransactionRecord>,
    /// Every executed transaction in execution order.
    order: Vec<Signature>,
    /// Per address, positions in `order` of the transactions that mention it.
    by_address: HashMap<Pubkey, Vec<usize>>,
    events: broadcast::Sender<LedgerEvent>,
    /// (transactions, time offset) at the last save.
    saved_at: (usize, i64),
    blockhash_validity: u64,
}

fn now_unix() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

fn new_svm() -> LiteSVM {
    // The node checks blockhash age itself (a window of blocks, not only the latest),
    // and keeps its own history; LiteSVM's history still refuses a replayed signature.
    // Signatures are verified here too (`execute`), because simulation may skip them (sigVerify: false).
    let mut svm = LiteSVM::new().with_sigverify(false).with_blockhash_check(false).with_transaction_history(1_000_000).with_log_bytes_limit(Some(100_000));
    svm.add_builtin(shield_pool::ID, program_host::shield_pool_builtin);
    svm.add_builtin(scramble_registry::ID, program_host::scramble_registry_builtin);
    svm
}

impl Ledger {
    /// A fresh chain: both programs loaded, their upgrade authority set to `authority` and funded.
    pub fn genesis(authority: &Pubkey, blockhash_validity: u64, events: broadcast::Sender<LedgerEvent>) -> Self {
        let svm = new_svm();
        let genesis_hash = svm.latest_blockhash();
        let mut ledger = Ledger {
            svm,
            slot: 0,
            block_height: 0,
            time_offset: 0,
            blockhashes: VecDeque::from([(genesis_hash, 0)]),
            slot_hashes: VecDeque::new(),
            genesis_hash,
            transactions: HashMap::new(),
            order: Vec::new(),
            by_address: HashMap::new(),
            events,
            saved_at: (0, 0),
            blockhash_validity,
        };
        for (program, name) in [(shield_pool::ID, "shield_pool"), (scramble_registry::ID, "scramble_registry")] {
            ledger.load_program(program, name, authority);
        }
        ledger.set_lamports(authority, GENESIS_LAMPORTS);
        ledger.set_lamports(&faucet().pubkey(), u64::MAX / 2);
        ledger.write_clock();
        ledger
    }

    /// Marks `program` as a native builtin and gives it a ProgramData account with `authority` as its
    /// upgrade authority, which `initialize` checks.
    fn load_program(&mut self, program: Pubkey, name: &str, authority: &Pubkey) {
        // add_builtin leaves the account owned by the BPF loader, which refuses to run a builtin from it:
        // a native builtin's account belongs to the native loader.
        let program_account = Account { lamports: 1, data: name.as_bytes().to_vec(), owner: native_loader::ID, executable: true, rent_epoch: 0 };
        self.svm.set_account(program, program_account).expect("program account");
        let programdata = bpf_loader_upgradeable::get_program_data_address(&program);
        let state = UpgradeableLoaderState::ProgramData { slot: 0, upgrade_authority_address: Some(*authority) };
        let data = bincode::serialize(&state).expect("ProgramData");
        let lamports = self.svm.minimum_balance_for_rent_exemption(data.len());
        let account = Account { lamports, data, owner: bpf_loader_upgradeable::ID, executable: false, rent_epoch: 0 };
        self.svm.set_account(programdata, account).expect("ProgramData account");
    }

    pub fn set_lamports(&mut self, address: &Pubkey, lamports: u64) {
        let mut account = self.svm.get_account(address).unwrap_or(Account { lamports: 0, data: vec![], owner: solana_sdk::system_program::ID, executable: false, rent_epoch: 0 });
        account.lamports = lamports;
        self.svm.set_account(*address, account).expect("funded account");
    }

    pub fn slot(&self) -> u64 {
        self.slot
    }
    pub fn block_height(&self) -> u64 {
        self.block_height
    }
    pub fn genesis_hash(&self) -> Hash {
        self.genesis_hash
    }
    pub fn unix_timestamp(&self) -> i64 {
        self.svm.get_sysvar::<Clock>().unix_timestamp
    }
    pub fn latest_blockhash(&self) -> (Hash, u64) {
        let (hash, height) = *self.blockhashes.back().expect("a blockhash");
        (hash, height + self.blockhash_validity)
    }
    pub fn is_blockhash_valid(&self, hash: &Hash) -> bool {
        self.blockhashes.iter().any(|(h, _)| h == hash)
    }
    pub fn account(&self, address: &Pubkey) -> Option<AccountSharedData> {
        self.svm.accounts_db().get_account(address)
    }
    pub fn accounts(&self) -> impl Iterator<Item = (&Pubkey, &AccountSharedData)> {
        self.svm.accounts_db().inner.iter()
    }
    pub fn minimum_balance_for_rent_exemption(&self, len: usize) -> u64 {
        self.svm.minimum_balance_for_rent_exemption(len)
    }
    pub fn transaction_count(&self) -> u64 {
        self.order.len() as u64
    }
    pub fn transaction(&self, signature: &Signature) -> Option<&TransactionRecord> {
        self.transactions.get(signature)
    }

    /// Signatures mentioning `address`, newest first, strictly older than `before` and newer than `until`.
    pub fn signatures_for_address(&self, address: &Pubkey, before: Option<&Signature>, until: Option<&Signature>, limit: usize) -> Vec<(&Signature, &TransactionRecord)> {
        let Some(positions) = self.by_address.get(address) else { return vec![] };
        let position_of = |signature: &Signature| self.order.iter().position(|s| s == signature);
        let upper = before.and_then(position_of).unwrap_or(usize::MAX);
        let lower = until.and_then(position_of);
        positions
            .iter()
            .rev()
            .filter(|&&p| p < upper && lower.is_none_or(|l| p > l))
            .take(limit)
            .map(|&p| {
                let signature = &self.order[p];
                (signature, &self.transactions[signature])
            })
            .collect()
    }

    /// Passes one slot: a new block with a new blockhash, a SlotHashes entry for the slot that ended,
    /// the Clock.
    pub fn advance_slot(&mut self) {
        self.advance(1);
    }

    /// Moves to `slots` slots later with one new block, as when a validator's leaders skip the slots
    /// in between: the slot number jumps (claims expire by slot), while blockhashes age by one block.
    pub fn advance(&mut self, slots: u64) {
        let ended_hash = self.svm.latest_blockhash();
        self.slot_hashes.push_front((self.slot, ended_hash));
        self.slot_hashes.truncate(SLOT_HASHES_LEN);
        let parent = self.slot;
        self.slot += slots.max(1);
        self.block_height += 1;
        self.svm.expire_blockhash();
        self.blockhashes.push_back((self.svm.latest_blockhash(), self.block_height));
        // Usable through block height made_at + validity inclusive (lastValidBlockHeight).
        while self.blockhashes.len() as u64 > self.blockhash_validity + 1 {
            self.blockhashes.pop_front();
        }
        let entries: Vec<(u64, Hash)> = self.slot_hashes.iter().copied().collect();
        self.svm.set_sysvar(&SlotHashes::new(&entries));
        self.write_clock();
        let _ = self.events.send(LedgerEvent::Slot { slot: self.slot, parent });
    }

    pub fn increase_time(&mut self, seconds: i64) {
        self.time_offset += seconds;
        self.advance_slot();
    }

    fn write_clock(&mut self) {
        let mut clock = self.svm.get_sysvar::<Clock>();
        clock.slot = self.slot;
        // Never backwards, even if the wall clock is.
        clock.unix_timestamp = clock.unix_timestamp.max(now_unix() + self.time_offset);
        clock.epoch_start_timestamp = clock.epoch_start_timestamp.min(clock.unix_timestamp);
        self.svm.set_sysvar(&clock);
    }

    /// A transfer from the faucet, executed and recorded like any transaction so clients can confirm it.
    pub fn airdrop(&mut self, address: &Pubkey, lamports: u64) -> Result<Signature, Refusal> {
        let faucet = faucet();
        let instruction = solana_sdk::system_instruction::transfer(&faucet.pubkey(), address, lamports);
        let transaction = solana_sdk::transaction::Transaction::new_signed_with_payer(&[instruction], Some(&faucet.pubkey()), &[&faucet], self.latest_blockhash().0);
        self.execute(transaction.into())
    }

    /// The static keys, then the addresses the transaction loads from lookup tables (writable, readonly).
    pub fn resolve_lookups(&self, message: &VersionedMessage) -> (Vec<Pubkey>, Vec<Pubkey>) {
        let lookups: &[MessageAddressTableLookup] = message.address_table_lookups().unwrap_or(&[]);
        let mut writable = Vec::new();
        let mut readonly = Vec::new();
        for lookup in lookups {
            let Some(table) = self.account(&lookup.account_key) else { continue };
            let Ok(table) = AddressLookupTable::deserialize(table.data()) else { continue };
            let pick = |indexes: &[u8], into: &mut Vec<Pubkey>| {
                for &i in indexes {
                    if let Some(address) = table.addresses.get(i as usize) {
                        into.push(*address);
                    }
                }
            };
            pick(&lookup.writable_indexes, &mut writable);
            pick(&lookup.readonly_indexes, &mut readonly);
        }
        (writable, readonly)
    }

    fn token_balances(&self, keys: &[Pubkey]) -> Vec<TokenBalance> {
        keys.iter()
            .enumerate()
            .filter_map(|(index, key)| {
                let account = self.account(key)?;
                let program_id = *account.owner();
                if !TOKEN_PROGRAM_IDS.contains(&program_id) {
                    return None;
                }
                let data = account.data();
                // SPL token account layout: mint, owner, amount; a mint is 82 bytes.
                if data.len() < 165 {
                    return None;
                }
                let mint = Pubkey::try_from(&data[0..32]).ok()?;
                let owner = Pubkey::try_from(&data[32..64]).ok()?;
                let amount = u64::from_le_bytes(data[64..72].try_into().ok()?);
                let decimals = self.account(&mint).and_then(|m| m.data().get(44).copied()).unwrap_or(0);
                Some(TokenBalance { account_index: index as u8, mint, owner, program_id, amount, decimals })
            })
            .collect()
    }

    fn balances(&self, keys: &[Pubkey]) -> Vec<u64> {
        keys.iter().map(|k| self.account(k).map(|a| a.lamports()).unwrap_or(0)).collect()
    }

    /// All keys a transaction touches, static then loaded.
    pub fn transaction_keys(&self, transaction: &VersionedTransaction) -> (Vec<Pubkey>, Vec<Pubkey>, Vec<Pubkey>) {
        let (writable, readonly) = self.resolve_lookups(&transaction.message);
        let mut keys = transaction.message.static_account_keys().to_vec();
        keys.extend_from_slice(&writable);
        keys.extend_from_slice(&readonly);
        (keys, writable, readonly)
    }

    pub fn simulate(&self, transaction: VersionedTransaction) -> SimulationOutcome {
        match self.svm.simulate_transaction(transaction) {
            Ok(info) => SimulationOutcome {
                err: None,
                logs: info.meta.logs,
                units_consumed: info.meta.compute_units_consumed,
                return_data: return_data(&info.meta.return_data),
                post_accounts: info.post_accounts.into_iter().collect(),
                inner_instructions: info.meta.inner_instructions,
            },
            Err(failed) => SimulationOutcome {
                err: Some(failed.err),
                logs: failed.meta.logs,
                units_consumed: failed.meta.compute_units_consumed,
                return_data: None,
                post_accounts: HashMap::new(),
                inner_instructions: failed.meta.inner_instructions,
            },
        }
    }

    /// Executes `transaction` in the current slot. A transaction the runtime could not even charge (bad
    /// signature, expired blockhash, replay) is refused and leaves no record; one that ran and failed is
    /// recorded with its error, as a validator would include it.
    pub fn execute(&mut self, transaction: VersionedTransaction) -> Result<Signature, Refusal> {
        let refuse = |err| Err(Refusal { err, logs: vec![], units_consumed: 0 });
        if transaction.sanitize().is_err() {
            return refuse(TransactionError::SanitizeFailure);
        }
        if !transaction.verify_with_results().into_iter().all(|valid| valid) {
            return refuse(TransactionError::SignatureFailure);
        }
        if !self.is_blockhash_valid(transaction.message.recent_blockhash()) {
            return refuse(TransactionError::BlockhashNotFound);
        }
        let (keys, loaded_writable, loaded_readonly) = self.transaction_keys(&transaction);
        let pre_balances = self.balances(&keys);
        let pre_token_balances = self.token_balances(&keys);
        let signatures = transaction.signatures.len() as u64;
        let (signature, err, meta) = match self.svm.send_transaction(transaction.clone()) {
            Ok(meta) => (meta.signature, None, meta),
            Err(failed) => {
                if !matches!(failed.err, TransactionError::InstructionError(..)) {
                    return Err(Refusal { err: failed.err, logs: failed.meta.logs, units_consumed: failed.meta.compute_units_consumed });
                }
                (failed.meta.signature, Some(failed.err), failed.meta)
            }
        };
        let record = TransactionRecord {
            slot: self.slot,
            block_time: self.unix_timestamp(),
            meta: TransactionStatusMeta {
                err: err.clone(),
                fee: signatures * LAMPORTS_PER_SIGNATURE,
                post_balances: self.balances(&keys),
                post_token_balances: self.token_balances(&keys),
                pre_balances,
                pre_token_balances,
                inner_instructions: meta.inner_instructions,
                log_messages: meta.logs.clone(),
                loaded_writable,
                loaded_readonly,
                compute_units_consumed: meta.compute_units_consumed,
                return_data: return_data(&meta.return_data),
            },
            transaction,
        };
        self.record(signature, record, keys.clone());
        let _ = self.events.send(LedgerEvent::Transaction { signature, slot: self.slot, err, logs: meta.logs, accounts: keys });
        Ok(signature)
    }

    fn record(&mut self, signature: Signature, record: TransactionRecord, keys: Vec<Pubkey>) {
        let position = self.order.len();
        self.order.push(signature);
        let mut seen = std::collections::HashSet::new();
        for key in keys {
            if seen.insert(key) {
                self.by_address.entry(key).or_default().push(position);
            }
        }
        self.transactions.insert(signature, record);
    }

    /// Whether anything a restart would keep changed since the last `save` (slots alone do not count).
    pub fn unsaved(&self) -> bool {
        self.saved_at != (self.order.len(), self.time_offset)
    }

    /// Writes the chain to `path` (accounts, slots, clock offset, transaction history); programs are
    /// loaded again at start, so executable accounts are left out.
    pub fn save(&mut self, path: &std::path::Path) -> std::io::Result<()> {
        let snapshot = Snapshot {
            slot: self.slot,
            block_height: self.block_height,
            time_offset: self.time_offset,
            blockhash: self.svm.latest_blockhash(),
            genesis_hash: self.genesis_hash,
            slot_hashes: self.slot_hashes.iter().copied().collect(),
            accounts: self
                .accounts()
                .filter(|(_, a)| !a.executable())
                .map(|(k, a)| (*k, Account::from(a.clone())))
                .collect(),
            transactions: self.order.iter().map(|s| (*s, self.transactions[s].clone())).collect(),
            order: self.order.clone(),
        };
        let bytes = bincode::serialize(&snapshot).map_err(std::io::Error::other)?;
        let temporary = path.with_extension("tmp");
        std::fs::write(&temporary, bytes)?;
        std::fs::File::open(&temporary)?.sync_all()?;
        std::fs::rename(temporary, path)?;
        self.saved_at = (self.order.len(), self.time_offset);
        Ok(())
    }

    /// The chain saved at `path` by `save`, with the programs loaded again.
    pub fn load(path: &std::path::Path, authority: &Pubkey, blockhash_validity: u64, events: broadcast::Sender<LedgerEvent>) -> std::io::Result<Self> {
        let bytes = std::fs::read(path)?;
        let snapshot: Snapshot = bincode::deserialize(&bytes).map_err(std::io::Error::other)?;
        let mut ledger = Ledger::genesis(authority, blockhash_validity, events);
        for (address, account) in snapshot.accounts {
            // Sysvars are rewritten below; program accounts were loaded by genesis.
            if account.owner == solana_sdk::sysvar::ID {
                continue;
            }
            ledger.svm.set_account(address, account).map_err(|e| std::io::Error::other(format!("{e:?}")))?;
        }
        ledger.slot = snapshot.slot;
        ledger.block_height = snapshot.block_height;
        ledger.time_offset = snapshot.time_offset;
        ledger.genesis_hash = snapshot.genesis_hash;
        ledger.slot_hashes = snapshot.slot_hashes.into_iter().collect();
        let transactions: HashMap<Signature, TransactionRecord> = snapshot.transactions.into_iter().collect();
        for signature in snapshot.order {
            let record = transactions[&signature].clone();
            let (keys, ..) = ledger.transaction_keys(&record.transaction);
            ledger.record(signature, record, keys);
        }
        let _ = snapshot.blockhash;
        ledger.saved_at = (ledger.order.len(), ledger.time_offset);
        // A restart starts a new slot so every blockhash from before stays distinct from new ones.
        ledger.advance_slot();
        Ok(ledger)
    }
}

/// The local faucet behind requestAirdrop. Its key is fixed and public: it only ever exists on this node.
fn faucet() -> solana_sdk::signature::Keypair {
    solana_sdk::signature::Keypair::new_from_array(*b"cloak-localnet-faucet-key-000000")
}

fn return_data(data: &solana_sdk::transaction_context::TransactionReturnData) -> Option<(Pubkey, Vec<u8>)> {
    (!data.data.is_empty()).then(|| (data.program_id, data.data.clone()))
}
