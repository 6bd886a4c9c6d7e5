//! The JSON-RPC methods: each reads its params, runs on the ledger thread and answers in Solana's format.

use std::str::FromStr;

use base64::{engine::general_purpose::STANDARD as BASE64, Engine as _};
use serde_json::{json, Value};
use solana_sdk::{
    account::ReadableAccount,
    hash::Hash,
    message::VersionedMessage,
    pubkey::Pubkey,
    signature::Signature,
    transaction::{TransactionError, VersionedTransaction},
};

use crate::encoding::{self, DataEncoding, DataSlice, TransactionEncoding};
use crate::engine::Engine;
use crate::ledger::{Ledger, LAMPORTS_PER_SIGNATURE};
use crate::rpc_error::RpcError;

pub const SOLANA_CORE_VERSION: &str = "2.3.13";
const SLOTS_PER_EPOCH: u64 = 432_000;
/// Identity reported by getIdentity: the node has no vote account; this names it.
const IDENTITY: &str = "C1oakLoca1net111111111111111111111111111111";

/// The params array of a request, read field by field with errors that name the field.
pub struct Params {
    method: String,
    values: Vec<Value>,
}

impl Params {
    pub fn new(method: &str, params: Option<Value>) -> Result<Self, RpcError> {
        let values = match params {
            None | Some(Value::Null) => vec![],
            Some(Value::Array(values)) => values,
            Some(_) => return Err(RpcError::invalid_params(format!("{method}: params must be an array"))),
        };
        Ok(Params { method: method.to_string(), values })
    }
    fn get(&self, index: usize) -> Option<&Value> {
        self.values.get(index).filter(|v| !v.is_null())
    }
    fn required(&self, index: usize, name: &str) -> Result<&Value, RpcError> {
        self.get(index).ok_or_else(|| RpcError::invalid_params(format!("{}: missing {name} (param {index})", self.method)))
    }
    fn string(&self, index: usize, name: &str) -> Result<&str, RpcError> {
        self.required(index, name)?.as_str().ok_or_else(|| RpcError::invalid_params(format!("{}: {name} must be a string", self.method)))
    }
    fn pubkey(&self, index: usize, name: &str) -> Result<Pubkey, RpcError> {
        parse_pubkey(self.string(index, name)?, &format!("{}: {name}", self.method))
    }
    fn u64(&self, index: usize, name: &str) -> Result<u64, RpcError> {
        self.required(index, name)?.as_u64().ok_or_else(|| RpcError::invalid_params(format!("{}: {name} must be a non-negative integer", self.method)))
    }
    /// The trailing config object (absent → empty).
    fn config(&self, index: usize) -> Result<Config<'_>, RpcError> {
        match self.get(index) {
            None => Ok(Config { method: &self.method, value: None }),
            Some(value @ Value::Object(_)) => Ok(Config { method: &self.method, value: Some(value) }),
            Some(_) => Err(RpcError::invalid_params(format!("{}: param {index} must be a config object", self.method))),
        }
    }
}

pub struct Config<'a> {
    method: &'a str,
    value: Option<&'a Value>,
}

impl Config<'_> {
    fn field(&self, name: &str) -> Option<&Value> {
        self.value.and_then(|v| v.get(name)).filter(|v| !v.is_null())
    }
    fn str(&self, name: &str) -> Result<Option<&str>, RpcError> {
        self.field(name).map(|v| v.as_str().ok_or_else(|| RpcError::invalid_params(format!("{}: {name} must be a string", self.method)))).transpose()
    }
    fn bool(&self, name: &str) -> Result<bool, RpcError> {
        Ok(self.field(name).map(|v| v.as_bool().ok_or_else(|| RpcError::invalid_params(format!("{}: {name} must be a boolean", self.method)))).transpose()?.unwrap_or(false))
    }
    fn u64(&self, name: &str) -> Result<Option<u64>, RpcError> {
        self.field(name).map(|v| v.as_u64().ok_or_else(|| RpcError::invalid_params(format!("{}: {name} must be a non-negative integer", self.method)))).transpose()
    }
    fn encoding(&self, default: DataEncoding) -> Result<DataEncoding, RpcError> {
        DataEncoding::parse(self.str("encoding")?, default)
    }
    fn data_slice(&self) -> Result<Option<DataSlice>, RpcError> {
        let Some(slice) = self.field("dataSlice") else { return Ok(None) };
        let read = |name: &str| {
            slice.get(name).and_then(Value::as_u64).map(|n| n as usize).ok_or_else(|| RpcError::invalid_params(format!("{}: dataSlice.{name} must be a non-negative integer", self.method)))
        };
        Ok(Some(DataSlice { offset: read("offset")?, length: read("length")? }))
    }
}

