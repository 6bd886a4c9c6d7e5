//! Accounts and transactions in the Solana JSON-RPC wire format (what web3.js validates).

use base64::{engine::general_purpose::STANDARD as BASE64, Engine as _};
use serde_json::{json, Value};
use solana_sdk::{
    account::{AccountSharedData, ReadableAccount},
    message::{inner_instruction::InnerInstructionsList, VersionedMessage},
    pubkey::Pubkey,
    transaction::{TransactionError, VersionedTransaction},
};

use crate::ledger::{TokenBalance, TransactionRecord, TOKEN_PROGRAM_IDS};
use crate::rpc_error::RpcError;

#[derive(Clone, Copy, PartialEq)]
pub enum DataEncoding {
    Base58,
    Base64,
    JsonParsed,
}

impl DataEncoding {
    pub fn parse(value: Option<&str>, default: DataEncoding) -> Result<Self, RpcError> {
        match value {
            None => Ok(default),
            Some("base58") | Some("binary") => Ok(DataEncoding::Base58),
            Some("base64") => Ok(DataEncoding::Base64),
            Some("jsonParsed") => Ok(DataEncoding::JsonParsed),
            Some("base64+zstd") => Err(RpcError::invalid_params("encoding: base64+zstd is not supported by this node; use base64")),
            Some(other) => Err(RpcError::invalid_params(format!("encoding: unknown encoding {other:?}"))),
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
pub enum TransactionEncoding {
    Json,
    JsonParsed,
    Binary(DataEncoding),
}

impl TransactionEncoding {
    pub fn parse(value: Option<&str>) -> Result<Self, RpcError> {
        match value {
            None | Some("json") => Ok(TransactionEncoding::Json),
            Some("jsonParsed") => Ok(TransactionEncoding::JsonParsed),
            other => Ok(TransactionEncoding::Binary(DataEncoding::parse(other, DataEncoding::Base64)?)),
        }
    }
}

pub struct DataSlice {
    pub offset: usize,
    pub length: usize,
}

fn sliced<'a>(data: &'a [u8], slice: Option<&DataSlice>) -> &'a [u8] {
    match slice {
        None => data,
        Some(s) => {
            let start = s.offset.min(data.len());
            &data[start..(start + s.length).min(data.len())]
        }
    }
}

pub fn encode_bytes(data: &[u8], encoding: DataEncoding) -> Value {
    match encoding {
        DataEncoding::Base58 => json!([bs58::encode(data).into_string(), "base58"]),
        _ => json!([BASE64.encode(data), "base64"]),
    }
}

fn ui_amount(amount: u64, decimals: u8) -> Value {
    let scale = 10f64.powi(decimals as i32);
    let whole = amount / 10u64.pow(decimals as u32);
    let fraction = amount % 10u64.pow(decimals as u32);
    let text = if decimals == 0 {
        whole.to_string()
    } else {
        let digits = format!("{fraction:0width$}", width = decimals as usize);
        let digits = digits.trim_end_matches('0');
        if digits.is_empty() { whole.to_string() } else { format!("{whole}.{digits}") }
    };
    json!({ "amount": amount.to_string(), "decimals": decimals, "uiAmount": amount as f64 / scale, "uiAmountString": text })
}

/// A token account's or mint's `jsonParsed` form, as the validator's account decoder gives it.
fn parsed_token_data(account: &AccountSharedData, mint_decimals: impl Fn(&Pubkey) -> u8) -> Option<Value> {
    let data = account.data();
    let program = if *account.owner() == TOKEN_PROGRAM_IDS[0] { "spl-token" } else { "spl-token-2022" };
    if data.len() >= 165 {
        let mint = Pubkey::try_from(&data[0..32]).ok()?;
        let owner = Pubkey::try_from(&data[32..64]).ok()?;
        let amount = u64::from_le_bytes(data[64..72].try_into().ok()?);
        let state = match data[108] {
            1 => "initialized",
            2 => "frozen",
            _ => "uninitialized",
        };
        let is_native = u32::from_le_bytes(data[109..113].try_into().ok()?) == 1;
        return Some(json!({
            "program": program,
            "parsed": { "type": "account", "info": {
                "mint": mint.to_string(), "owner": owner.to_string(), "isNative": is_native, "state": state,
                "tokenAmount": ui_amount(amount, mint_decimals(&mint)),
            }},
            "space": data.len(),
        }));
    }
    if data.len() == 82 {
        let supply = u64::from_le_bytes(data[36..44].try_into().ok()?);
        let authority = (data[0] == 1).then(|| Pubkey::try_from(&data[4..36]).ok()).flatten();
        let freeze = (data[46] == 1).then(|| Pubkey::try_from(&data[50..82]).ok()).flatten();
        return Some(json!({
            "program": program,
            "parsed": { "type": "mint", "info": {
                "decimals": data[44], "isInitialized": data[45] == 1, "supply": supply.to_string(),
                "mintAuthority": authority.map(|k| k.to_string()), "freezeAuthority": freeze.map(|k| k.to_string()),
            }},
            "space": data.len(),
        }));
    }
    None
}

pub fn encode_account(account: &AccountSharedData, encoding: DataEncoding, slice: Option<&DataSlice>, mint_decimals: impl Fn(&Pubkey) -> u8) -> Value {
    let data = if encoding == DataEncoding::JsonParsed && TOKEN_PROGRAM_IDS.contains(account.owner()) && slice.is_none() {
        // Accounts without a parser fall back to base64, as on a validator.
        parsed_token_data(account, mint_decimals).unwrap_or_else(|| encode_bytes(account.data(), DataEncoding::Base64))
    } else {
        encode_bytes(sliced(account.data(), slice), encoding)
    };
    json!({
        "data": data,
        "executable": account.executable(),
        "lamports": account.lamports(),
        "owner": account.owner().to_string(),
        "rentEpoch": account.rent_epoch(),
        "space": account.data().len(),
    })
}

pub fn token_amount(account: &AccountSharedData, decimals: u8) -> Option<Value> {
    let data = account.data();
    if !TOKEN_PROGRAM_IDS.contains(account.owner()) || data.len() < 165 {
        return None;
    }
    Some(ui_amount(u64::from_le_bytes(data[64..72].try_into().ok()?), decimals))
}

pub fn transaction_error(err: &Option<TransactionError>) -> Value {
    match err {
        None => Value::Null,
        Some(e) => serde_json::to_value(e).unwrap_or(Value::Null),
    }
}

pub fn status(err: &Option<TransactionError>) -> Value {
    match err {
        None => json!({ "Ok": null }),
        Some(e) => json!({ "Err": serde_json::to_value(e).unwrap_or(Value::Null) }),
    }
}

fn token_balances(balances: &[TokenBalance]) -> Value {
    Value::Array(
        balances
            .iter()
            .map(|b| {
                json!({
                    "accountIndex": b.account_index, "mint": b.mint.to_string(), "owner": b.owner.to_string(),
                    "programId": b.program_id.to_string(), "uiTokenAmount": ui_amount(b.amount, b.decimals),
                })
            })
            .collect(),
    )
}

pub fn inner_instructions(list: &InnerInstructionsList, keys: Option<&[Pubkey]>) -> Value {
    Value::Array(
        list.iter()
            .enumerate()
            .filter(|(_, instructions)| !instructions.is_empty())
            .map(|(index, instructions)| {
                let instructions: Vec<Value> = instructions
                    .iter()
                    .map(|inner| match keys {
                        None => json!({
                            "programIdIndex": inner.instruction.program_id_index,
                            "accounts": inner.instruction.accounts,
                            "data": bs58::encode(&inner.instruction.data).into_string(),
                            "stackHeight": inner.stack_height,
                        }),
                        Some(keys) => json!({
                            "programId": keys[inner.instruction.program_id_index as usize].to_string(),
                            "accounts": inner.instruction.accounts.iter().map(|&i| keys[i as usize].to_string()).collect::<Vec<_>>(),
                            "data": bs58::encode(&inner.instruction.data).into_string(),
                            "stackHeight": inner.stack_height,
                        }),
                    })
                    .collect();
                json!({ "index": index, "instructions": instructions })
            })
            .collect(),
    )
}

/// `value` with the message's `addressTableLookups` (v0 messages only).
fn with_lookups(mut value: Value, message: &VersionedMessage) -> Value {
    if let Some(lookups) = message.address_table_lookups() {
        value["addressTableLookups"] = Value::Array(
            lookups
                .iter()
                .map(|l| json!({ "accountKey": l.account_key.to_string(), "writableIndexes": l.writable_indexes, "readonlyIndexes": l.readonly_indexes }))
                .collect(),
        );
    }
    value
}

fn message_json(message: &VersionedMessage) -> Value {
    let header = message.header();
    let instructions: Vec<Value> = message
        .instructions()
        .iter()
        .map(|ix| json!({ "programIdIndex": ix.program_id_index, "accounts": ix.accounts, "data": bs58::encode(&ix.data).into_string(), "stackHeight": null }))
        .collect();
    let value = json!({
        "accountKeys": message.static_account_keys().iter().map(|k| k.to_string()).collect::<Vec<_>>(),
        "header": {
            "numRequiredSignatures": header.num_required_signatures,
            "numReadonlySignedAccounts": header.num_readonly_signed_accounts,
            "numReadonlyUnsignedAccounts": header.num_readonly_unsigned_accounts,
        },
        "recentBlockhash": message.recent_blockhash().to_string(),
        "instructions": instructions,
    });
    with_lookups(value, message)
}

fn parsed_message_json(message: &VersionedMessage, keys: &[Pubkey], loaded_writable: usize) -> Value {
    let static_count = message.static_account_keys().len();
    let account_keys: Vec<Value> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let writable = if i < static_count { message.is_maybe_writable(i, None) } else { i < static_count + loaded_writable };
            json!({ "pubkey": k.to_string(), "signer": message.is_signer(i), "writable": writable, "source": if i < static_count { "transaction" } else { "lookupTable" } })
        })
        .collect();
    let instructions: Vec<Value> = message
        .instructions()
        .iter()
        .map(|ix| {
            json!({
                "programId": keys[ix.program_id_index as usize].to_string(),
                "accounts": ix.accounts.iter().map(|&i| keys[i as usize].to_string()).collect::<Vec<_>>(),
                "data": bs58::encode(&ix.data).into_string(),
                "stackHeight": null,
            })
        })
        .collect();
    let value = json!({ "accountKeys": account_keys, "recentBlockhash": message.recent_blockhash().to_string(), "instructions": instructions });
    with_lookups(value, message)
}

