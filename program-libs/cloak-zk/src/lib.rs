//! Groundwork the Cloak Solana programs share with the rest of the protocol (docs/protocol.md):
//! circomlib Poseidon over BN254, the pool's append-only Merkle tree with its root history, and the
//! join-split Groth16 verifier. Everything is big-endian 32-byte field elements, the encoding the
//! SDK, the EVM contracts and the alt_bn128 syscalls already use.
//!
//! `no_std` and allocation-free so an on-chain program can use it as is.
#![no_std]

pub mod field;
pub mod poseidon;
pub mod tree;
pub mod verifier;
pub mod verifying_key;

/// A BN254 scalar field element as 32 big-endian bytes.
pub type FieldBytes = [u8; 32];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloakZkError {
    /// A value that must be a BN254 scalar field element is at or above the modulus.
    NotAFieldElement,
    /// Poseidon (light-poseidon, or the syscall on chain) failed on inputs already range-checked; a
    /// bug, not bad input.
    PoseidonFailed,
    /// The tree has no room for another pair of leaves.
    TreeFull,
    /// The proof does not verify for these public inputs, or its points are malformed.
    InvalidProof,
}

impl core::fmt::Display for CloakZkError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::NotAFieldElement => "value is not below the BN254 scalar field modulus",
            Self::PoseidonFailed => "poseidon hashing failed",
            Self::TreeFull => "merkle tree is full",
            Self::InvalidProof => "groth16 proof is invalid",
        })
    }
}
