//! The transaction data the proof commits to but does not constrain (docs/protocol.md, "Solana
//! ext_data"), and the public inputs as the program receives them.

use anchor_lang::prelude::*;
use cloak_zk::field::reduce_mod_p;

use crate::constants::{EXT_DATA_DOMAIN, POW_BATCH_DOMAIN};

/// What a transaction does outside the shielded set. Bound to the proof by `ext_data_hash`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct ExtData {
    /// Withdrawals: the SOL account, or the token account, that receives `-ext_amount`.
    pub recipient: Pubkey,
    /// Positive: deposited by the signer. Negative: withdrawn to `recipient`. Zero: a transfer.
    pub ext_amount: i64,
    /// Receives `fee` from the pool (for tokens, a token account it owns); must be registered if
    /// `fee > 0`.
    pub relayer: Pubkey,
    pub fee: u64,
    pub encrypted_output1: [u8; 113],
    pub encrypted_output2: [u8; 113],
}

impl ExtData {
    /// The preimage, fixed-size so the hash needs no length prefixes: domain tag, program id, pool,
    /// recipient, ext_amount (i64 LE), relayer, fee (u64 LE), both encrypted outputs.
    pub fn hash_preimage<'a>(&'a self, program_id: &'a Pubkey, pool: &'a Pubkey) -> [&'a [u8]; 9] {
        [
            EXT_DATA_DOMAIN,
            program_id.as_ref(),
            pool.as_ref(),
            self.recipient.as_ref(),
            bytemuck::bytes_of(&self.ext_amount),
            self.relayer.as_ref(),
            bytemuck::bytes_of(&self.fee),
            &self.encrypted_output1,
            &self.encrypted_output2,
        ]
    }

    /// SHA-256 of the preimage read big-endian and reduced mod p: the circuit's extDataHash. The
    /// program id and pool in it keep a proof from being replayed on another deployment or asset.
    pub fn hash(&self, program_id: &Pubkey, pool: &Pubkey) -> [u8; 32] {
        let digest = solana_sha256_hasher::hashv(&self.hash_preimage(program_id, pool));
        reduce_mod_p(digest.to_bytes())
    }
}

/// The public inputs a transact carries (big-endian field elements). The other two, publicAmount and
/// extDataHash, are computed on chain from `ext_data`: sending them would only let them disagree,
/// and the 64 bytes they would take are what keeps a relayed withdrawal plus a priority fee inside
/// one packet (docs/solana.md, "Transaction size").
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransactPublicInputs {
    pub root: [u8; 32],
    pub input_nullifiers: [[u8; 32]; 2],
    pub output_commitments: [[u8; 32]; 2],
    /// Where the tree account holds `root` (not a circuit input): below `ROOT_HISTORY_SIZE`, a slot of
    /// the ring of recent roots; `ROOT_HISTORY_SIZE + k`, the final root of retired tree `k`. Lets
    /// the program check the root with one comparison however long the history is.
    pub root_index: u32,
}

impl TransactPublicInputs {
    /// The circuit's seven public inputs in its order: root, publicAmount, extDataHash,
    /// inputNullifier[0..2], outputCommitment[0..2].
    pub fn to_array(
        &self,
        public_amount: [u8; 32],
        ext_data_hash: [u8; 32],
    ) -> cloak_zk::verifier::PublicInputs {
        [
            self.root,
            public_amount,
            ext_data_hash,
            self.input_nullifiers[0],
            self.input_nullifiers[1],
            self.output_commitments[0],
            self.output_commitments[1],
        ]
    }

    /// The batch a batch-bound PoW claim must name to pay for this withdrawal:
    /// SHA-256(domain, nullifier 1, nullifier 2). Known to the relayer as soon as it holds the proof.
    pub fn pow_batch_hash(&self) -> [u8; 32] {
        solana_sha256_hasher::hashv(&[
            POW_BATCH_DOMAIN,
            &self.input_nullifiers[0],
            &self.input_nullifiers[1],
        ])
        .to_bytes()
    }
}
