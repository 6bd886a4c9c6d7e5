//! The proof-of-work rule and the difficulty retarget, as pure functions.
//!
//! Miners and the TS SDK reimplement exactly these functions and compare against the golden
//! vectors in the tests below, so any change here is a protocol change.
//!
//! Why SHA-256: on-chain it is the `sol_sha256` syscall, enabled on every cluster and cheap —
//! 85 CU base plus 1 CU per 2 input bytes per slice (at least 10 CU per slice), so hashing the
//! contiguous 129-byte preimage costs 85 + 64 = 149 CU — while miners off-chain get hardware SHA
//! extensions (x86 SHA-NI, ARMv8 crypto), so the work the registry prices is the work miners do,
//! without an ASIC-friendly gap peculiar to this protocol.

use anchor_lang::prelude::Pubkey;

use crate::constants::{
    HASH_BYTES, MAX_RETARGET_FACTOR, POW_DOMAIN, POW_PREIMAGE_LEN, POW_TARGET_BYTES,
};

/// The bytes a miner hashes:
/// `POW_DOMAIN || slot (u64 LE) || slot_hash || miner_authority || batch_hash || nonce (u64 LE)`.
///
/// Binding the slot hash makes work impossible to precompute before that slot; binding the
/// authority stops anyone from stealing a found nonce; binding the batch hash lets a claim be
/// restricted to one batch (or `WILDCARD_BATCH` for any).
pub fn pow_preimage(
    slot: u64,
    slot_hash: &[u8; HASH_BYTES],
    miner_authority: &Pubkey,
    batch_hash: &[u8; HASH_BYTES],
    nonce: u64,
) -> [u8; POW_PREIMAGE_LEN] {
    let mut preimage = [0u8; POW_PREIMAGE_LEN];
    let fields: [&[u8]; 6] = [
        POW_DOMAIN,
        &slot.to_le_bytes(),
        slot_hash,
        miner_authority.as_ref(),
        batch_hash,
        &nonce.to_le_bytes(),
    ];
    // POW_PREIMAGE_LEN is defined as the sum of these field lengths, so the chunks tile it exactly.
    let mut rest = preimage.as_mut_slice();
    for field in fields {
        let (head, tail) = rest.split_at_mut(field.len());
        head.copy_from_slice(field);
        rest = tail;
    }
    preimage
}

/// `sha256(pow_preimage(..))`, hashed as one contiguous slice (the cheapest form for the syscall).
pub fn pow_hash(
    slot: u64,
    slot_hash: &[u8; HASH_BYTES],
    miner_authority: &Pubkey,
    batch_hash: &[u8; HASH_BYTES],
    nonce: u64,
) -> [u8; HASH_BYTES] {
    let preimage = pow_preimage(slot, slot_hash, miner_authority, batch_hash, nonce);
    solana_sha256_hasher::hashv(&[&preimage]).to_bytes()
}

/// The target a hash must stay strictly below: `u128::MAX / difficulty`, or `None` for a
/// difficulty of 0, which the registry never holds.
pub fn pow_target(difficulty: u64) -> Option<u128> {
    u128::MAX.checked_div(u128::from(difficulty))
}

/// The exact acceptance rule: the first 16 bytes of `pow_hash`, read as a big-endian `u128`,
/// must be strictly less than `u128::MAX / difficulty`. A uniformly random hash passes with
/// probability ~1/difficulty, so `difficulty` is the expected number of hashes per claim.
/// A difficulty of 0 accepts nothing.
pub fn meets_difficulty(pow_hash: &[u8; HASH_BYTES], difficulty: u64) -> bool {
    let mut head = [0u8; POW_TARGET_BYTES];
    head.copy_from_slice(&pow_hash[..POW_TARGET_BYTES]);
    pow_target(difficulty).is_some_and(|target| u128::from_be_bytes(head) < target)
}

