//! `cargo run --release --example fixed_base -- <zkey> <wtns> [window bits…]`: an experiment, not
//! used by the addon. The proving key's bases never change, so each base's multiples 2^(c·j)·P can be
//! tabulated once at load; an MSM then needs one set of buckets for all windows (one bucket
//! reduction instead of one per window, no doublings between windows). This measures what that
//! gains over taceo's variable-base MSM on the G1 MSMs of a real proof (A, B1, L, H), checking that
//! both give the same point. Prints one JSON object.

use std::time::Instant;

use ark_bn254::{Bn254, Fq, Fr, G1Affine, G1Projective};
use ark_ec::{AdditiveGroup, AffineRepr, CurveGroup};
use ark_ff::{Field, PrimeField, Zero};
use taceo_ark_algebra::msm::msm_unchecked;
use taceo_circom_types::groth16::Zkey;
use taceo_circom_types::{CheckElement, Witness};
use taceo_groth16::{CircomReduction, ConstraintMatrices, ProvingKey, R1CSToQAP};

/// Additions resolved by one batch inversion.
const BATCH: usize = 512;

struct Table {
    bits: usize,
    windows: usize,
    /// `points[j * n + i]` = 2^(bits·j)·P_i.
    points: Vec<G1Affine>,
    n: usize,
}

fn tabulate(bases: &[G1Affine], bits: usize) -> Table {
    // One more window than 254 / bits for the carry the signed digits push out of the top.
    let windows = (Fr::MODULUS_BIT_SIZE as usize).div_ceil(bits) + 1;
    let n = bases.len();
    let mut projective = Vec::with_capacity(n * windows);
    let mut current: Vec<G1Projective> = bases.iter().map(|b| b.into_group()).collect();
    for _ in 0..windows {
        projective.extend_from_slice(&current);
        for p in current.iter_mut() {
            for _ in 0..bits {
                p.double_in_place();
            }
        }
    }
    Table {
        bits,
        windows,
        points: G1Projective::normalize_batch(&projective),
        n,
    }
}

/// Signed digits of `bits` bits, lowest window first, each in [-2^(bits-1), 2^(bits-1)).
fn digits(scalar: &Fr, bits: usize, windows: usize, out: &mut Vec<i32>) {
    let limbs = scalar.into_bigint();
    let bit = |k: usize| -> u64 {
        if k < 256 {
            (limbs.as_ref()[k / 64] >> (k % 64)) & 1
        } else {
            0
        }
    };
    let half = 1i64 << (bits - 1);
    let mut carry = 0i64;
    for j in 0..windows {
        let mut raw = 0i64;
        for b in 0..bits {
            raw |= (bit(j * bits + b) as i64) << b;
        }
        let mut d = raw + carry;
        carry = 0;
        if d >= half {
            d -= 1 << bits;
            carry = 1;
        }
        out.push(d as i32);
    }
}

/// Buckets in affine coordinates; additions collected into batches that share one inversion, each
/// bucket at most once per batch. A second addition to a bucket in the same batch, doublings and
/// P + (-P) go to projective buckets.
struct Buckets {
    affine: Vec<Option<G1Affine>>,
    fallback: Vec<G1Projective>,
    busy: Vec<bool>,
    batch: Vec<(usize, G1Affine)>,
    denominators: Vec<Fq>,
}

impl Buckets {
    fn new(count: usize) -> Self {
        Buckets {
            affine: vec![None; count],
            fallback: vec![G1Projective::zero(); count],
            busy: vec![false; count],
            batch: Vec::with_capacity(BATCH),
            denominators: Vec::with_capacity(BATCH),
        }
    }

    fn add(&mut self, bucket: usize, point: G1Affine) {
        let Some(current) = self.affine[bucket] else {
            self.affine[bucket] = Some(point);
            return;
        };
        // A bucket already in this batch (small scalars keep hitting the same few buckets): add
        // projectively rather than queue, which would rescan the queue at every batch.
        if self.busy[bucket] {
            self.fallback[bucket] += &point;
            return;
        }
        if current.x == point.x {
            // Doubling or cancellation: rare, done projectively.
            self.fallback[bucket] += &point;
            return;
        }
        self.busy[bucket] = true;
        self.batch.push((bucket, point));
        if self.batch.len() == BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        self.denominators.clear();
        for (bucket, point) in &self.batch {
            let current = self.affine[*bucket].expect("batched buckets are full");
            self.denominators.push(point.x - current.x);
        }
        ark_ff::batch_inversion(&mut self.denominators);
        for ((bucket, point), inverse) in self.batch.drain(..).zip(&self.denominators) {
            let current = self.affine[bucket].expect("batched buckets are full");
            let slope = (point.y - current.y) * inverse;
            let x = slope.square() - current.x - point.x;
            let y = slope * (current.x - x) - current.y;
            self.affine[bucket] = Some(G1Affine::new_unchecked(x, y));
            self.busy[bucket] = false;
        }
    }

