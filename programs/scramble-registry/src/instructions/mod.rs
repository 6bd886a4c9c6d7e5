//! One module per instruction: its accounts struct and its handler. Handlers are named
//! `handle_<instruction>` rather than `handler` or the bare instruction name, so neither the
//! glob re-exports Anchor needs nor the functions `#[program]` re-exports collide.

pub mod accept_admin;
pub mod close_expired_claim;
pub mod consume_claim;
pub mod initialize;
pub mod mine_claim;
pub mod register_miner;
pub mod reveal_claim;
pub mod transfer_admin;
pub mod update_params;

pub use accept_admin::*;
pub use close_expired_claim::*;
pub use consume_claim::*;
pub use initialize::*;
pub use mine_claim::*;
pub use register_miner::*;
pub use reveal_claim::*;
pub use transfer_admin::*;
pub use update_params::*;
