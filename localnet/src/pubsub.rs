//! WebSocket subscriptions (signature, account, program, logs, slot), fed by the ledger's events.

use std::collections::{HashMap, HashSet};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use solana_sdk::{account::ReadableAccount, pubkey::Pubkey, signature::Signature};
use tokio::{
    net::TcpListener,
    sync::{broadcast, watch},
};
use tokio_tungstenite::tungstenite::{
    protocol::{frame::coding::CloseCode, CloseFrame},
    Message,
};

use crate::encoding::{self, DataEncoding};
use crate::engine::Engine;
use crate::ledger::LedgerEvent;
use crate::rpc::parse_pubkey;
use crate::rpc_error::RpcError;

enum LogsFilter {
    All,
    Mentions(Pubkey),
}

enum Subscription {
    Signature(Signature),
    Account { address: Pubkey, encoding: DataEncoding },
    Program { program: Pubkey, encoding: DataEncoding },
    Logs(LogsFilter),
    Slot,
}

impl Subscription {
    fn notification_method(&self) -> &'static str {
        match self {
            Subscription::Signature(_) => "signatureNotification",
            Subscription::Account { .. } => "accountNotification",
            Subscription::Program { .. } => "programNotification",
            Subscription::Logs(_) => "logsNotification",
            Subscription::Slot => "slotNotification",
        }
    }
}

fn encoding_of(params: &Value, index: usize) -> Result<DataEncoding, RpcError> {
    DataEncoding::parse(params.get(index).and_then(|c| c.get("encoding")).and_then(Value::as_str), DataEncoding::Base58)
}

fn parse_subscription(method: &str, params: &Value) -> Result<Subscription, RpcError> {
    let text = |i: usize, name: &str| params.get(i).and_then(Value::as_str).ok_or_else(|| RpcError::invalid_params(format!("{method}: missing {name} (param {i})")));
    match method {
        "signatureSubscribe" => {
            let signature = text(0, "signature")?;
            signature.parse().map(Subscription::Signature).map_err(|_| RpcError::invalid_params(format!("{method}: {signature:?} is not a base58 signature")))
        }
        "accountSubscribe" => Ok(Subscription::Account { address: parse_pubkey(text(0, "address")?, method)?, encoding: encoding_of(params, 1)? }),
        "programSubscribe" => Ok(Subscription::Program { program: parse_pubkey(text(0, "programId")?, method)?, encoding: encoding_of(params, 1)? }),
        "logsSubscribe" => match params.get(0) {
            Some(Value::String(s)) if s == "all" || s == "allWithVotes" => Ok(Subscription::Logs(LogsFilter::All)),
            Some(filter) => {
                let mentions = filter.get("mentions").and_then(Value::as_array).filter(|m| m.len() == 1);
                let address = mentions.and_then(|m| m[0].as_str()).ok_or_else(|| RpcError::invalid_params("logsSubscribe: filter must be \"all\" or { mentions: [one address] }"))?;
                Ok(Subscription::Logs(LogsFilter::Mentions(parse_pubkey(address, "logsSubscribe: mentions[0]")?)))
            }
            None => Err(RpcError::invalid_params("logsSubscribe: missing filter (param 0)")),
        },
        "slotSubscribe" => Ok(Subscription::Slot),
        _ => Err(RpcError::method_not_found(method)),
    }
}

fn notification(method: &str, id: u64, result: Value) -> Message {
    Message::Text(json!({ "jsonrpc": "2.0", "method": method, "params": { "result": result, "subscription": id } }).to_string())
}

struct Connection {
    engine: Engine,
    subscriptions: HashMap<u64, Subscription>,
    /// Signature subscriptions that fired (and so ended).
    fired_signatures: HashSet<u64>,
    next_id: u64,
}

impl Connection {
    /// Notifications `event` triggers, and the signature subscriptions it completes.
    async fn notifications(&mut self, event: &LedgerEvent) -> Vec<Message> {
        let mut out = Vec::new();
        let mut finished = Vec::new();
        for (&id, subscription) in &self.subscriptions {
            match (subscription, event) {
                (Subscription::Slot, LedgerEvent::Slot { slot, parent }) => {
                    out.push(notification("slotNotification", id, json!({ "slot": slot, "parent": parent, "root": parent })));
                }
                (Subscription::Signature(wanted), LedgerEvent::Transaction { signature, slot, err, .. }) if wanted == signature => {
                    out.push(notification("signatureNotification", id, json!({ "context": { "slot": slot }, "value": { "err": encoding::transaction_error(err) } })));
                    finished.push(id);
                }
                (Subscription::Logs(filter), LedgerEvent::Transaction { signature, slot, err, logs, accounts }) => {
                    if matches!(filter, LogsFilter::All) || matches!(filter, LogsFilter::Mentions(a) if accounts.contains(a)) {
                        out.push(notification(
                            "logsNotification",
                            id,
                            json!({ "context": { "slot": slot }, "value": { "signature": signature.to_string(), "err": encoding::transaction_error(err), "logs": logs } }),
                        ));
                    }
                }
                (Subscription::Account { address, encoding }, LedgerEvent::Transaction { slot, accounts, .. }) if accounts.contains(address) => {
                    let (address, encoding, slot) = (*address, *encoding, *slot);
                    let value = self.engine.run(move |l| l.account(&address).map(|a| encoding::encode_account(&a, encoding, None, |_| 0))).await;
                    let value = value.unwrap_or_else(|| json!({ "data": ["", "base64"], "executable": false, "lamports": 0, "owner": solana_sdk::system_program::ID.to_string(), "rentEpoch": 0, "space": 0 }));
                    out.push(notification("accountNotification", id, json!({ "context": { "slot": slot }, "value": value })));
                }
                (Subscription::Program { program, encoding }, LedgerEvent::Transaction { slot, accounts, .. }) => {
                    let (program, encoding, slot, accounts) = (*program, *encoding, *slot, accounts.clone());
                    let changed = self
                        .engine
                        .run(move |l| {
                            accounts
                                .iter()
                                .filter_map(|k| l.account(k).filter(|a| *a.owner() == program).map(|a| json!({ "pubkey": k.to_string(), "account": encoding::encode_account(&a, encoding, None, |_| 0) })))
                                .collect::<Vec<_>>()
                        })
                        .await;
                    for value in changed {
                        out.push(notification("programNotification", id, json!({ "context": { "slot": slot }, "value": value })));
                    }
                }
                _ => {}
            }
        }
        for id in finished {
            self.subscriptions.remove(&id);
            self.fired_signatures.insert(id);
        }
        out
    }

