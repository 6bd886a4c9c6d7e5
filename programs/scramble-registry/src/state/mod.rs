//! Accounts owned by the registry.

pub mod claim;
pub mod miner;
pub mod registry;

pub use claim::*;
pub use miner::*;
pub use registry::*;
