//! The probe's steps in LiteSVM's SBPF VM against the host build of `cloak-zk`: the on-chain code
//! paths (syscalls) must give the host's results, and refuse what it refuses with the same error.
//! Needs `npm run build:sbf` first (`npm test` runs it before the Rust suites).

use cloak_program_tests::fixtures::{load_flow, Flow};
use cloak_sbf_probe::host::Probe;
use cloak_zk::field::{signed_to_field, BASE_MODULUS, MODULUS};
use cloak_zk::poseidon::poseidon2;
use cloak_zk::tree::PoolTree;
use cloak_zk::verifier::{verify_transaction_proof, Proof, PublicInputs};
use cloak_zk::{CloakZkError, FieldBytes};

fn small(value: u8) -> FieldBytes {
    let mut bytes = [0u8; 32];
    bytes[31] = value;
    bytes
}

fn below_modulus() -> FieldBytes {
    let mut value = MODULUS;
    value[31] -= 1;
    value
}

fn sol_flow() -> Flow {
    load_flow("sol_flow")
}

/// A fixture step's proof and its seven public inputs in the circuit's order.
fn proof_and_inputs(flow: &Flow, step: &str) -> (Proof, PublicInputs) {
    let step = flow.step(step);
    let inputs = step.public_inputs.to_array(step.public_amount, step.ext_data_hash);
    (Proof::from_bytes(&step.proof), inputs)
}

#[test]
fn poseidon_by_syscall_gives_the_host_hash() {
    let mut probe = Probe::load();
    let commitment = sol_flow().step("deposit").public_inputs.output_commitments[0];
    let pairs = [(small(1), small(2)), ([0u8; 32], [0u8; 32]), (below_modulus(), commitment), (commitment, small(7))];
    for (left, right) in pairs {
        assert_eq!(probe.poseidon(&left, &right).field(), poseidon2(&left, &right).unwrap());
    }
}

#[test]
fn an_out_of_field_poseidon_input_is_refused_as_on_the_host() {
    let mut probe = Probe::load();
    for (left, right) in [(MODULUS, small(1)), (small(1), [0xff; 32])] {
        let host = poseidon2(&left, &right).unwrap_err();
        assert_eq!(host, CloakZkError::NotAFieldElement);
        let run = probe.poseidon(&left, &right);
        probe.assert_refused(&run, host);
    }
}

#[test]
fn pair_inserts_in_account_data_give_the_host_tree_and_the_fixture_roots() {
    let mut probe = Probe::load();
    let mut host = PoolTree::new();
    for step in sol_flow().steps {
        let [leaf1, leaf2] = step.public_inputs.output_commitments;
        let host_inserted = host.insert(&leaf1, &leaf2).unwrap();
        let run = probe.insert_pair(&leaf1, &leaf2);
        let output = run.output();
        assert_eq!(output[..32], host.root(), "{}: root", step.name);
        assert_eq!(host.root(), step.root_after, "{}: the SDK's root", step.name);
        assert_eq!(u64::from_le_bytes(output[32..40].try_into().unwrap()), host_inserted.tree_number);
        assert_eq!(u64::from_le_bytes(output[40..].try_into().unwrap()), step.first_leaf_index);
        assert!(probe.tree() == host, "{}: the whole tree state", step.name);
    }
}

#[test]
fn a_pair_into_a_full_tree_opens_the_next_tree_as_on_the_host() {
    let mut probe = Probe::load();
    let mut host = PoolTree::new();
    // A full tree: `next_index` is the first field of the account layout. Leaves are never read
    // back, so the counter alone makes the next insert retire the tree.
    bytemuck::bytes_of_mut(&mut host)[..8].copy_from_slice(&PoolTree::CAPACITY.to_le_bytes());
    probe.set_tree(&host);
    let retired_root = host.root();
    let inserted = host.insert(&small(1), &small(2)).unwrap();
    assert_eq!((inserted.tree_number, inserted.first_index, inserted.retired_root), (1, 0, Some(retired_root)));
    let output = probe.insert_pair(&small(1), &small(2)).output().to_vec();
    assert_eq!(output[..32], host.root());
    assert_eq!(u64::from_le_bytes(output[32..40].try_into().unwrap()), 1, "tree number");
    assert_eq!(u64::from_le_bytes(output[40..].try_into().unwrap()), 0, "first index");
    assert!(probe.tree() == host, "the whole tree state");
}

