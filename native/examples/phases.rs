//! `cargo run --release --example phases -- <zkey> <wtns> [runs]`: the Groth16 prover's phases for one
//! witness, each timed alone on the whole thread pool (the prover itself runs the five MSMs at
//! once), then the whole proof; the same for the fixed-base tables' MSMs and proof. Prints one JSON
//! object of medians in milliseconds. Used by `npm run bench:prove` to say where the native proof's
//! time goes.

// The addon's own modules, compiled into the example (linking the cdylib's napi symbols is not
// possible outside Node).
#[path = "../src/fixed_base.rs"]
#[allow(dead_code)]
mod fixed_base;
#[path = "../src/ifma.rs"]
mod ifma;
#[path = "../src/tables.rs"]
#[allow(dead_code)]
mod tables;

use std::time::Instant;

use ark_bn254::{Bn254, Fr};
use ark_ff::PrimeField;
use taceo_ark_algebra::msm::msm_unchecked;
use taceo_circom_types::groth16::Zkey;
use taceo_circom_types::{CheckElement, Witness};
use taceo_groth16::{CircomReduction, ConstraintMatrices, Groth16, ProvingKey, R1CSToQAP};

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    let mid = xs.len() / 2;
    if xs.len() % 2 == 1 {
        xs[mid]
    } else {
        (xs[mid - 1] + xs[mid]) / 2.0
    }
}

fn time<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed().as_secs_f64() * 1e3)
}

fn random() -> Fr {
    let mut seed = [0u8; 64];
    getrandom::getrandom(&mut seed).expect("OS randomness");
    Fr::from_le_bytes_mod_order(&seed)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (zkey_path, wtns_path) = (&args[1], &args[2]);
    let runs: usize = args.get(3).map(|r| r.parse().expect("runs")).unwrap_or(5);
    let zkey = std::fs::read(zkey_path).expect("zkey");
    let wtns = std::fs::read(wtns_path).expect("wtns");
    let ((matrices, pk), load_ms): ((ConstraintMatrices<Fr>, ProvingKey<Bn254>), f64) =
        time(|| {
            Zkey::<Bn254>::from_reader(zkey.as_slice(), CheckElement::No)
                .expect("zkey")
                .into()
        });
    let witness = Witness::<Fr>::from_reader(wtns.as_slice())
        .expect("wtns")
        .values;
    let n_public = matrices.num_instance_variables;
    let (fixed, tables_build_ms) = time(|| {
        tables::ProvingTables::build(&pk, tables::WINDOW_BITS, tables::Arithmetic::Auto)
            .expect("tables")
    });

    let names = [
        "witnessMap",
        "msmA",
        "msmB1",
        "msmB2",
        "msmL",
        "msmH",
        "prove",
        "tablesMsmA",
        "tablesMsmB1",
        "tablesMsmB2",
        "tablesMsmL",
        "tablesMsmH",
        "proveTables",
    ];
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    for _ in 0..runs + 1 {
        let (h, t_map) = time(|| {
            CircomReduction::witness_map_from_matrices::<Bn254>(&matrices, &witness).expect("h")
        });
        let (_, t_a) = time(|| msm_unchecked(&pk.a_query[1..], &witness[1..]));
        let (_, t_b1) = time(|| msm_unchecked(&pk.b_g1_query[1..], &witness[1..]));
        let (_, t_b2) = time(|| msm_unchecked(&pk.b_g2_query[1..], &witness[1..]));
        let (_, t_l) = time(|| msm_unchecked(&pk.l_query, &witness[n_public..]));
        let (_, t_h) = time(|| msm_unchecked(&pk.h_query, &h));
        let (r, s) = (random(), random());
        let (_, t_prove) = time(|| {
            Groth16::<Bn254>::prove::<CircomReduction>(&pk, r, s, &matrices, &witness)
                .expect("proof")
        });
        let (_, f_a) = time(|| fixed.a.msm(&witness));
        let (_, f_b1) = time(|| fixed.b_g1.msm(&witness));
        let (_, f_b2) = time(|| fixed.b_g2.msm(&witness));
        let (_, f_l) = time(|| fixed.l.msm(&witness[n_public..]));
        let (_, f_h) = time(|| fixed.h.msm(&h));
        let (_, f_prove) = time(|| {
            fixed
                .prove(&pk, &matrices, &witness, r, s)
                .expect("proof with tables")
        });
        for (sample, t) in samples.iter_mut().zip([
            t_map, t_a, t_b1, t_b2, t_l, t_h, t_prove, f_a, f_b1, f_b2, f_l, f_h, f_prove,
        ]) {
            sample.push(t);
        }
    }
    // The first round warms caches and the thread pool.
    let fields: Vec<String> = names
        .iter()
        .zip(samples)
        .map(|(name, xs)| format!("\"{name}\": {:.1}", median(xs[1..].to_vec())))
        .collect();
    println!(
        "{{\"runs\": {runs}, \"threads\": {}, \"zkeyLoadMs\": {load_ms:.1}, \"tablesBuildMs\": {tables_build_ms:.0}, \"tablesMiB\": {:.1}, \"tablesIfma\": {}, \"medianMs\": {{{}}}}}",
        rayon::current_num_threads(),
        fixed.size_bytes() as f64 / (1 << 20) as f64,
        fixed.uses_ifma(),
        fields.join(", ")
    );
}
