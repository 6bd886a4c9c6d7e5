use anchor_lang::prelude::*;
use bytemuck::Zeroable;
use groth16_solana::groth16::Groth16Verifyingkey;
use solana_bn254::prelude::{alt_bn128_g1_addition_be, alt_bn128_pairing_be};

use crate::constants::NR_PUBLIC_INPUTS;
use crate::errors::ShieldPoolError;

/// A Groth16 verifying key in groth16-solana's layout (big-endian limbs, G2 as x.c1, x.c0, y.c1,
/// y.c0), stored so the key can be rotated without redeploying.
#[zero_copy]
#[derive(Debug, PartialEq, Eq)]
pub struct VerifyingKeyData {
    pub alpha_g1: [u8; 64],
    pub beta_g2: [u8; 128],
    pub gamma_g2: [u8; 128],
    pub delta_g2: [u8; 128],
    pub ic: [[u8; 64]; 8],
}

/// A verifying key as `propose_verifying_key` receives it (Borsh; the stored form is zero-copy).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct VerifyingKeyInput {
    pub alpha_g1: [u8; 64],
    pub beta_g2: [u8; 128],
    pub gamma_g2: [u8; 128],
    pub delta_g2: [u8; 128],
    pub ic: [[u8; 64]; 8],
}

/// BN254's G1 generator (1, 2), big-endian: the G1 half of the pairing that checks a G2 point.
const G1_GENERATOR: [u8; 64] = {
    let mut point = [0u8; 64];
    point[31] = 1;
    point[63] = 2;
    point
};

impl VerifyingKeyInput {
    /// Refuses a key the alt_bn128 syscalls would reject at verification time (so every transact
    /// would fail) or that makes the pairing equation degenerate: each G1 point must be on the
    /// curve (checked by adding it to the identity, which validates both operands), each G2 point
    /// on the curve and in the prime-order subgroup (checked by a pairing, which validates its
    /// inputs that way), and alpha, beta, gamma and delta must not be the identity.
    pub fn check_points(&self) -> Result<()> {
        require!(
            self.alpha_g1 != [0u8; 64] && is_g1_point(&self.alpha_g1),
            ShieldPoolError::InvalidVerifyingKeyAlpha
        );
        for (field, point, error) in [
            ("beta_g2", &self.beta_g2, ShieldPoolError::InvalidVerifyingKeyBeta),
            ("gamma_g2", &self.gamma_g2, ShieldPoolError::InvalidVerifyingKeyGamma),
            ("delta_g2", &self.delta_g2, ShieldPoolError::InvalidVerifyingKeyDelta),
        ] {
            if *point == [0u8; 128] || !is_g2_subgroup_point(point) {
                msg!("verifying_key.{} is not a point of G2's subgroup", field);
                return Err(error.into());
            }
        }
        if let Some(index) = self.ic.iter().position(|point| !is_g1_point(point)) {
            msg!("verifying_key.ic[{}] is not a point of G1", index);
            return Err(ShieldPoolError::InvalidVerifyingKeyIc.into());
        }
        Ok(())
    }
}

fn is_g1_point(point: &[u8; 64]) -> bool {
    alt_bn128_g1_addition_be(&[point.as_slice(), &[0u8; 64]].concat()).is_ok()
}

fn is_g2_subgroup_point(point: &[u8; 128]) -> bool {
    alt_bn128_pairing_be(&[G1_GENERATOR.as_slice(), point.as_slice()].concat()).is_ok()
}

impl From<&VerifyingKeyInput> for VerifyingKeyData {
    fn from(input: &VerifyingKeyInput) -> Self {
        Self {
            alpha_g1: input.alpha_g1,
            beta_g2: input.beta_g2,
            gamma_g2: input.gamma_g2,
            delta_g2: input.delta_g2,
            ic: input.ic,
        }
    }
}

impl VerifyingKeyData {
    pub fn from_key(key: &Groth16Verifyingkey) -> Self {
        let mut ic = [[0u8; 64]; 8];
        ic.copy_from_slice(key.vk_ic);
        Self {
            alpha_g1: key.vk_alpha_g1,
            beta_g2: key.vk_beta_g2,
            gamma_g2: key.vk_gamma_g2,
            delta_g2: key.vk_delta_g2,
            ic,
        }
    }

    /// SHA-256 of the key's bytes in field order: what events carry, so a watcher can compare a
    /// proposed key with the one its ceremony published.
    pub fn hash(&self) -> [u8; 32] {
        let mut parts: Vec<&[u8]> = vec![&self.alpha_g1, &self.beta_g2, &self.gamma_g2, &self.delta_g2];
        parts.extend(self.ic.iter().map(|point| point.as_slice()));
        solana_sha256_hasher::hashv(&parts).to_bytes()
    }

