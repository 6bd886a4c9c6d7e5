//! Verification of join-split proofs against the depth-20 ceremony's key. On Solana the curve
//! operations are the alt_bn128 syscalls; natively groth16-solana runs the same checks with arkworks,
//! so these tests exercise the code a program ships.

use groth16_solana::groth16::{Groth16Verifier, Groth16Verifyingkey};

use crate::field::negate_g1;

use crate::verifying_key::{NR_PUBLIC_INPUTS, VERIFYING_KEY};
use crate::{CloakZkError, FieldBytes};

/// Byte length of an encoded proof: A (64), B (128), C (64).
pub const PROOF_BYTES: usize = 256;

/// The public inputs in the circuit's order (docs/protocol.md): root, publicAmount, extDataHash,
/// inputNullifier[0..2], outputCommitment[0..2].
pub type PublicInputs = [FieldBytes; NR_PUBLIC_INPUTS];

/// A Groth16 proof exactly as the prover made it, in the encoding the EVM verifier takes: big-endian
/// coordinates, G2 as x.c1, x.c0, y.c1, y.c0 (the SDK's `encodeSolidityProof`). A is not negated
/// here; [`verify_transaction_proof`] does that, so a wallet sends the same bytes to every chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Proof {
    pub a: [u8; 64],
    pub b: [u8; 128],
    pub c: [u8; 64],
}

impl Proof {
    pub fn from_bytes(bytes: &[u8; PROOF_BYTES]) -> Self {
        let mut proof = Self {
            a: [0; 64],
            b: [0; 128],
            c: [0; 64],
        };
        proof.a.copy_from_slice(&bytes[..64]);
        proof.b.copy_from_slice(&bytes[64..192]);
        proof.c.copy_from_slice(&bytes[192..]);
        proof
    }

    pub fn to_bytes(&self) -> [u8; PROOF_BYTES] {
        let mut bytes = [0u8; PROOF_BYTES];
        bytes[..64].copy_from_slice(&self.a);
        bytes[64..192].copy_from_slice(&self.b);
        bytes[192..].copy_from_slice(&self.c);
        bytes
    }
}

/// Checks `proof` for `public_inputs` against the join-split verifying key. Public inputs at or above
/// the scalar field modulus are refused rather than reduced, so no statement has a second encoding
/// (a nullifier + p would otherwise spend the same note twice).
pub fn verify_transaction_proof(
    proof: &Proof,
    public_inputs: &PublicInputs,
) -> Result<(), CloakZkError> {
    verify_transaction_proof_with_key(proof, public_inputs, &VERIFYING_KEY)
}

/// [`verify_transaction_proof`] against `key` instead of the compiled-in ceremony key: a program that
/// stores its key on chain (so it can be rotated) passes that one.
pub fn verify_transaction_proof_with_key(
    proof: &Proof,
    public_inputs: &PublicInputs,
    key: &Groth16Verifyingkey,
) -> Result<(), CloakZkError> {
    if key.nr_pubinputs != NR_PUBLIC_INPUTS || key.vk_ic.len() != NR_PUBLIC_INPUTS + 1 {
        return Err(CloakZkError::InvalidProof);
    }
    if !public_inputs
        .iter()
        .all(groth16_solana::groth16::is_less_than_bn254_field_size_be)
    {
        return Err(CloakZkError::NotAFieldElement);
    }
    // groth16-solana checks e(-A, B)·e(vk_x, γ)·e(C, δ)·e(α, β) = 1, one multi-pairing, so it wants -A.
    let negated_a = negate_g1(&proof.a).ok_or(CloakZkError::InvalidProof)?;
    let mut verifier = Groth16Verifier::new(
        &negated_a,
        &proof.b,
        &proof.c,
        public_inputs,
        key,
    )
    .map_err(|_| CloakZkError::InvalidProof)?;
    verifier.verify().map_err(|_| CloakZkError::InvalidProof)
}
