pub mod config;
pub mod nullifier;
pub mod pool;
pub mod tree;

pub use config::*;
pub use nullifier::*;
pub use pool::*;
pub use tree::*;