/// The difficulty after a claim that arrived `elapsed_slots` after the previous one.
///
/// `proposed = difficulty * target_interval_slots / elapsed_slots` (exact `u128` math, rounded
/// down), so claims faster than the target interval raise the difficulty and slower ones lower
/// it. `proposed` is first clamped to
/// `[max(difficulty / MAX_RETARGET_FACTOR, 1), difficulty * MAX_RETARGET_FACTOR]`, then to
/// `[min_difficulty, max_difficulty]`. An `elapsed_slots` of 0 counts as 1.
pub fn retarget(
    difficulty: u64,
    target_interval_slots: u64,
    elapsed_slots: u64,
    min_difficulty: u64,
    max_difficulty: u64,
) -> u64 {
    let current = u128::from(difficulty);
    let elapsed = u128::from(elapsed_slots.max(1));
    let factor = u128::from(MAX_RETARGET_FACTOR);
    // Both operands are below 2^64, so the product fits in u128 and the division is by >= 1.
    let proposed = current.saturating_mul(u128::from(target_interval_slots)) / elapsed;
    let floor = (current / factor).max(1);
    let ceiling = current.saturating_mul(factor);
    let bounded = proposed
        .max(floor)
        .min(ceiling)
        .max(u128::from(min_difficulty))
        .min(u128::from(max_difficulty));
    // `bounded <= max_difficulty`, which is a u64; saturate rather than panic all the same.
    u64::try_from(bounded).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// A hash whose first 16 bytes are `head` (big-endian) and the rest zero.
    fn hash_with_head(head: u128) -> [u8; 32] {
        let mut hash = [0u8; 32];
        hash[..16].copy_from_slice(&head.to_be_bytes());
        hash
    }

    #[test]
    fn preimage_layout_is_domain_slot_slothash_authority_batch_nonce() {
        let slot = 0x0102_0304_0506_0708;
        let nonce = 0x1112_1314_1516_1718;
        let authority = Pubkey::new_from_array([0x22; 32]);
        let preimage = pow_preimage(slot, &[0x11; 32], &authority, &[0x33; 32], nonce);

        assert_eq!(preimage.len(), 129);
        assert_eq!(&preimage[0..17], b"CLOAK:SCRAMBLE:v1");
        assert_eq!(&preimage[17..25], &[8, 7, 6, 5, 4, 3, 2, 1]);
        assert_eq!(&preimage[25..57], &[0x11; 32]);
        assert_eq!(&preimage[57..89], &[0x22; 32]);
        assert_eq!(&preimage[89..121], &[0x33; 32]);
        assert_eq!(
            &preimage[121..129],
            &[0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11]
        );
    }

    #[test]
    fn pow_hash_is_sha256_of_the_preimage() {
        let authority = Pubkey::new_from_array([0x22; 32]);
        let preimage = pow_preimage(7, &[1; 32], &authority, &[2; 32], 9);
        assert_eq!(
            pow_hash(7, &[1; 32], &authority, &[2; 32], 9),
            solana_sha256_hasher::hash(&preimage).to_bytes()
        );
    }

    /// Golden vectors (computed independently with Python's hashlib) for SDK implementations.
    #[test]
    fn pow_hash_golden_vectors() {
        let authority = Pubkey::new_from_array([0x22; 32]);
        let hash = pow_hash(123_456_789, &[0x11; 32], &authority, &[0x33; 32], 42);
        assert_eq!(
            hex(&hash),
            "55aaed01c70272b969b2caed5ae4b713fb8ada14f350ad24e7e689878a773171"
        );
        // 0x55aa.. is above u128::MAX / 3 = 0x5555.. but below u128::MAX / 2 = 0x7fff..
        assert!(meets_difficulty(&hash, 2));
        assert!(!meets_difficulty(&hash, 3));

        let zero = pow_hash(0, &[0; 32], &Pubkey::new_from_array([0; 32]), &[0; 32], 0);
        assert_eq!(
            hex(&zero),
            "c0b583ac73b40f463be078d79cc093990e8e8cf4be21ccf1f5206245e4ea86fc"
        );
    }

    #[test]
    fn target_comparison_is_strict_and_reads_the_first_16_bytes_big_endian() {
        let half = u128::MAX / 2;
        assert!(meets_difficulty(&hash_with_head(half - 1), 2));
        assert!(
            !meets_difficulty(&hash_with_head(half), 2),
            "equal to target fails"
        );
        assert!(!meets_difficulty(&hash_with_head(half + 1), 2));
        // The trailing 16 bytes never matter.
        let mut hash = hash_with_head(half - 1);
        hash[16..].copy_from_slice(&[0xff; 16]);
        assert!(meets_difficulty(&hash, 2));
        // Difficulty 1 accepts everything except the all-ones head; 0 accepts nothing.
        assert!(meets_difficulty(&hash_with_head(u128::MAX - 1), 1));
        assert!(!meets_difficulty(&hash_with_head(u128::MAX), 1));
        assert!(!meets_difficulty(&hash_with_head(0), 0));
        assert_eq!(pow_target(0), None);
        assert_eq!(pow_target(4), Some(u128::MAX / 4));
    }

    #[test]
    fn retarget_on_target_interval_keeps_difficulty() {
        assert_eq!(retarget(1_000, 10, 10, 1, u64::MAX), 1_000);
    }

    #[test]
    fn retarget_scales_inversely_with_elapsed_slots() {
        // 25% faster than target: 1000 * 10 / 8.
        assert_eq!(retarget(1_000, 10, 8, 1, u64::MAX), 1_250);
        // 25% slower: 1000 * 10 / 12, rounded down.
        assert_eq!(retarget(1_000, 10, 12, 1, u64::MAX), 833);
    }

    #[test]
    fn retarget_moves_at_most_by_the_factor() {
        assert_eq!(retarget(1_000, 100, 1, 1, u64::MAX), 2_000);
        assert_eq!(retarget(1_000, 1, 1_000_000, 1, u64::MAX), 500);
        // Zero elapsed slots count as one.
        assert_eq!(retarget(1_000, 100, 0, 1, u64::MAX), 2_000);
    }

    #[test]
    fn retarget_respects_min_and_max_difficulty() {
        assert_eq!(retarget(1_000, 100, 1, 1, 1_500), 1_500);
        assert_eq!(retarget(1_000, 1, 1_000_000, 800, u64::MAX), 800);
    }

    #[test]
    fn retarget_never_drops_below_one() {
        assert_eq!(retarget(1, 1, u64::MAX, 1, u64::MAX), 1);
        assert_eq!(retarget(1, 1, u64::MAX, 0, u64::MAX), 1);
    }

    #[test]
    fn retarget_does_not_overflow_at_the_extremes() {
        assert_eq!(retarget(u64::MAX, u64::MAX, 1, 1, u64::MAX), u64::MAX);
        assert_eq!(retarget(u64::MAX, 1, u64::MAX, 1, u64::MAX), u64::MAX / 2);
    }
}