pub fn version(transaction: &VersionedTransaction) -> Value {
    match transaction.message {
        VersionedMessage::Legacy(_) => json!("legacy"),
        VersionedMessage::V0(_) => json!(0),
    }
}

pub fn encode_transaction_record(record: &TransactionRecord, encoding: TransactionEncoding, include_version: bool) -> Value {
    let transaction = &record.transaction;
    let meta = &record.meta;
    let mut keys = transaction.message.static_account_keys().to_vec();
    keys.extend_from_slice(&meta.loaded_writable);
    keys.extend_from_slice(&meta.loaded_readonly);
    let signatures: Vec<String> = transaction.signatures.iter().map(|s| s.to_string()).collect();
    let transaction_value = match encoding {
        TransactionEncoding::JsonParsed => json!({ "signatures": signatures, "message": parsed_message_json(&transaction.message, &keys, meta.loaded_writable.len()) }),
        TransactionEncoding::Json => json!({ "signatures": signatures, "message": message_json(&transaction.message) }),
        TransactionEncoding::Binary(data) => encode_bytes(&bincode::serialize(transaction).unwrap_or_default(), data),
    };
    let parsed_keys = (encoding == TransactionEncoding::JsonParsed).then_some(keys.as_slice());
    let mut meta_value = json!({
        "err": transaction_error(&meta.err),
        "status": status(&meta.err),
        "fee": meta.fee,
        "preBalances": meta.pre_balances,
        "postBalances": meta.post_balances,
        "innerInstructions": inner_instructions(&meta.inner_instructions, parsed_keys),
        "logMessages": meta.log_messages,
        "preTokenBalances": token_balances(&meta.pre_token_balances),
        "postTokenBalances": token_balances(&meta.post_token_balances),
        "rewards": [],
        "computeUnitsConsumed": meta.compute_units_consumed,
    });
    if encoding != TransactionEncoding::JsonParsed {
        meta_value["loadedAddresses"] = json!({
            "writable": meta.loaded_writable.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
            "readonly": meta.loaded_readonly.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
        });
    }
    if let Some((program_id, data)) = &meta.return_data {
        meta_value["returnData"] = json!({ "programId": program_id.to_string(), "data": [BASE64.encode(data), "base64"] });
    }
    let mut value = json!({ "slot": record.slot, "blockTime": record.block_time, "transaction": transaction_value, "meta": meta_value });
    if include_version {
        value["version"] = version(transaction);
    }
    value
}
