//! cloak-zk against the rest of Cloak: a real depth-20 proof from the ceremony's zkey and Merkle roots
//! from the SDK (both made by fixtures/make-fixtures.ts), and the committed verifying key against the
//! ceremony's verification_key.json.

use std::path::{Path, PathBuf};

use cloak_zk::tree::{PoolTree, TREE_DEPTH, ZEROS};
use cloak_zk::verifier::{verify_transaction_proof, Proof, PublicInputs};
use cloak_zk::verifying_key::{NR_PUBLIC_INPUTS, VERIFYING_KEY};
use cloak_zk::{CloakZkError, FieldBytes};
use num_bigint::BigUint;
use serde_json::Value;

const SCALAR_FIELD: &str =
    "21888242871839275222246405745257275088548364400416034343698204186575808495617";

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(path: PathBuf) -> Value {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn fixture(name: &str) -> Value {
    read_json(crate_dir().join("tests/fixtures").join(name))
}

fn be32(value: &BigUint) -> FieldBytes {
    let bytes = value.to_bytes_be();
    assert!(bytes.len() <= 32, "{value} does not fit 32 bytes");
    let mut out = [0u8; 32];
    out[32 - bytes.len()..].copy_from_slice(&bytes);
    out
}

fn decimal(value: &Value) -> BigUint {
    value
        .as_str()
        .expect("a decimal string")
        .parse()
        .expect("a decimal integer")
}

fn field(value: &Value) -> FieldBytes {
    be32(&decimal(value))
}

/// snarkjs writes an Fq2 element as [c0, c1]; the syscalls take c1 first.
fn g2(point: &Value) -> [u8; 128] {
    let mut out = [0u8; 128];
    for (coordinate, chunk) in [&point[0], &point[1]].into_iter().zip(out.chunks_mut(64)) {
        chunk[..32].copy_from_slice(&field(&coordinate[1]));
        chunk[32..].copy_from_slice(&field(&coordinate[0]));
    }
    out
}

fn g1(point: &Value) -> [u8; 64] {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&field(&point[0]));
    out[32..].copy_from_slice(&field(&point[1]));
    out
}

fn transaction_fixture() -> (Proof, PublicInputs) {
    proof_fixture("transaction_20.json")
}

fn proof_fixture(name: &str) -> (Proof, PublicInputs) {
    let json = fixture(name);
    assert_eq!(json["depth"], 20);
    let proof = Proof {
        a: g1(&json["proof"]["pi_a"]),
        b: g2(&json["proof"]["pi_b"]),
        c: g1(&json["proof"]["pi_c"]),
    };
    let signals = json["publicSignals"].as_array().unwrap();
    assert_eq!(signals.len(), NR_PUBLIC_INPUTS);
    let mut inputs = [[0u8; 32]; NR_PUBLIC_INPUTS];
    for (input, signal) in inputs.iter_mut().zip(signals) {
        *input = field(signal);
    }
    (proof, inputs)
}

#[test]
fn a_real_proof_verifies() {
    let (proof, inputs) = transaction_fixture();
    assert_eq!(verify_transaction_proof(&proof, &inputs), Ok(()));
    // The EVM's 256-byte encoding round-trips into the same proof.
    assert_eq!(
        verify_transaction_proof(&Proof::from_bytes(&proof.to_bytes()), &inputs),
        Ok(())
    );
}

/// The native prover's proof of the same statement (make-fixtures.ts): what the SDK sends by
/// default on linux-x64 must pass the on-chain verifier too.
#[test]
fn a_native_prover_proof_verifies() {
    let (proof, inputs) = proof_fixture("transaction_20_native.json");
    assert_eq!(inputs, transaction_fixture().1);
    assert_eq!(verify_transaction_proof(&proof, &inputs), Ok(()));
}

/// The same statement proven by the native prover over its fixed-base tables
/// (`NativeProver({ fixedBaseTables: true })`).
#[test]
fn a_native_fixed_base_tables_proof_verifies() {
    let (proof, inputs) = proof_fixture("transaction_20_native_tables.json");
    assert_eq!(inputs, transaction_fixture().1);
    assert_eq!(verify_transaction_proof(&proof, &inputs), Ok(()));
}

#[test]
fn any_tampered_public_input_fails() {
    let (proof, inputs) = transaction_fixture();
    for i in 0..NR_PUBLIC_INPUTS {
        let mut tampered = inputs;
        let bumped = (BigUint::from_bytes_be(&tampered[i]) + 1u32)
            % SCALAR_FIELD.parse::<BigUint>().unwrap();
        tampered[i] = be32(&bumped);
        assert_eq!(
            verify_transaction_proof(&proof, &tampered),
            Err(CloakZkError::InvalidProof),
            "public input {i}"
        );
    }
    // Swapping the two nullifiers keeps the same values but not the statement.
    let mut swapped = inputs;
    swapped.swap(3, 4);
    assert_eq!(
        verify_transaction_proof(&proof, &swapped),
        Err(CloakZkError::InvalidProof)
    );
}

