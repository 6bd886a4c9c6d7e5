//! A small SBPF program over `cloak-zk` with one instruction per costly step of a shield-pool
//! `transact`, making the same library calls (docs/solana.md, "Compute units"). Built with upstream
//! nightly for an `os = "solana"` BPF target and relinked by sbpf-linker (`npm run build:sbf`), it
//! runs the `target_os = "solana"` code paths (the Poseidon, alt_bn128 and SHA-256 syscalls) in
//! LiteSVM's SBPF VM, where the tests compare every result with the host build and the bench
//! (`npm run bench:cu`) reads the compute units.
//!
//! Instruction data is a [`Step`] tag followed by that step's arguments; outputs come back as
//! return data, `cloak-zk` errors as custom program errors ([`error_code`]).
#![no_std]

use cloak_zk::CloakZkError;

#[cfg(not(target_os = "solana"))]
pub mod host;
#[cfg(target_os = "solana")]
mod program;

/// What an instruction runs. Arguments and return data are big-endian field elements unless said.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Nothing: the entrypoint's own cost, which every other step includes.
    Baseline = 0,
    /// `left || right` → Poseidon(left, right).
    Poseidon = 1,
    /// `leaf1 || leaf2`, account 0 the zero-copy tree (`cloak_zk::tree::PoolTree`, owned by the
    /// probe) → the new root, then the tree number and first leaf index (u64 little-endian).
    InsertPair = 2,
    /// A 256-byte proof and the seven public inputs → nothing; refused as the verifier refuses.
    VerifyProof = 3,
    /// The ext_data preimage as slices, each a u16 little-endian length and its bytes → SHA-256 of
    /// their concatenation reduced mod p, the circuit's extDataHash.
    ExtDataHash = 4,
    /// `ext_amount` (i64 LE) and `fee` (u64 LE) → the circuit's publicAmount.
    PublicAmount = 5,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Step::Baseline,
        Step::Poseidon,
        Step::InsertPair,
        Step::VerifyProof,
        Step::ExtDataHash,
        Step::PublicAmount,
    ];

    pub fn from_tag(tag: u8) -> Option<Step> {
        Self::ALL.into_iter().find(|step| *step as u8 == tag)
    }
}

/// Most slices an [`Step::ExtDataHash`] preimage may have (shield-pool's has nine).
pub const MAX_PREIMAGE_SLICES: usize = 16;

/// The custom program error a `cloak-zk` error becomes, so a test can compare a refusal on chain
/// with the host's. Starts at 1: 0 is not a custom error on Solana.
pub fn error_code(error: CloakZkError) -> u32 {
    match error {
        CloakZkError::NotAFieldElement => 1,
        CloakZkError::PoseidonFailed => 2,
        CloakZkError::TreeFull => 3,
        CloakZkError::InvalidProof => 4,
    }
}