    fn finish(mut self) -> G1Projective {
        self.flush();
        let mut running = G1Projective::zero();
        let mut total = G1Projective::zero();
        for (affine, fallback) in self.affine.iter().zip(&self.fallback).rev() {
            if let Some(p) = affine {
                running += p;
            }
            running += fallback;
            total += running;
        }
        total
    }
}

fn fixed_base_msm(table: &Table, scalars: &[Fr]) -> G1Projective {
    let n = table.n.min(scalars.len());
    let half = n / 2;
    let part = |range: std::ops::Range<usize>| {
        let mut buckets = Buckets::new(1 << (table.bits - 1));
        let mut ds = Vec::with_capacity(table.windows);
        for i in range {
            ds.clear();
            digits(&scalars[i], table.bits, table.windows, &mut ds);
            for (j, d) in ds.iter().enumerate() {
                if *d == 0 {
                    continue;
                }
                let p = table.points[j * table.n + i];
                if p.is_zero() {
                    continue;
                }
                let p = if *d < 0 { -p } else { p };
                buckets.add(d.unsigned_abs() as usize - 1, p);
            }
        }
        buckets.finish()
    };
    let (a, b) = rayon::join(|| part(0..half), || part(half..n));
    a + b
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    xs[xs.len() / 2]
}

fn ms<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed().as_secs_f64() * 1e3)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let zkey = std::fs::read(&args[1]).expect("zkey");
    let wtns = std::fs::read(&args[2]).expect("wtns");
    let window_bits: Vec<usize> = if args.len() > 3 {
        args[3..].iter().map(|a| a.parse().expect("bits")).collect()
    } else {
        vec![12, 14, 16]
    };
    let (matrices, pk): (ConstraintMatrices<Fr>, ProvingKey<Bn254>) =
        Zkey::<Bn254>::from_reader(zkey.as_slice(), CheckElement::No)
            .expect("zkey")
            .into();
    let witness = Witness::<Fr>::from_reader(wtns.as_slice())
        .expect("wtns")
        .values;
    let h = CircomReduction::witness_map_from_matrices::<Bn254>(&matrices, &witness).expect("h");
    let n_public = matrices.num_instance_variables;
    let msms: [(&str, &[G1Affine], &[Fr]); 4] = [
        ("A", &pk.a_query[1..], &witness[1..]),
        ("B1", &pk.b_g1_query[1..], &witness[1..]),
        ("L", &pk.l_query, &witness[n_public..]),
        ("H", &pk.h_query, &h),
    ];
    const RUNS: usize = 7;
    let mut out = Vec::new();
    for (name, bases, scalars) in msms {
        let (reference, _) = ms(|| msm_unchecked(bases, scalars));
        let mut by_bits = Vec::new();
        for &bits in &window_bits {
            let (table, tabulate_ms) = ms(|| tabulate(bases, bits));
            let (ours, _) = ms(|| fixed_base_msm(&table, scalars));
            assert_eq!(
                ours.into_affine(),
                reference.into_affine(),
                "MSM {name} with {bits}-bit windows differs from taceo's"
            );
            // Alternating the two keeps a change in the machine's load from favouring either.
            let (mut taceo, mut fixed) = (Vec::new(), Vec::new());
            for _ in 0..RUNS {
                taceo.push(ms(|| msm_unchecked(bases, scalars)).1);
                fixed.push(ms(|| fixed_base_msm(&table, scalars)).1);
            }
            let (taceo, fixed) = (median(taceo), median(fixed));
            let table_mib = (table.points.len() * 64) as f64 / (1 << 20) as f64;
            by_bits.push(format!("{{\"bits\": {bits}, \"taceoMs\": {taceo:.1}, \"fixedBaseMs\": {fixed:.1}, \"tabulateMs\": {tabulate_ms:.0}, \"tableMiB\": {table_mib:.1}}}"));
        }
        out.push(format!(
            "\"{name}\": {{\"n\": {}, \"byWindowBits\": [{}]}}",
            bases.len(),
            by_bits.join(", ")
        ));
    }
    println!("{{{}}}", out.join(", "));
}