#[test]
fn a_public_input_plus_the_modulus_is_refused() {
    let (proof, inputs) = transaction_fixture();
    let modulus: BigUint = SCALAR_FIELD.parse().unwrap();
    let mut aliased = inputs;
    // The root is far enough below 2^256 - p to have an alias; the same value mod p must not verify.
    aliased[0] = be32(&(BigUint::from_bytes_be(&inputs[0]) + &modulus));
    assert_eq!(
        verify_transaction_proof(&proof, &aliased),
        Err(CloakZkError::NotAFieldElement)
    );
}

#[test]
fn a_tampered_proof_fails() {
    let (proof, inputs) = transaction_fixture();
    // A, B and C swapped for other valid points: each must fail the pairing, not be accepted or panic.
    let mut wrong_a = proof;
    wrong_a.a = proof.c;
    assert_eq!(
        verify_transaction_proof(&wrong_a, &inputs),
        Err(CloakZkError::InvalidProof)
    );
    let mut wrong_c = proof;
    wrong_c.c = proof.a;
    assert_eq!(
        verify_transaction_proof(&wrong_c, &inputs),
        Err(CloakZkError::InvalidProof)
    );
    // B with its Fq2 halves in snarkjs' order instead of the syscalls'.
    let mut wrong_b = proof;
    for half in wrong_b.b.chunks_mut(64) {
        let (c1, c0) = half.split_at_mut(32);
        c1.swap_with_slice(c0);
    }
    assert_eq!(
        verify_transaction_proof(&wrong_b, &inputs),
        Err(CloakZkError::InvalidProof)
    );
    // A point off the curve.
    let mut off_curve = proof;
    off_curve.a[63] ^= 1;
    assert_eq!(
        verify_transaction_proof(&off_curve, &inputs),
        Err(CloakZkError::InvalidProof)
    );
}

#[test]
fn the_committed_verifying_key_is_the_ceremonys() {
    let key = read_json(
        crate_dir().join("../../circuits/artifacts/transaction_20/verification_key.json"),
    );
    assert_eq!(key["nPublic"].as_u64(), Some(NR_PUBLIC_INPUTS as u64));
    assert_eq!(VERIFYING_KEY.nr_pubinputs, NR_PUBLIC_INPUTS);
    assert_eq!(VERIFYING_KEY.vk_alpha_g1, g1(&key["vk_alpha_1"]));
    assert_eq!(VERIFYING_KEY.vk_beta_g2, g2(&key["vk_beta_2"]));
    assert_eq!(VERIFYING_KEY.vk_gamma_g2, g2(&key["vk_gamma_2"]));
    assert_eq!(VERIFYING_KEY.vk_delta_g2, g2(&key["vk_delta_2"]));
    let ic: Vec<[u8; 64]> = key["IC"].as_array().unwrap().iter().map(g1).collect();
    assert_eq!(VERIFYING_KEY.vk_ic, ic.as_slice());
    assert!(VERIFYING_KEY.vk_commitment.is_none());
}

#[test]
fn tree_roots_match_the_sdk() {
    let json = fixture("tree_pairs.json");
    assert_eq!(json["depth"].as_u64(), Some(TREE_DEPTH as u64));
    let mut tree = PoolTree::new();
    assert_eq!(tree.root(), field(&json["emptyRoot"]));
    assert_eq!(tree.root(), ZEROS[TREE_DEPTH]);
    let pairs = json["pairs"].as_array().unwrap();
    let roots = json["roots"].as_array().unwrap();
    assert_eq!(pairs.len(), roots.len());
    assert!(pairs.len() >= 3);
    let mut seen = vec![tree.root()];
    for (i, (pair, root)) in pairs.iter().zip(roots).enumerate() {
        assert_eq!(
            tree.insert(&field(&pair[0]), &field(&pair[1])).map(|inserted| inserted.first_index),
            Ok(2 * i as u64)
        );
        assert_eq!(tree.root(), field(root), "root after pair {i}");
        seen.push(tree.root());
    }
    assert!(seen.iter().all(|root| tree.root_position(root).is_some()));
}

#[test]
fn the_proofs_root_is_the_sdk_tree_after_two_pairs() {
    // make-fixtures.ts proves against the tree holding its second and third pairs; the same two
    // inserts here must reach the root the proof commits to.
    let pairs = fixture("tree_pairs.json")["pairs"].clone();
    let (_, inputs) = transaction_fixture();
    let mut tree = PoolTree::new();
    for pair in &pairs.as_array().unwrap()[1..3] {
        tree.insert(&field(&pair[0]), &field(&pair[1])).unwrap();
    }
    assert_eq!(tree.root_position(&inputs[0]), Some(2));
}

#[test]
fn a_proof_with_a_already_negated_fails() {
    // verify_transaction_proof negates A itself; a caller who also negates it (as groth16-solana's own
    // examples do) hands it the wrong point.
    let (proof, inputs) = transaction_fixture();
    let mut negated = proof;
    negated.a = groth16_solana::groth16::negate_g1_be(&proof.a);
    assert_eq!(
        verify_transaction_proof(&negated, &inputs),
        Err(CloakZkError::InvalidProof)
    );
}