#[test]
fn an_out_of_field_leaf_is_refused_as_on_the_host_and_leaves_the_tree_unchanged() {
    let mut probe = Probe::load();
    let mut host = PoolTree::new();
    host.insert(&small(1), &small(2)).unwrap();
    probe.set_tree(&host);
    let mut host_attempt = host;
    let host_error = host_attempt.insert(&small(3), &MODULUS).unwrap_err();
    assert!(host_attempt == host, "the host tree is unchanged");
    assert_eq!(host_error, CloakZkError::NotAFieldElement);
    let run = probe.insert_pair(&small(3), &MODULUS);
    probe.assert_refused(&run, host_error);
    assert!(probe.tree() == host);
}

#[test]
fn the_fixture_proofs_verify_on_chain_as_on_the_host() {
    let mut probe = Probe::load();
    let flow = sol_flow();
    for step in &flow.steps {
        let (proof, inputs) = proof_and_inputs(&flow, &step.name);
        assert_eq!(verify_transaction_proof(&proof, &inputs), Ok(()), "{}: host", step.name);
        assert_eq!(probe.verify_proof(&proof, &inputs).result, Ok(vec![]), "{}: chain", step.name);
    }
}

/// The host refuses `proof` for `inputs` with `expected`, and the program with the same error.
fn assert_verification_refused_as_on_the_host(proof: &Proof, inputs: &PublicInputs, expected: CloakZkError) {
    assert_eq!(verify_transaction_proof(proof, inputs), Err(expected), "host");
    let mut probe = Probe::load();
    let run = probe.verify_proof(proof, inputs);
    probe.assert_refused(&run, expected);
}

#[test]
fn a_tampered_proof_is_refused_as_on_the_host() {
    let flow = sol_flow();
    let (mut proof, inputs) = proof_and_inputs(&flow, "withdraw");
    // Another real proof's A: a valid curve point, so only the pairing check can catch it.
    proof.a = proof_and_inputs(&flow, "deposit").0.a;
    assert_verification_refused_as_on_the_host(&proof, &inputs, CloakZkError::InvalidProof);
}

#[test]
fn a_proof_against_another_root_is_refused_as_on_the_host() {
    let flow = sol_flow();
    let (proof, mut inputs) = proof_and_inputs(&flow, "withdraw");
    inputs[0] = flow.step("withdraw").root_after;
    assert_verification_refused_as_on_the_host(&proof, &inputs, CloakZkError::InvalidProof);
}

#[test]
fn a_proof_point_with_an_out_of_range_coordinate_is_refused_as_on_the_host() {
    let (mut proof, inputs) = proof_and_inputs(&sol_flow(), "withdraw");
    proof.a[32..].copy_from_slice(&BASE_MODULUS);
    assert_verification_refused_as_on_the_host(&proof, &inputs, CloakZkError::InvalidProof);
}

#[test]
fn an_out_of_field_public_input_is_refused_as_on_the_host() {
    let (proof, mut inputs) = proof_and_inputs(&sol_flow(), "withdraw");
    inputs[3] = MODULUS;
    assert_verification_refused_as_on_the_host(&proof, &inputs, CloakZkError::NotAFieldElement);
}

#[test]
fn the_ext_data_hash_by_syscall_is_shield_pools_and_the_provers() {
    let mut probe = Probe::load();
    let flow = sol_flow();
    for step in &flow.steps {
        let preimage = step.ext_data.hash_preimage(&flow.program_id, &flow.pool);
        let chain = probe.ext_data_hash(&preimage).field();
        assert_eq!(chain, step.ext_data.hash(&flow.program_id, &flow.pool), "{}: shield-pool's hash", step.name);
        assert_eq!(chain, step.ext_data_hash, "{}: the SDK's hash in the proof", step.name);
    }
}

#[test]
fn public_amounts_on_chain_are_the_hosts_and_the_provers() {
    let mut probe = Probe::load();
    for step in sol_flow().steps {
        let (ext_amount, fee) = (step.ext_data.ext_amount, step.ext_data.fee);
        let chain = probe.public_amount(ext_amount, fee).field();
        assert_eq!(chain, signed_to_field(ext_amount as i128 - fee as i128), "{}: host", step.name);
        assert_eq!(chain, step.public_amount, "{}: the SDK's", step.name);
    }
    // The extremes the program accepts: a withdrawal of i64::MIN + 1 with the largest fee.
    let extreme = probe.public_amount(i64::MIN + 1, u64::MAX).field();
    assert_eq!(extreme, signed_to_field((i64::MIN + 1) as i128 - u64::MAX as i128));
}
