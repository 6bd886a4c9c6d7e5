//! JSON-RPC errors, with the codes Solana's RPC uses so clients map them the same way.

use serde_json::{json, Value};

#[derive(Debug)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    pub fn invalid_params(message: impl Into<String>) -> Self {
        RpcError { code: -32602, message: format!("Invalid params: {}", message.into()), data: None }
    }
    pub fn invalid_request(message: impl Into<String>) -> Self {
        RpcError { code: -32600, message: message.into(), data: None }
    }
    pub fn parse_error(message: impl Into<String>) -> Self {
        RpcError { code: -32700, message: format!("Parse error: {}", message.into()), data: None }
    }
    pub fn method_not_found(method: &str) -> Self {
        RpcError { code: -32601, message: format!("Method not found: {method} is not served by cloak-localnet"), data: None }
    }
    pub fn internal(message: impl Into<String>) -> Self {
        RpcError { code: -32603, message: message.into(), data: None }
    }
    /// Preflight simulation failed (Solana's JSON_RPC_SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE).
    pub fn preflight_failure(message: String, data: Value) -> Self {
        RpcError { code: -32002, message: format!("Transaction simulation failed: {message}"), data: Some(data) }
    }
    pub fn signature_verification_failure() -> Self {
        RpcError { code: -32003, message: "Transaction signature verification failure".into(), data: None }
    }
    pub fn unsupported_transaction_version(version: u8) -> Self {
        RpcError {
            code: -32015,
            message: format!("Transaction version ({version}) is not supported by the requesting client. Please try the request again with the following configuration parameter: \"maxSupportedTransactionVersion\": {version}"),
            data: None,
        }
    }

    pub fn to_json(&self) -> Value {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(data) = &self.data {
            error["data"] = data.clone();
        }
        error
    }
}
