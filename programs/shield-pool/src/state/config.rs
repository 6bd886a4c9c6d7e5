use anchor_lang::prelude::*;
use groth16_solana::groth16::Groth16Verifyingkey;

use crate::constants::NR_PUBLIC_INPUTS;

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
/// the signer the scramble registry accepts consumptions from. Zero-copy: the two keys make it 2.5 KB.
#[account(zero_copy)]
#[derive(Debug)]
pub struct Config {
    /// Slots a proposed verifying key waits before it can be applied.
    pub verifying_key_delay_slots: u64,
    /// Slot from which the pending key can be applied; 0 when none is pending.
    pub pending_verifying_key_ready_slot: u64,
    pub relayer_count: u64,
    pub admin: Pubkey,
    /// Proposed by `transfer_admin`, becomes admin on `accept_admin`; default when none.
    pub pending_admin: Pubkey,
    /// May pause (the admin may too); only the admin unpauses.
    pub pause_authority: Pubkey,
    pub relayers: [Pubkey; 16],
    pub verifying_key: VerifyingKeyData,
    pub pending_verifying_key: VerifyingKeyData,
    /// 1 when transact is refused.
    pub paused: u8,
    /// 1 when a relayed withdrawal must consume a scramble-registry claim.
    pub pow_required: u8,
    pub bump: u8,
    pub reserved: [u8; 5],
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

    pub fn has_pending_verifying_key(&self) -> bool {
        self.pending_verifying_key_ready_slot != 0
    }
}