pub fn parse_pubkey(text: &str, what: &str) -> Result<Pubkey, RpcError> {
    Pubkey::from_str(text).map_err(|_| RpcError::invalid_params(format!("{what}: {text:?} is not a base58 public key")))
}

fn parse_signature(text: &str, what: &str) -> Result<Signature, RpcError> {
    Signature::from_str(text).map_err(|_| RpcError::invalid_params(format!("{what}: {text:?} is not a base58 signature")))
}

fn decode_wire(text: &str, encoding: DataEncoding, what: &str) -> Result<Vec<u8>, RpcError> {
    match encoding {
        DataEncoding::Base58 => bs58::decode(text).into_vec().map_err(|e| RpcError::invalid_params(format!("{what}: invalid base58 ({e})"))),
        DataEncoding::Base64 => BASE64.decode(text).map_err(|e| RpcError::invalid_params(format!("{what}: invalid base64 ({e})"))),
        DataEncoding::JsonParsed => Err(RpcError::invalid_params(format!("{what}: encoding must be base58 or base64"))),
    }
}

fn decode_transaction(params: &Params, config: &Config) -> Result<VersionedTransaction, RpcError> {
    let encoding = config.encoding(DataEncoding::Base58)?;
    let bytes = decode_wire(params.string(0, "transaction")?, encoding, &format!("{}: transaction", params.method))?;
    bincode::deserialize(&bytes).map_err(|e| RpcError::invalid_params(format!("{}: transaction does not deserialize ({e})", params.method)))
}

fn context(ledger: &Ledger, value: Value) -> Value {
    json!({ "context": { "slot": ledger.slot(), "apiVersion": SOLANA_CORE_VERSION }, "value": value })
}

fn mint_decimals(ledger: &Ledger) -> impl Fn(&Pubkey) -> u8 + '_ {
    |mint| ledger.account(mint).and_then(|m| m.data().get(44).copied()).unwrap_or(0)
}

fn account_value(ledger: &Ledger, address: &Pubkey, encoding: DataEncoding, slice: Option<&DataSlice>) -> Value {
    match ledger.account(address) {
        // A validator reports a drained account (no lamports) as absent.
        Some(account) if account.lamports() > 0 => encoding::encode_account(&account, encoding, slice, mint_decimals(ledger)),
        _ => Value::Null,
    }
}

/// One filter of getProgramAccounts.
enum AccountFilter {
    DataSize(usize),
    Memcmp { offset: usize, bytes: Vec<u8> },
}