    /// Answers a subscribe/unsubscribe request. As on a validator, a signature that landed before its
    /// subscription is not notified: clients ask getSignatureStatuses after subscribing.
    async fn request(&mut self, text: &str) -> Vec<Message> {
        let request: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return vec![Message::Text(json!({ "jsonrpc": "2.0", "error": RpcError::parse_error(e.to_string()).to_json(), "id": null }).to_string())],
        };
        let id = request.get("id").cloned().unwrap_or(Value::Null);
        let method = request.get("method").and_then(Value::as_str).unwrap_or_default().to_string();
        let params = request.get("params").cloned().unwrap_or(Value::Array(vec![]));
        let reply = |result: Result<Value, RpcError>| {
            Message::Text(
                match result {
                    Ok(value) => json!({ "jsonrpc": "2.0", "result": value, "id": id }),
                    Err(error) => json!({ "jsonrpc": "2.0", "error": error.to_json(), "id": id }),
                }
                .to_string(),
            )
        };
        if let Some(kind) = method.strip_suffix("Unsubscribe") {
            let subscription = params.get(0).and_then(Value::as_u64);
            // A signature subscription ends itself when it fires; a client that raced the notification
            // and unsubscribes anyway is answered true rather than sent into a retry loop.
            let already_ended = kind == "signature" && subscription.is_some_and(|s| self.fired_signatures.remove(&s));
            let removed = already_ended || subscription.is_some_and(|s| self.subscriptions.get(&s).is_some_and(|sub| sub.notification_method().starts_with(kind)) && self.subscriptions.remove(&s).is_some());
            return vec![reply(if removed { Ok(json!(true)) } else { Err(RpcError::invalid_params(format!("{method}: no such subscription"))) })];
        }
        if !method.ends_with("Subscribe") {
            // Plain RPC over the WebSocket, as a validator allows.
            return vec![reply(crate::rpc::call(&self.engine, &method, Some(params)).await)];
        }
        let subscription = match parse_subscription(&method, &params) {
            Ok(s) => s,
            Err(error) => return vec![reply(Err(error))],
        };
        let subscription_id = self.next_id;
        self.next_id += 1;
        self.subscriptions.insert(subscription_id, subscription);
        vec![reply(Ok(json!(subscription_id)))]
    }
}

/// Serves subscriptions until `stopping` turns true; then every client gets a normal close (1000), which
/// tells web3.js not to reconnect, and `serve` returns once they are all closed.
pub async fn serve(listener: TcpListener, engine: Engine, events: broadcast::Sender<LedgerEvent>, mut stopping: watch::Receiver<bool>) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopping.changed() => break,
        };
        let Ok((stream, _)) = accepted else { continue };
        let engine = engine.clone();
        let mut receiver = events.subscribe();
        let mut stopping = stopping.clone();
        connections.spawn(async move {
            let Ok(socket) = tokio_tungstenite::accept_async(stream).await else { return };
            let (mut sink, mut source) = socket.split();
            let mut connection = Connection { engine, subscriptions: HashMap::new(), fired_signatures: HashSet::new(), next_id: 0 };
            loop {
                let messages = tokio::select! {
                    incoming = source.next() => match incoming {
                        Some(Ok(Message::Text(text))) => connection.request(&text).await,
                        Some(Ok(Message::Ping(payload))) => vec![Message::Pong(payload)],
                        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                        Some(Ok(_)) => vec![],
                    },
                    event = receiver.recv() => match event {
                        Ok(event) => connection.notifications(&event).await,
                        Err(broadcast::error::RecvError::Lagged(_)) => vec![],
                        Err(broadcast::error::RecvError::Closed) => break,
                    },
                    _ = stopping.changed() => {
                        let frame = CloseFrame { code: CloseCode::Normal, reason: "cloak-localnet is stopping".into() };
                        let _ = sink.send(Message::Close(Some(frame))).await;
                        let _ = sink.flush().await;
                        break;
                    }
                };
                for message in messages {
                    if sink.send(message).await.is_err() {
                        return;
                    }
                }
            }
        });
    }
    while connections.join_next().await.is_some() {}
}
