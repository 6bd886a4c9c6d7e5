//! BN254 scalar field helpers for values that are not proof outputs: hashes reduced into the field
//! and signed amounts mapped onto it, computed the same way as the SDK (docs/protocol.md).

use crate::FieldBytes;

/// The BN254 scalar field modulus p, big-endian.
pub const MODULUS: FieldBytes = [
    0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d,
    0x28, 0x33, 0xe8, 0x48, 0x79, 0xb9, 0x70, 0x91, 0x43, 0xe1, 0xf5, 0x93, 0xf0, 0x00, 0x00, 0x01,
];

/// The BN254 base field modulus q (coordinates of curve points), big-endian.
pub const BASE_MODULUS: FieldBytes = [
    0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d,
    0x97, 0x81, 0x6a, 0x91, 0x68, 0x71, 0xca, 0x8d, 0x3c, 0x20, 0x8c, 0x16, 0xd8, 0x7c, 0xfd, 0x47,
];

fn less_than(a: &FieldBytes, b: &FieldBytes) -> bool {
    // Big-endian bytes compare like the numbers they encode.
    a < b
}

/// Whether `value` is below the scalar field modulus, i.e. the one encoding of a field element.
pub fn is_field_element(value: &FieldBytes) -> bool {
    less_than(value, &MODULUS)
}

/// `a - b` for `a >= b`, big-endian.
fn subtract(a: &mut FieldBytes, b: &FieldBytes) {
    let mut borrow = 0u16;
    for i in (0..32).rev() {
        let difference = a[i] as i16 - b[i] as i16 - borrow as i16;
        if difference < 0 {
            a[i] = (difference + 256) as u8;
            borrow = 1;
        } else {
            a[i] = difference as u8;
            borrow = 0;
        }
    }
}

/// `-P` for a G1 point given as big-endian `x || y`: `(x, q - y)`, and the point at infinity (all
/// zeros) unchanged. Plain byte arithmetic, a few hundred CU on chain instead of a curve library's
/// decode and re-encode; the pairing syscall still rejects anything that is not on the curve.
/// `None` if `y` is not below q.
pub fn negate_g1(point: &[u8; 64]) -> Option<[u8; 64]> {
    let mut y = [0u8; 32];
    y.copy_from_slice(&point[32..]);
    if !less_than(&y, &BASE_MODULUS) {
        return None;
    }
    let mut negated = *point;
    if y != [0u8; 32] {
        let mut minus_y = BASE_MODULUS;
        subtract(&mut minus_y, &y);
        negated[32..].copy_from_slice(&minus_y);
    }
    Some(negated)
}

/// A 256-bit big-endian value reduced mod p, how a 32-byte hash becomes a public input. 2^256 < 6p,
/// so at most five subtractions: cheaper on chain than a general reduction.
pub fn reduce_mod_p(mut value: FieldBytes) -> FieldBytes {
    while !less_than(&value, &MODULUS) {
        subtract(&mut value, &MODULUS);
    }
    value
}

/// A signed amount as a field element: `amount` for `amount >= 0`, `p - |amount|` otherwise, the
/// circuit's publicAmount encoding.
pub fn signed_to_field(amount: i128) -> FieldBytes {
    let mut magnitude = [0u8; 32];
    magnitude[16..].copy_from_slice(&amount.unsigned_abs().to_be_bytes());
    if amount >= 0 {
        return magnitude;
    }
    let mut result = MODULUS;
    subtract(&mut result, &magnitude);
    result
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
    fn reduce_leaves_field_elements_alone_and_wraps_the_rest() {
        assert_eq!(reduce_mod_p(small(7)), small(7));
        assert_eq!(reduce_mod_p(MODULUS), [0u8; 32]);
        let mut modulus_plus_two = MODULUS;
        modulus_plus_two[31] += 2;
        assert_eq!(reduce_mod_p(modulus_plus_two), small(2));
        // 2^256 - 1 mod p, from the SDK: 0x0e0a77c19a07df2f666ea36f7879462e36fc76959f60cd29ac96341c4ffffffa
        let expected: FieldBytes = [
            0x0e, 0x0a, 0x77, 0xc1, 0x9a, 0x07, 0xdf, 0x2f, 0x66, 0x6e, 0xa3, 0x6f, 0x78, 0x79,
            0x46, 0x2e, 0x36, 0xfc, 0x76, 0x95, 0x9f, 0x60, 0xcd, 0x29, 0xac, 0x96, 0x34, 0x1c,
            0x4f, 0xff, 0xff, 0xfa,
        ];
        assert_eq!(reduce_mod_p([0xff; 32]), expected);
    }

    #[test]
    fn negating_twice_gives_the_point_back_and_infinity_stays() {
        // The BN254 generator (1, 2).
        let mut generator = [0u8; 64];
        generator[31] = 1;
        generator[63] = 2;
        let negated = negate_g1(&generator).unwrap();
        let mut expected_y = BASE_MODULUS;
        expected_y[31] -= 2;
        assert_eq!(&negated[32..], &expected_y);
        assert_eq!(negate_g1(&negated), Some(generator));
        assert_eq!(negate_g1(&[0u8; 64]), Some([0u8; 64]));
        let mut out_of_range = generator;
        out_of_range[32..].copy_from_slice(&BASE_MODULUS);
        assert_eq!(negate_g1(&out_of_range), None);
    }

    #[test]
    fn signed_amounts_map_negatives_below_the_modulus() {
        assert_eq!(signed_to_field(5), small(5));
        assert_eq!(signed_to_field(0), [0u8; 32]);
        // p - 3 = 0x30644e72...43e1f593efffffffe
        let mut minus_three = MODULUS;
        minus_three[28..].copy_from_slice(&[0xef, 0xff, 0xff, 0xfe]);
        assert_eq!(signed_to_field(-3), minus_three);
    }
}