fn parse_filters(config: &Config) -> Result<Vec<AccountFilter>, RpcError> {
    let Some(filters) = config.field("filters") else { return Ok(vec![]) };
    let filters = filters.as_array().ok_or_else(|| RpcError::invalid_params("getProgramAccounts: filters must be an array"))?;
    filters
        .iter()
        .enumerate()
        .map(|(i, filter)| {
            if let Some(size) = filter.get("dataSize") {
                let size = size.as_u64().ok_or_else(|| RpcError::invalid_params(format!("getProgramAccounts: filters[{i}].dataSize must be an integer")))?;
                return Ok(AccountFilter::DataSize(size as usize));
            }
            if let Some(memcmp) = filter.get("memcmp") {
                let offset = memcmp.get("offset").and_then(Value::as_u64).ok_or_else(|| RpcError::invalid_params(format!("getProgramAccounts: filters[{i}].memcmp.offset must be an integer")))?;
                let text = memcmp.get("bytes").and_then(Value::as_str).ok_or_else(|| RpcError::invalid_params(format!("getProgramAccounts: filters[{i}].memcmp.bytes must be a string")))?;
                let encoding = match memcmp.get("encoding").and_then(Value::as_str) {
                    None | Some("base58") => DataEncoding::Base58,
                    Some("base64") => DataEncoding::Base64,
                    Some(other) => return Err(RpcError::invalid_params(format!("getProgramAccounts: filters[{i}].memcmp.encoding {other:?} is not base58 or base64"))),
                };
                let bytes = decode_wire(text, encoding, &format!("getProgramAccounts: filters[{i}].memcmp.bytes"))?;
                return Ok(AccountFilter::Memcmp { offset: offset as usize, bytes });
            }
            Err(RpcError::invalid_params(format!("getProgramAccounts: filters[{i}] must be a dataSize or memcmp filter")))
        })
        .collect()
}

fn matches(filters: &[AccountFilter], data: &[u8]) -> bool {
    filters.iter().all(|filter| match filter {
        AccountFilter::DataSize(size) => data.len() == *size,
        AccountFilter::Memcmp { offset, bytes } => data.get(*offset..offset + bytes.len()) == Some(bytes.as_slice()),
    })
}

fn simulation_error_data(err: &Option<TransactionError>, logs: &[String], units: u64) -> Value {
    json!({ "err": encoding::transaction_error(err), "logs": logs, "accounts": null, "unitsConsumed": units, "returnData": null, "innerInstructions": null })
}

