//! Seeds, domain tags and protocol-wide bounds. Off-chain code (the TS SDK, miners) mirrors these
//! byte for byte, so changing any of them is a protocol version change.

use anchor_lang::prelude::*;

/// Seed of the singleton [`crate::state::Registry`] PDA.
#[constant]
pub const REGISTRY_SEED: &[u8] = b"registry";

/// Seed prefix of a [`crate::state::Miner`] PDA, followed by the miner's authority.
#[constant]
pub const MINER_SEED: &[u8] = b"miner";

/// Seed prefix of a [`crate::state::Claim`] PDA, followed by the miner's authority, the batch
/// hash and the mined slot (little-endian).
#[constant]
pub const CLAIM_SEED: &[u8] = b"claim";

/// Domain tag that opens every proof-of-work preimage, so a hash computed for any other purpose
/// (or another protocol version) can never double as a Cloak claim.
#[constant]
pub const POW_DOMAIN: &[u8; 17] = b"CLOAK:SCRAMBLE:v1";

/// A claim mined for this batch hash may be consumed by any batch; any other value binds the
/// claim to exactly that batch.
#[constant]
pub const WILDCARD_BATCH: [u8; 32] = [0; 32];

/// Basis points in one whole, the unit of `Registry::miner_fee_share_bps`.
#[constant]
pub const BPS_DENOMINATOR: u64 = 10_000;

/// Largest `Registry::miner_fee_share_bps` the registry accepts: half the fee, so the relayer who
/// carries the withdrawal always keeps at least as much as the miner whose claim it consumed.
#[constant]
pub const MAX_MINER_FEE_SHARE_BPS: u16 = 5_000;

/// One retarget may move the difficulty by at most this factor either way, so a single
/// unusually fast or slow claim cannot swing the price of the next one arbitrarily.
#[constant]
pub const MAX_RETARGET_FACTOR: u64 = 2;

/// Length of a little-endian `u64` as it appears in seeds, preimages and sysvar data.
pub const U64_BYTES: usize = 8;

/// Length of a SHA-256 digest, a slot hash, a batch hash and a public key.
pub const HASH_BYTES: usize = 32;

/// Length of the proof-of-work preimage:
/// `POW_DOMAIN (17) || slot (8) || slot_hash (32) || authority (32) || batch_hash (32) || nonce (8)`.
pub const POW_PREIMAGE_LEN: usize =
    POW_DOMAIN.len() + U64_BYTES + HASH_BYTES + HASH_BYTES + HASH_BYTES + U64_BYTES;

/// How many leading bytes of the proof-of-work hash are compared against the target (read as a
/// big-endian `u128`).
pub const POW_TARGET_BYTES: usize = 16;

/// The SlotHashes sysvar: the bank's recent `(slot, hash)` pairs, newest first.
pub const SLOT_HASHES_SYSVAR_ID: Pubkey = solana_sdk_ids::sysvar::slot_hashes::ID;

/// SlotHashes data starts with its entry count as a little-endian `u64`.
pub const SLOT_HASHES_HEADER_BYTES: usize = U64_BYTES;

/// Each SlotHashes entry is a little-endian `u64` slot followed by its 32-byte bank hash.
pub const SLOT_HASH_ENTRY_BYTES: usize = U64_BYTES + HASH_BYTES;

/// Oldest seed slot, in slots before the current one, that `mine_claim` accepts. It equals the
/// SlotHashes capacity (512 entries), so while no slots are skipped every slot the sysvar holds
/// is usable. It also bounds when a claim may be closed: only once its seed slot is older than this
/// can the same `(authority, batch_hash, slot, nonce)` no longer be mined again, so closing the
/// claim cannot hand its proof of work a second life.
#[constant]
pub const MAX_POW_SLOT_AGE: u64 = 512;
