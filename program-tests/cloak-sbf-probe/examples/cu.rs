//! `npm run bench:cu`: the compute units of each probe step in LiteSVM's SBPF VM, on the real
//! withdrawal of `fixtures/sol_flow.json`, written to bench/results/cu.json. Compute units are
//! deterministic for one program build, so one run of each step is the measurement.

use cloak_program_tests::fixtures::load_flow;
use cloak_sbf_probe::host::{program_path, Probe, Run};
use cloak_sbf_probe::Step;
use cloak_zk::verifier::Proof;
use serde_json::json;
use sha2::{Digest, Sha256};

fn measured(run: &Run, step: Step) -> u64 {
    assert!(run.result.is_ok(), "{step:?} failed: {:?}\n{}", run.result, run.logs.join("\n"));
    run.compute_units
}

fn main() {
    let program = std::fs::read(program_path()).expect("the probe is built first (npm run build:sbf)");
    let mut probe = Probe::with_program(&program);
    let flow = load_flow("sol_flow");
    let withdraw = flow.step("withdraw");
    let [leaf1, leaf2] = withdraw.public_inputs.output_commitments;
    let inputs = withdraw.public_inputs.to_array(withdraw.public_amount, withdraw.ext_data_hash);
    let preimage = withdraw.ext_data.hash_preimage(&flow.program_id, &flow.pool);

    let baseline = measured(&probe.run(Step::Baseline, &[]), Step::Baseline);
    let steps = [
        (Step::Poseidon, "Poseidon(2) by sol_poseidon", probe.poseidon(&leaf1, &leaf2)),
        (
            Step::InsertPair,
            "depth-20 tree insert of the output pair in zero-copy account data (20 Poseidon hashes)",
            probe.insert_pair(&leaf1, &leaf2),
        ),
        (
            Step::VerifyProof,
            "Groth16 verification of the fixture's real withdrawal proof (negate A, 7 inputs, 4-pair pairing)",
            probe.verify_proof(&Proof::from_bytes(&withdraw.proof), &inputs),
        ),
        (
            Step::ExtDataHash,
            "ext_data hash: SHA-256 over shield-pool's 9 preimage slices, reduced mod p",
            probe.ext_data_hash(&preimage),
        ),
        (Step::PublicAmount, "public amount from ext_amount and fee", probe.public_amount(withdraw.ext_data.ext_amount, withdraw.ext_data.fee)),
    ];
    let rows: Vec<_> = steps
        .iter()
        .map(|(step, what, run)| {
            let compute_units = measured(run, *step);
            json!({
                "step": format!("{step:?}"),
                "what": what,
                "computeUnits": compute_units,
                "minusEntrypoint": compute_units - baseline,
            })
        })
        .collect();

    let result = json!({
        "benchmark": "cu",
        "vm": "LiteSVM 0.7.1 (agave 2.3 program runtime, all features active)",
        "program": {
            "path": "target/sbf-probe/deploy/cloak_sbf_probe.so",
            "bytes": program.len(),
            "sha256": format!("{:x}", Sha256::digest(&program)),
            "build": "npm run build:sbf (nightly-2026-10-01, sbpf-linker 0.2.6, SBPF v0)",
        },
        "fixture": "program-tests/cloak-program-tests/fixtures/sol_flow.json, step withdraw",
        "entrypointComputeUnits": baseline,
        "steps": rows,
    });
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/results/cu.json");
    std::fs::write(&path, serde_json::to_string_pretty(&result).unwrap() + "\n").expect("write cu.json");
    println!("{}", serde_json::to_string_pretty(&result).unwrap());
    println!("wrote {}", path.canonicalize().unwrap().display());
}
