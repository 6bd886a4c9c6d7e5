//! Poseidon with circomlib's parameters (`circomlib/circuits/poseidon.circom`), so hashes match the
//! circuit, the SDK (circomlibjs) and the EVM's poseidon-solidity bit for bit.

#[cfg(not(target_os = "solana"))]
use ark_bn254::Fr;
#[cfg(not(target_os = "solana"))]
use light_poseidon::{Poseidon, PoseidonBytesHasher};

use crate::field::is_field_element;
use crate::{CloakZkError, FieldBytes};

/// The range check both builds make before hashing, so an out-of-field input is `NotAFieldElement`
/// everywhere: the syscall refuses one too, but returns a bare failure code that would otherwise
/// surface on chain as `PoseidonFailed` while the host reported `NotAFieldElement`.
fn check_inputs(left: &FieldBytes, right: &FieldBytes) -> Result<(), CloakZkError> {
    if is_field_element(left) && is_field_element(right) {
        Ok(())
    } else {
        Err(CloakZkError::NotAFieldElement)
    }
}

/// Poseidon of two field elements, the tree's node hash. On the host this is light-poseidon; building
/// its parameters is far costlier than one permutation, so keep one `Poseidon2` for a run of hashes
/// (a whole tree insert, say). On Solana it is the `sol_poseidon` syscall, which has the same
/// parameters and the same range check, at a fixed 786 CU per two-input hash.
#[cfg(not(target_os = "solana"))]
pub struct Poseidon2(Poseidon<Fr>);

#[cfg(target_os = "solana")]
pub struct Poseidon2;

#[cfg(not(target_os = "solana"))]
impl Poseidon2 {
    pub fn new() -> Self {
        // Width 3 is within circomlib's parameter table, so construction cannot fail.
        Self(Poseidon::<Fr>::new_circom(2).expect("circomlib defines Poseidon for 2 inputs"))
    }

    /// Poseidon(left, right). Inputs at or above the field modulus are refused, not reduced: a
    /// reduced input would give two encodings of one node.
    pub fn hash(
        &mut self,
        left: &FieldBytes,
        right: &FieldBytes,
    ) -> Result<FieldBytes, CloakZkError> {
        check_inputs(left, right)?;
        self.0
            .hash_bytes_be(&[left, right])
            .map_err(|_| CloakZkError::PoseidonFailed)
    }
}

#[cfg(target_os = "solana")]
impl Poseidon2 {
    pub fn new() -> Self {
        Self
    }

    /// Poseidon(left, right) by syscall; inputs at or above the modulus are refused before it.
    pub fn hash(
        &mut self,
        left: &FieldBytes,
        right: &FieldBytes,
    ) -> Result<FieldBytes, CloakZkError> {
        use solana_poseidon::{hashv, Endianness, Parameters};
        check_inputs(left, right)?;
        hashv(Parameters::Bn254X5, Endianness::BigEndian, &[left, right])
            .map(|hash| hash.to_bytes())
            .map_err(|_| CloakZkError::PoseidonFailed)
    }
}

impl Default for Poseidon2 {
    fn default() -> Self {
        Self::new()
    }
}

/// One-off Poseidon(left, right); prefer a reused [`Poseidon2`] for several hashes.
pub fn poseidon2(left: &FieldBytes, right: &FieldBytes) -> Result<FieldBytes, CloakZkError> {
    Poseidon2::new().hash(left, right)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small(value: u8) -> FieldBytes {
        let mut bytes = [0u8; 32];
        bytes[31] = value;
        bytes
    }

    #[test]
    fn matches_the_protocol_vector() {
        // docs/protocol.md: Poseidon(1, 2) = 7853200120776062878684798364095072458815029376092732009249414926327459813530
        let expected: FieldBytes = [
            0x11, 0x5c, 0xc0, 0xf5, 0xe7, 0xd6, 0x90, 0x41, 0x3d, 0xf6, 0x4c, 0x6b, 0x96, 0x62,
            0xe9, 0xcf, 0x2a, 0x36, 0x17, 0xf2, 0x74, 0x32, 0x45, 0x51, 0x9e, 0x19, 0x60, 0x7a,
            0x44, 0x17, 0x18, 0x9a,
        ];
        assert_eq!(poseidon2(&small(1), &small(2)), Ok(expected));
    }

    #[test]
    fn is_not_symmetric() {
        let mut hasher = Poseidon2::new();
        assert_ne!(
            hasher.hash(&small(1), &small(2)),
            hasher.hash(&small(2), &small(1))
        );
    }

    #[test]
    fn refuses_values_outside_the_field() {
        let modulus: FieldBytes = [
            0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81,
            0x58, 0x5d, 0x28, 0x33, 0xe8, 0x48, 0x79, 0xb9, 0x70, 0x91, 0x43, 0xe1, 0xf5, 0x93,
            0xf0, 0x00, 0x00, 0x01,
        ];
        let mut hasher = Poseidon2::new();
        assert_eq!(
            hasher.hash(&modulus, &small(1)),
            Err(CloakZkError::NotAFieldElement)
        );
        assert_eq!(
            hasher.hash(&small(1), &[0xff; 32]),
            Err(CloakZkError::NotAFieldElement)
        );
    }

    #[test]
    fn accepts_the_largest_field_element() {
        let mut largest = crate::field::MODULUS;
        largest[31] -= 1;
        let mut hasher = Poseidon2::new();
        assert!(hasher.hash(&largest, &largest).is_ok());
    }
}
