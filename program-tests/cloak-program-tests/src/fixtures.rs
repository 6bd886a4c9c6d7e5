//! Real join-split proofs made by the TypeScript SDK (`npm run fixtures:solana`, see
//! `fixtures/README.md`), read into the program's own argument types.

use serde::Deserialize;
use shield_pool::ext_data::{ExtData, TransactPublicInputs};
use solana_sdk::{pubkey::Pubkey, signature::Keypair};
use std::{collections::BTreeMap, path::PathBuf, str::FromStr};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawFlow {
    program_id: String,
    pool: String,
    keys: BTreeMap<String, RawKey>,
    steps: Vec<RawStep>,
}

#[derive(Deserialize)]
struct RawKey {
    seed: String,
    pubkey: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawStep {
    name: String,
    proof: String,
    public_inputs: RawPublicInputs,
    ext_data: RawExtData,
    root_after: String,
    first_leaf_index: u64,
    pow_batch_hash: Option<String>,
    root_index: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPublicInputs {
    root: String,
    public_amount: String,
    ext_data_hash: String,
    input_nullifiers: [String; 2],
    output_commitments: [String; 2],
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawExtData {
    recipient: String,
    ext_amount: String,
    relayer: String,
    fee: String,
    encrypted_output1: String,
    encrypted_output2: String,
}

/// One proven transaction, ready to send.
#[derive(Clone, Debug)]
pub struct Step {
    pub name: String,
    pub proof: [u8; 256],
    pub public_inputs: TransactPublicInputs,
    /// What the SDK put into the proof for the two inputs the program computes itself.
    pub public_amount: [u8; 32],
    pub ext_data_hash: [u8; 32],
    pub ext_data: ExtData,
    pub root_after: [u8; 32],
    pub first_leaf_index: u64,
    pub pow_batch_hash: Option<[u8; 32]>,
    /// The fixture key that is `ext_data.relayer`, when the step pays a fee: it signs the transact.
    relayer_seed: Option<[u8; 32]>,
}

impl Step {
    /// The relayer that must sign this step (it pays a fee), if any.
    pub fn relayer_keypair(&self) -> Option<Keypair> {
        self.relayer_seed
            .map(|seed| solana_sdk::signer::keypair::keypair_from_seed(&seed).expect("32-byte seed"))
    }
}

/// A sequence of transactions on one pool, in order, and the keys they name.
pub struct Flow {
    pub program_id: Pubkey,
    pub pool: Pubkey,
    seeds: BTreeMap<String, ([u8; 32], Pubkey)>,
    pub steps: Vec<Step>,
}

impl Flow {
    pub fn step(&self, name: &str) -> Step {
        self.steps
            .iter()
            .find(|step| step.name == name)
            .unwrap_or_else(|| panic!("fixture has no step {name}"))
            .clone()
    }

    /// The Solana keypair the fixture derived from its seed (checked against the fixture's pubkey).
    pub fn keypair(&self, name: &str) -> Keypair {
        let (seed, pubkey) = self.seeds.get(name).unwrap_or_else(|| panic!("fixture has no key {name}"));
        let keypair = solana_sdk::signer::keypair::keypair_from_seed(seed).expect("32-byte seed");
        assert_eq!(
            solana_sdk::signer::Signer::pubkey(&keypair),
            *pubkey,
            "key {name}: seed and pubkey disagree"
        );
        keypair
    }
}

pub fn hex_bytes(value: &str) -> Vec<u8> {
    let digits = value.strip_prefix("0x").unwrap_or(value);
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).expect("hex"))
        .collect()
}

fn hex_array<const N: usize>(value: &str) -> [u8; N] {
    hex_bytes(value)
        .try_into()
        .unwrap_or_else(|bytes: Vec<u8>| panic!("expected {N} bytes, got {}", bytes.len()))
}

fn pubkey(value: &str) -> Pubkey {
    Pubkey::from_str(value).expect("base58 pubkey")
}

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Loads `fixtures/<name>.json`.
pub fn load_flow(name: &str) -> Flow {
    let path = fixtures_dir().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let raw: RawFlow = serde_json::from_str(&text).expect("fixture JSON");
    let seeds: BTreeMap<String, ([u8; 32], Pubkey)> = raw
        .keys
        .iter()
        .map(|(name, key)| (name.clone(), (hex_array(&key.seed), pubkey(&key.pubkey))))
        .collect();
    let seed_of = |key: &Pubkey| seeds.values().find(|(_, pubkey)| pubkey == key).map(|(seed, _)| *seed);
    Flow {
        program_id: pubkey(&raw.program_id),
        pool: pubkey(&raw.pool),
        steps: raw
            .steps
            .into_iter()
            .map(|step| Step {
                relayer_seed: (step.ext_data.fee != "0")
                    .then(|| seed_of(&pubkey(&step.ext_data.relayer)))
                    .flatten(),
                name: step.name,
                proof: hex_array(&step.proof),
                public_amount: hex_array(&step.public_inputs.public_amount),
                ext_data_hash: hex_array(&step.public_inputs.ext_data_hash),
                public_inputs: TransactPublicInputs {
                    root: hex_array(&step.public_inputs.root),
                    input_nullifiers: step.public_inputs.input_nullifiers.map(|n| hex_array(&n)),
                    output_commitments: step.public_inputs.output_commitments.map(|c| hex_array(&c)),
                    // A flow from an empty tree proves step k against the root its k-th insert
                    // wrote, which the ring holds at position k.
                    root_index: step.root_index.unwrap_or((step.first_leaf_index / 2) as u32),
                },
                ext_data: ExtData {
                    recipient: pubkey(&step.ext_data.recipient),
                    ext_amount: step.ext_data.ext_amount.parse().expect("ext_amount"),
                    relayer: pubkey(&step.ext_data.relayer),
                    fee: step.ext_data.fee.parse().expect("fee"),
                    encrypted_output1: hex_array(&step.ext_data.encrypted_output1),
                    encrypted_output2: hex_array(&step.ext_data.encrypted_output2),
                },
                root_after: hex_array(&step.root_after),
                first_leaf_index: step.first_leaf_index,
                pow_batch_hash: step.pow_batch_hash.as_deref().map(hex_array),
            })
            .collect(),
        seeds,
    }
}