    pub fn as_key(&self) -> Groth16Verifyingkey<'_> {
        Groth16Verifyingkey {
            nr_pubinputs: NR_PUBLIC_INPUTS,
            vk_alpha_g1: self.alpha_g1,
            vk_beta_g2: self.beta_g2,
            vk_gamma_g2: self.gamma_g2,
            vk_delta_g2: self.delta_g2,
            vk_ic: &self.ic,
            vk_commitment: None,
        }
    }
}

/// The protocol's one configuration (PDA `["config"]`): who governs, whether it is paused, which
/// relayers may take fees, the verifying key and its pending rotation, and the PoW gate. It is also
/// the signer the scramble registry accepts consumptions from. Zero-copy: the two keys make it 2.6 KB.
#[account(zero_copy)]
#[derive(Debug)]
pub struct Config {
    /// Seconds a proposed verifying key waits, with the pool unpaused throughout, before it can be
    /// applied; at least `MIN_VERIFYING_KEY_DELAY_SECONDS`.
    pub verifying_key_delay_seconds: i64,
    /// Unix time the pending key was proposed; meaningful while `pending_verifying_key_set` is 1.
    pub pending_verifying_key_proposed_at: i64,
    /// Unix time the pool was last unpaused (initialize counts as an unpause). A rotation applies
    /// only once the pool has been unpaused for its whole delay, so users can always exit first.
    pub unpaused_since: i64,
    pub relayer_count: u64,
    pub admin: Pubkey,
    /// Proposed by `transfer_admin`, becomes admin on `accept_admin`; default when none.
    pub pending_admin: Pubkey,
    /// May pause (the admin may too); only the admin unpauses. Default once revoked.
    pub pause_authority: Pubkey,
    /// Proposed by `transfer_pause_authority`, takes over on `accept_pause_authority`.
    pub pending_pause_authority: Pubkey,
    /// May install a verifying key at once, but only while the pool is paused (the emergency path
    /// against a live exploit); hands itself over, so the admin cannot appoint it. Default: none.
    pub security_council: Pubkey,
    /// Proposed by `transfer_security_council`, takes over on `accept_security_council`.
    pub pending_security_council: Pubkey,
    pub relayers: [Pubkey; 16],
    pub verifying_key: VerifyingKeyData,
    pub pending_verifying_key: VerifyingKeyData,
    /// 1 when transact is refused.
    pub paused: u8,
    /// 1 when a relayed withdrawal must consume a scramble-registry claim.
    pub pow_required: u8,
    pub bump: u8,
    /// 1 while a proposed verifying key waits in `pending_verifying_key`.
    pub pending_verifying_key_set: u8,
    pub reserved: [u8; 4],
}

impl Config {
    pub fn registered_relayers(&self) -> &[Pubkey] {
        &self.relayers[..self.relayer_count as usize]
    }

    pub fn is_relayer(&self, relayer: &Pubkey) -> bool {
        self.registered_relayers().contains(relayer)
    }

    pub fn is_paused(&self) -> bool {
        self.paused != 0
    }

    pub fn requires_pow(&self) -> bool {
        self.pow_required != 0
    }

    /// Whether `signer` is the security council (never the default key, which means none).
    pub fn is_security_council(&self, signer: &Pubkey) -> bool {
        self.security_council != Pubkey::default() && self.security_council == *signer
    }

    pub fn has_pending_verifying_key(&self) -> bool {
        self.pending_verifying_key_set != 0
    }

    /// Stages `key` as of `now`; a new proposal replaces a pending one and restarts its delay.
    pub fn stage_verifying_key(&mut self, key: &VerifyingKeyInput, now: i64) {
        self.pending_verifying_key = VerifyingKeyData::from(key);
        self.pending_verifying_key_proposed_at = now;
        self.pending_verifying_key_set = 1;
    }

    /// Drops the pending key, if any; says whether there was one.
    pub fn clear_pending_verifying_key(&mut self) -> bool {
        let had_one = self.has_pending_verifying_key();
        self.pending_verifying_key = VerifyingKeyData::zeroed();
        self.pending_verifying_key_proposed_at = 0;
        self.pending_verifying_key_set = 0;
        had_one
    }

    /// When the pending key may apply: its delay after the later of its proposal and the last
    /// unpause. Meaningless while paused (it cannot apply then at all).
    pub fn verifying_key_ready_at(&self) -> Result<i64> {
        self.pending_verifying_key_proposed_at
            .max(self.unpaused_since)
            .checked_add(self.verifying_key_delay_seconds)
            .ok_or_else(|| ShieldPoolError::Overflow.into())
    }
}

/// Second step of a two-step handover: `signer` must be the proposed key (`pending`, never the
/// default key, which means none); it replaces `current` and `pending` clears. Returns the previous
/// holder.
pub fn complete_handover(
    current: &mut Pubkey,
    pending: &mut Pubkey,
    signer: Pubkey,
    not_pending: ShieldPoolError,
) -> Result<Pubkey> {
    if *pending == Pubkey::default() || *pending != signer {
        return Err(not_pending.into());
    }
    *pending = Pubkey::default();
    Ok(core::mem::replace(current, signer))
}