/// Answers one JSON-RPC call.
pub async fn call(engine: &Engine, method: &str, params: Option<Value>) -> Result<Value, RpcError> {
    let params = Params::new(method, params)?;
    match method {
        "getHealth" => Ok(json!("ok")),
        "getVersion" => Ok(json!({ "solana-core": SOLANA_CORE_VERSION, "feature-set": 0 })),
        "getIdentity" => Ok(json!({ "identity": IDENTITY })),
        "getGenesisHash" => Ok(engine.run(|l| json!(l.genesis_hash().to_string())).await),
        "getSlot" | "getBlockHeight" | "getLatestBlockhash" | "getEpochInfo" | "getFirstAvailableBlock" | "getTransactionCount" | "getMaxRetransmitSlot" | "getMaxShredInsertSlot" => {
            let method = method.to_string();
            Ok(engine
                .run(move |l| match method.as_str() {
                    "getSlot" | "getMaxRetransmitSlot" | "getMaxShredInsertSlot" => json!(l.slot()),
                    "getBlockHeight" => json!(l.block_height()),
                    "getFirstAvailableBlock" => json!(0),
                    "getTransactionCount" => json!(l.transaction_count()),
                    "getLatestBlockhash" => {
                        let (hash, last_valid) = l.latest_blockhash();
                        context(l, json!({ "blockhash": hash.to_string(), "lastValidBlockHeight": last_valid }))
                    }
                    _ => json!({
                        "absoluteSlot": l.slot(), "blockHeight": l.block_height(), "epoch": l.slot() / SLOTS_PER_EPOCH,
                        "slotIndex": l.slot() % SLOTS_PER_EPOCH, "slotsInEpoch": SLOTS_PER_EPOCH, "transactionCount": l.transaction_count(),
                    }),
                })
                .await)
        }
        "getEpochSchedule" => Ok(json!({ "slotsPerEpoch": SLOTS_PER_EPOCH, "leaderScheduleSlotOffset": SLOTS_PER_EPOCH, "warmup": false, "firstNormalEpoch": 0, "firstNormalSlot": 0 })),
        "getRecentPrioritizationFees" => Ok(json!([])),
        "getBlockTime" => {
            let _slot = params.u64(0, "slot")?;
            Ok(engine.run(|l| json!(l.unix_timestamp())).await)
        }
        "isBlockhashValid" => {
            let hash = Hash::from_str(params.string(0, "blockhash")?).map_err(|_| RpcError::invalid_params("isBlockhashValid: blockhash is not base58"))?;
            Ok(engine.run(move |l| context(l, json!(l.is_blockhash_valid(&hash)))).await)
        }
        "getMinimumBalanceForRentExemption" => {
            let len = params.u64(0, "dataLength")? as usize;
            Ok(engine.run(move |l| json!(l.minimum_balance_for_rent_exemption(len))).await)
        }
        "getFeeForMessage" => {
            let bytes = decode_wire(params.string(0, "message")?, DataEncoding::Base64, "getFeeForMessage: message")?;
            let message: VersionedMessage = bincode::deserialize(&bytes).map_err(|e| RpcError::invalid_params(format!("getFeeForMessage: message does not deserialize ({e})")))?;
            let fee = message.header().num_required_signatures as u64 * LAMPORTS_PER_SIGNATURE;
            Ok(engine.run(move |l| context(l, json!(fee))).await)
        }
        "getBalance" => {
            let address = params.pubkey(0, "address")?;
            Ok(engine.run(move |l| context(l, json!(l.account(&address).map(|a| a.lamports()).unwrap_or(0)))).await)
        }
        "getAccountInfo" => {
            let address = params.pubkey(0, "address")?;
            let config = params.config(1)?;
            let encoding = config.encoding(DataEncoding::Base58)?;
            let slice = config.data_slice()?;
            Ok(engine.run(move |l| context(l, account_value(l, &address, encoding, slice.as_ref()))).await)
        }
        "getMultipleAccounts" => {
            let addresses = params.required(0, "addresses")?.as_array().ok_or_else(|| RpcError::invalid_params("getMultipleAccounts: addresses must be an array"))?;
            let addresses = addresses
                .iter()
                .enumerate()
                .map(|(i, a)| parse_pubkey(a.as_str().unwrap_or_default(), &format!("getMultipleAccounts: addresses[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            let config = params.config(1)?;
            let encoding = config.encoding(DataEncoding::Base64)?;
            let slice = config.data_slice()?;
            Ok(engine.run(move |l| context(l, Value::Array(addresses.iter().map(|a| account_value(l, a, encoding, slice.as_ref())).collect()))).await)
        }
        "getProgramAccounts" => {
            let program = params.pubkey(0, "programId")?;
            let config = params.config(1)?;
            let encoding = config.encoding(DataEncoding::Base58)?;
            let slice = config.data_slice()?;
            let filters = parse_filters(&config)?;
            let with_context = config.bool("withContext")?;
            Ok(engine
                .run(move |l| {
                    let mut found: Vec<(&Pubkey, _)> = l.accounts().filter(|(_, a)| *a.owner() == program && a.lamports() > 0 && matches(&filters, a.data())).collect();
                    found.sort_by_key(|(k, _)| **k);
                    let list = Value::Array(
                        found
                            .into_iter()
                            .map(|(k, a)| json!({ "pubkey": k.to_string(), "account": encoding::encode_account(a, encoding, slice.as_ref(), mint_decimals(l)) }))
                            .collect(),
                    );
                    if with_context { context(l, list) } else { list }
                })
                .await)
        }
        "getTokenAccountBalance" => {
            let address = params.pubkey(0, "address")?;
            engine
                .run(move |l| {
                    let account = l.account(&address).ok_or_else(|| RpcError::invalid_params(format!("getTokenAccountBalance: could not find account {address}")))?;
                    let mint = Pubkey::try_from(account.data().get(0..32).unwrap_or_default()).unwrap_or_default();
                    let amount = encoding::token_amount(&account, mint_decimals(l)(&mint))
                        .ok_or_else(|| RpcError::invalid_params(format!("getTokenAccountBalance: {address} is not a token account")))?;
                    Ok(context(l, amount))
                })
                .await
        }
        "getTokenAccountsByOwner" => {
            let owner = params.pubkey(0, "owner")?;
            let selector = params.required(1, "filter")?;
            let mint = selector.get("mint").and_then(Value::as_str).map(|m| parse_pubkey(m, "getTokenAccountsByOwner: mint")).transpose()?;
            let program = selector.get("programId").and_then(Value::as_str).map(|p| parse_pubkey(p, "getTokenAccountsByOwner: programId")).transpose()?;
            if mint.is_none() && program.is_none() {
                return Err(RpcError::invalid_params("getTokenAccountsByOwner: filter must be { mint } or { programId }"));
            }
            let config = params.config(2)?;
            let encoding = config.encoding(DataEncoding::Base58)?;
            let slice = config.data_slice()?;
            Ok(engine
                .run(move |l| {
                    let mut found: Vec<(&Pubkey, _)> = l
                        .accounts()
                        .filter(|(_, a)| crate::ledger::TOKEN_PROGRAM_IDS.contains(a.owner()) && program.is_none_or(|p| *a.owner() == p))
                        .filter(|(_, a)| a.data().len() >= 165 && a.data()[32..64] == owner.to_bytes())
                        .filter(|(_, a)| mint.is_none_or(|m| a.data()[0..32] == m.to_bytes()))
                        .collect();
                    found.sort_by_key(|(k, _)| **k);
                    let list = found
                        .into_iter()
                        .map(|(k, a)| json!({ "pubkey": k.to_string(), "account": encoding::encode_account(a, encoding, slice.as_ref(), mint_decimals(l)) }))
                        .collect();
                    context(l, Value::Array(list))
                })
                .await)
        }
        "requestAirdrop" => {
            let address = params.pubkey(0, "address")?;
            let lamports = params.u64(1, "lamports")?;
            engine
                .run(move |l| match l.airdrop(&address, lamports) {
                    Ok(signature) => Ok(json!(signature.to_string())),
                    Err(refusal) => Err(RpcError::internal(format!("requestAirdrop: the faucet's transfer failed: {}", refusal.err))),
                })
                .await
        }
        "sendTransaction" => {
            let config = params.config(1)?;
            let transaction = decode_transaction(&params, &config)?;
            let skip_preflight = config.bool("skipPreflight")?;
            engine
                .run(move |l| {
                    if !transaction.verify_with_results().into_iter().all(|ok| ok) {
                        return Err(RpcError::signature_verification_failure());
                    }
                    if !skip_preflight {
                        let blockhash_known = l.is_blockhash_valid(transaction.message.recent_blockhash());
                        let outcome = if blockhash_known { Some(l.simulate(transaction.clone())) } else { None };
                        let (err, logs, units) = match outcome {
                            None => (Some(TransactionError::BlockhashNotFound), vec![], 0),
                            Some(o) => (o.err, o.logs, o.units_consumed),
                        };
                        if let Some(err) = err {
                            return Err(RpcError::preflight_failure(err.to_string(), simulation_error_data(&Some(err), &logs, units)));
                        }
                    }
                    match l.execute(transaction) {
                        Ok(signature) => Ok(json!(signature.to_string())),
                        Err(refusal) => Err(RpcError::preflight_failure(refusal.err.to_string(), simulation_error_data(&Some(refusal.err.clone()), &refusal.logs, refusal.units_consumed))),
                    }
                })
                .await
        }
        "simulateTransaction" => {
            let config = params.config(1)?;
            let mut transaction = decode_transaction(&params, &config)?;
            let sig_verify = config.bool("sigVerify")?;
            let replace_blockhash = config.bool("replaceRecentBlockhash")?;
            if sig_verify && replace_blockhash {
                return Err(RpcError::invalid_params("simulateTransaction: sigVerify may not be used with replaceRecentBlockhash"));
            }
            if sig_verify && !transaction.verify_with_results().into_iter().all(|ok| ok) {
                return Err(RpcError::signature_verification_failure());
            }
            let account_addresses = match config.field("accounts") {
                None => None,
                Some(accounts) => {
                    let encoding = DataEncoding::parse(accounts.get("encoding").and_then(Value::as_str), DataEncoding::Base64)?;
                    let addresses = accounts.get("addresses").and_then(Value::as_array).ok_or_else(|| RpcError::invalid_params("simulateTransaction: accounts.addresses must be an array"))?;
                    let addresses = addresses
                        .iter()
                        .enumerate()
                        .map(|(i, a)| parse_pubkey(a.as_str().unwrap_or_default(), &format!("simulateTransaction: accounts.addresses[{i}]")))
                        .collect::<Result<Vec<_>, _>>()?;
                    Some((encoding, addresses))
                }
            };
            let with_inner = config.bool("innerInstructions")?;
            Ok(engine
                .run(move |l| {
                    if replace_blockhash {
                        let (hash, _) = l.latest_blockhash();
                        transaction.message.set_recent_blockhash(hash);
                    }
                    let (hash, last_valid) = l.latest_blockhash();
                    let outcome = if l.is_blockhash_valid(transaction.message.recent_blockhash()) {
                        l.simulate(transaction)
                    } else {
                        crate::ledger::SimulationOutcome { err: Some(TransactionError::BlockhashNotFound), logs: vec![], units_consumed: 0, return_data: None, post_accounts: Default::default(), inner_instructions: vec![] }
                    };
                    let accounts = account_addresses.map(|(encoding, addresses)| {
                        Value::Array(
                            addresses
                                .iter()
                                .map(|a| match outcome.post_accounts.get(a).cloned().or_else(|| l.account(a)) {
                                    Some(account) if account.lamports() > 0 => encoding::encode_account(&account, encoding, None, mint_decimals(l)),
                                    _ => Value::Null,
                                })
                                .collect(),
                        )
                    });
                    let mut value = json!({
                        "err": encoding::transaction_error(&outcome.err),
                        "logs": outcome.logs,
                        "accounts": accounts,
                        "unitsConsumed": outcome.units_consumed,
                        "returnData": outcome.return_data.map(|(p, d)| json!({ "programId": p.to_string(), "data": [BASE64.encode(d), "base64"] })),
                        "innerInstructions": if with_inner { encoding::inner_instructions(&outcome.inner_instructions, None) } else { Value::Null },
                    });
                    if replace_blockhash {
                        value["replacementBlockhash"] = json!({ "blockhash": hash.to_string(), "lastValidBlockHeight": last_valid });
                    }
                    context(l, value)
                })
                .await)
        }
        "getSignatureStatuses" => {
            let signatures = params.required(0, "signatures")?.as_array().ok_or_else(|| RpcError::invalid_params("getSignatureStatuses: signatures must be an array"))?;
            if signatures.len() > 256 {
                return Err(RpcError::invalid_params("getSignatureStatuses: at most 256 signatures"));
            }
            let signatures = signatures
                .iter()
                .enumerate()
                .map(|(i, s)| parse_signature(s.as_str().unwrap_or_default(), &format!("getSignatureStatuses: signatures[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(engine
                .run(move |l| {
                    let statuses = signatures
                        .iter()
                        .map(|s| match l.transaction(s) {
                            None => Value::Null,
                            Some(record) => json!({
                                "slot": record.slot, "confirmations": null, "err": encoding::transaction_error(&record.meta.err),
                                "status": encoding::status(&record.meta.err), "confirmationStatus": "finalized",
                            }),
                        })
                        .collect();
                    context(l, Value::Array(statuses))
                })
                .await)
        }
        "getTransaction" => {
            let signature = parse_signature(params.string(0, "signature")?, "getTransaction: signature")?;
            // The second param is a config object or, in the old form, the encoding.
            let (encoding, max_version) = match params.get(1) {
                Some(Value::String(encoding)) => (TransactionEncoding::parse(Some(encoding))?, None),
                _ => {
                    let config = params.config(1)?;
                    (TransactionEncoding::parse(config.str("encoding")?)?, config.u64("maxSupportedTransactionVersion")?)
                }
            };
            engine
                .run(move |l| {
                    let Some(record) = l.transaction(&signature) else { return Ok(Value::Null) };
                    let is_v0 = matches!(record.transaction.message, VersionedMessage::V0(_));
                    if is_v0 && max_version.is_none() {
                        return Err(RpcError::unsupported_transaction_version(0));
                    }
                    Ok(encoding::encode_transaction_record(record, encoding, max_version.is_some()))
                })
                .await
        }
        "getSignaturesForAddress" => {
            let address = params.pubkey(0, "address")?;
            let config = params.config(1)?;
            let limit = config.u64("limit")?.unwrap_or(1000);
            if limit == 0 || limit > 1000 {
                return Err(RpcError::invalid_params("getSignaturesForAddress: limit must be between 1 and 1000"));
            }
            let before = config.str("before")?.map(|s| parse_signature(s, "getSignaturesForAddress: before")).transpose()?;
            let until = config.str("until")?.map(|s| parse_signature(s, "getSignaturesForAddress: until")).transpose()?;
            Ok(engine
                .run(move |l| {
                    Value::Array(
                        l.signatures_for_address(&address, before.as_ref(), until.as_ref(), limit as usize)
                            .into_iter()
                            .map(|(signature, record)| {
                                json!({
                                    "signature": signature.to_string(), "slot": record.slot, "err": encoding::transaction_error(&record.meta.err),
                                    "memo": null, "blockTime": record.block_time, "confirmationStatus": "finalized",
                                })
                            })
                            .collect(),
                    )
                })
                .await)
        }
        "cloak_increaseTime" => {
            let seconds = params.required(0, "seconds")?.as_i64().filter(|s| *s >= 0).ok_or_else(|| RpcError::invalid_params("cloak_increaseTime: seconds must be a non-negative integer"))?;
            Ok(engine
                .run(move |l| {
                    l.increase_time(seconds);
                    json!({ "slot": l.slot(), "unixTimestamp": l.unix_timestamp() })
                })
                .await)
        }
        "cloak_advanceSlots" => {
            let slots = params.u64(0, "slots")?;
            if slots == 0 || slots > 1_000_000_000 {
                return Err(RpcError::invalid_params("cloak_advanceSlots: slots must be between 1 and 1000000000"));
            }
            Ok(engine
                .run(move |l| {
                    l.advance(slots);
                    json!({ "slot": l.slot() })
                })
                .await)
        }
        other => Err(RpcError::method_not_found(other)),
    }
}

/// Answers one request object: `Some(response)`, or `None` for a notification (no id).
pub async fn handle_request(engine: &Engine, request: Value) -> Option<Value> {
    let id = request.get("id").cloned();
    let result = match (&request, request.get("method").and_then(Value::as_str)) {
        (Value::Object(_), Some(method)) => call(engine, method, request.get("params").cloned()).await,
        _ => Err(RpcError::invalid_request("Invalid request: expected an object with a method")),
    };
    let id = id?;
    Some(match result {
        Ok(value) => json!({ "jsonrpc": "2.0", "result": value, "id": id }),
        Err(error) => json!({ "jsonrpc": "2.0", "error": error.to_json(), "id": id }),
    })
}

/// Answers a request body: one request or a batch.
pub async fn handle_body(engine: &Engine, body: &[u8]) -> Value {
    let parsed: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(e) => return json!({ "jsonrpc": "2.0", "error": RpcError::parse_error(e.to_string()).to_json(), "id": null }),
    };
    match parsed {
        Value::Array(requests) => {
            let mut responses = Vec::with_capacity(requests.len());
            for request in requests {
                if let Some(response) = handle_request(engine, request).await {
                    responses.push(response);
                }
            }
            Value::Array(responses)
        }
        request => handle_request(engine, request).await.unwrap_or(Value::Null),
    }
}
