//! Reads one entry of the SlotHashes sysvar straight from its account data.
//!
//! The sysvar is ~20 KB (512 entries); deserializing it whole would copy all of it onto the
//! heap. Its entries are sorted by slot, newest first, so a binary search touches ~9 of them.

use anchor_lang::prelude::*;

use crate::{
    constants::{HASH_BYTES, SLOT_HASHES_HEADER_BYTES, SLOT_HASH_ENTRY_BYTES, U64_BYTES},
    errors::RegistryError,
};

/// The bank hash SlotHashes records for `slot`, or `None` if it has no entry for it.
///
/// Layout: `count: u64 LE`, then `count` entries of `(slot: u64 LE, hash: [u8; 32])` in strictly
/// decreasing slot order. Data shorter than `count` entries is `SlotHashesMalformed`.
pub fn lookup_slot_hash(data: &[u8], slot: u64) -> Result<Option<[u8; HASH_BYTES]>> {
    let count = read_u64(data, 0)?;
    let count = usize::try_from(count).map_err(|_| RegistryError::SlotHashesMalformed)?;
    let entries_len = count
        .checked_mul(SLOT_HASH_ENTRY_BYTES)
        .ok_or(RegistryError::SlotHashesMalformed)?;
    let entries = data
        .get(SLOT_HASHES_HEADER_BYTES..)
        .and_then(|rest| rest.get(..entries_len))
        .ok_or(RegistryError::SlotHashesMalformed)?;

    // Invariant: the entry for `slot`, if any, has an index in [low, high).
    let (mut low, mut high) = (0usize, count);
    while low < high {
        // low < high <= count, so neither the sum of halves nor the offset below can overflow.
        let mid = low + (high - low) / 2;
        let offset = mid * SLOT_HASH_ENTRY_BYTES;
        let entry_slot = read_u64(entries, offset)?;
        match entry_slot.cmp(&slot) {
            core::cmp::Ordering::Equal => {
                let hash_start = offset + U64_BYTES;
                let hash = entries
                    .get(hash_start..hash_start + HASH_BYTES)
                    .and_then(|bytes| <[u8; HASH_BYTES]>::try_from(bytes).ok())
                    .ok_or(RegistryError::SlotHashesMalformed)?;
                return Ok(Some(hash));
            }
            // Newest first: a larger slot sits before the one we want.
            core::cmp::Ordering::Greater => low = mid + 1,
            core::cmp::Ordering::Less => high = mid,
        }
    }
    Ok(None)
}

fn read_u64(data: &[u8], offset: usize) -> Result<u64> {
    let bytes = data
        .get(offset..)
        .and_then(|rest| rest.get(..U64_BYTES))
        .and_then(|bytes| <[u8; U64_BYTES]>::try_from(bytes).ok())
        .ok_or(RegistryError::SlotHashesMalformed)?;
    Ok(u64::from_le_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sysvar data for `slots` (given newest first), each hashed to `[slot as u8; 32]`.
    fn sysvar_data(slots: &[u64]) -> Vec<u8> {
        let mut data = (slots.len() as u64).to_le_bytes().to_vec();
        for &slot in slots {
            data.extend_from_slice(&slot.to_le_bytes());
            data.extend_from_slice(&[slot as u8; 32]);
        }
        data
    }

    #[test]
    fn finds_every_present_slot_including_both_ends() {
        let slots: Vec<u64> = (1..=40).rev().filter(|slot| slot % 3 != 0).collect();
        let data = sysvar_data(&slots);
        for &slot in &slots {
            assert_eq!(
                lookup_slot_hash(&data, slot).unwrap(),
                Some([slot as u8; 32])
            );
        }
    }

    #[test]
    fn absent_slots_are_none() {
        let data = sysvar_data(&[50, 40, 30]);
        for slot in [0, 29, 35, 45, 51, u64::MAX] {
            assert_eq!(lookup_slot_hash(&data, slot).unwrap(), None, "slot {slot}");
        }
        assert_eq!(lookup_slot_hash(&sysvar_data(&[]), 1).unwrap(), None);
    }

    #[test]
    fn trailing_bytes_beyond_count_are_ignored() {
        let mut data = sysvar_data(&[9, 8]);
        data.extend_from_slice(&[0xee; 100]);
        assert_eq!(lookup_slot_hash(&data, 8).unwrap(), Some([8; 32]));
    }

    #[test]
    fn data_shorter_than_its_count_is_malformed() {
        let mut data = sysvar_data(&[9, 8]);
        data.truncate(data.len() - 1);
        assert!(lookup_slot_hash(&data, 8).is_err());
        assert!(lookup_slot_hash(&[1, 2, 3], 8).is_err());
        let mut huge = u64::MAX.to_le_bytes().to_vec();
        huge.extend_from_slice(&[0; 40]);
        assert!(lookup_slot_hash(&huge, 8).is_err());
    }
}
