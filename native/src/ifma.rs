//! The fixed-base MSM of [`crate::fixed_base`] for BN254 G1 with its field arithmetic on AVX-512
//! IFMA: eight bucket additions at once, one per 64-bit lane.
//!
//! Field elements are five 52-bit limbs in Montgomery form with R = 2^260 (ark uses 2^256), kept
//! below 2p rather than fully reduced: since R > 64p, a Montgomery product of inputs below 8p is
//! below 2p, so sums and differences need no conditional subtraction, only a carry pass and, where
//! a result must be stored below 2p, a multiplication by one. A difference `a − b` is computed as
//! `a + k·p − b` with the multiple's limbs borrow-adjusted (every limb but the top one ≥ 2^52 − 1)
//! so that no lane ever borrows.
//!
//! The batch of a flush is spread over the lanes (entry e in lane e mod 8); each lane runs its own
//! prefix-product chain, the eight lane products are inverted together in arkworks, and the walk
//! back runs on the lanes again.
//!
//! Used only where the CPU has `avx512f` and `avx512ifma` ([`available`]); elsewhere the portable
//! MSM runs. Everything here is `unsafe` only for the target features and the intrinsics.

use std::arch::x86_64::*;
use std::sync::OnceLock;

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ff::{BigInt, Field, PrimeField, Zero};
use rayon::prelude::*;

use crate::fixed_base::{accumulate_rows, row_ranges, BatchAdder, FixedBaseTable, BATCH};

const MASK: u64 = (1 << 52) - 1;

/// Whether this CPU runs the IFMA MSM.
pub fn available() -> bool {
    is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512ifma")
}

/// Five 52-bit limbs, little-endian.
type Limbs = [u64; 5];

fn split(v: &[u64; 4]) -> Limbs {
    std::array::from_fn(|i| {
        let (word, shift) = (i * 52 / 64, i * 52 % 64);
        let mut x = v[word] >> shift;
        if shift > 12 && word + 1 < 4 {
            x |= v[word + 1] << (64 - shift);
        }
        x & MASK
    })
}

/// The integer of normalised limbs (below 2^256).
fn join(limbs: &Limbs) -> [u64; 4] {
    let mut out = [0u64; 4];
    for (i, limb) in limbs.iter().enumerate() {
        let (word, shift) = (i * 52 / 64, i * 52 % 64);
        out[word] |= limb << shift;
        if shift > 12 && word + 1 < 4 {
            out[word + 1] |= limb >> (64 - shift);
        }
    }
    out
}

/// The canonical integer (below p) of normalised limbs below 2p.
fn canonical(limbs: &Limbs) -> [u64; 4] {
    let v = join(limbs);
    let p = Fq::MODULUS.0;
    let below_p = (0..4)
        .rev()
        .find(|&i| v[i] != p[i])
        .is_some_and(|i| v[i] < p[i]);
    if below_p {
        return v;
    }
    let mut out = [0u64; 4];
    let mut borrow = false;
    for i in 0..4 {
        let (d, b1) = v[i].overflowing_sub(p[i]);
        let (d, b2) = d.overflowing_sub(borrow as u64);
        out[i] = d;
        borrow = b1 | b2;
    }
    out
}

/// Limbs of `k·p` with every limb but the top one at least 2^52 − 1, so that `x + k·p − y` never
/// borrows below the top limb for normalised `y` (the top limb's wrap-around is undone by the
/// carries, since the whole difference is non-negative).
fn lazy_multiple(k: u64) -> Limbs {
    let mut words = Fq::MODULUS.0;
    let mut carry = 0u128;
    for word in words.iter_mut() {
        let t = (*word as u128) * (k as u128) + carry;
        *word = t as u64;
        carry = t >> 64;
    }
    assert_eq!(carry, 0, "k·p fits in 256 bits");
    let s = split(&words);
    [
        s[0] + (1 << 52),
        s[1] + (1 << 52) - 1,
        s[2] + (1 << 52) - 1,
        s[3] + (1 << 52) - 1,
        s[4].wrapping_sub(1),
    ]
}

/// Our form of `v`: the limbs of v·2^260 mod p.
fn encode(v: &Fq) -> Limbs {
    static R260: OnceLock<Fq> = OnceLock::new();
    let r = R260.get_or_init(|| Fq::from(2u64).pow([260u64]));
    split(&(*v * r).into_bigint().0)
}

/// The field element of our form (normalised, below 2p).
fn decode(limbs: &Limbs) -> Fq {
    // An ark element whose Montgomery word is our u = v·2^260 has the value 16·v.
    static INVERSE_OF_16: OnceLock<Fq> = OnceLock::new();
    let sixteenth = INVERSE_OF_16.get_or_init(|| Fq::from(16u64).inverse().expect("16 ≠ 0"));
    Fq::new_unchecked(BigInt(canonical(limbs))) * sixteenth
}

/// A table point: affine, not at infinity, coordinates in our form.
#[derive(Clone, Copy)]
struct Point {
    x: Limbs,
    y: Limbs,
}

fn to_affine(point: &Point) -> G1Affine {
    G1Affine::new_unchecked(decode(&point.x), decode(&point.y))
}

/// Eight field elements, limb-major: `v[k]` holds limb k of every lane.
type Lanes = [__m512i; 5];

#[derive(Clone, Copy)]
struct Constants {
    p: Lanes,
    two_p: Lanes,
    four_p: Lanes,
    six_p: Lanes,
    /// Our form of 1 (R mod p): multiplying by it reduces below 2p without changing the value.
    one: Lanes,
    /// −p⁻¹ mod 2^52.
    n0: __m512i,
    mask: __m512i,
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn constants() -> Constants {
    let p = split(&Fq::MODULUS.0);
    let mut inverse: u64 = 1;
    for _ in 0..6 {
        inverse = inverse.wrapping_mul(2u64.wrapping_sub(p[0].wrapping_mul(inverse)));
    }
    let broadcast = |limbs: Limbs| limbs.map(|x| _mm512_set1_epi64(x as i64));
    let (two_p, four_p) = (lazy_multiple(2), lazy_multiple(4));
    let six_p: Limbs = std::array::from_fn(|k| two_p[k].wrapping_add(four_p[k]));
    Constants {
        p: broadcast(p),
        two_p: broadcast(two_p),
        four_p: broadcast(four_p),
        six_p: broadcast(six_p),
        one: broadcast(encode(&Fq::ONE)),
        n0: _mm512_set1_epi64((inverse.wrapping_neg() & MASK) as i64),
        mask: _mm512_set1_epi64(MASK as i64),
    }
}

#[target_feature(enable = "avx512f,avx512ifma")]
#[inline]
fn carry(mut t: Lanes, c: &Constants) -> Lanes {
    for j in 0..4 {
        t[j + 1] = _mm512_add_epi64(t[j + 1], _mm512_srli_epi64(t[j], 52));
        t[j] = _mm512_and_si512(t[j], c.mask);
    }
    t
}

/// a·b/R for inputs below 8p; the result is normalised and below 2p.
#[target_feature(enable = "avx512f,avx512ifma")]
#[inline]
fn mul(a: &Lanes, b: &Lanes, c: &Constants) -> Lanes {
    let zero = _mm512_setzero_si512();
    let mut t = [zero; 6];
    for bi in b {
        for j in 0..5 {
            t[j] = _mm512_madd52lo_epu64(t[j], a[j], *bi);
            t[j + 1] = _mm512_madd52hi_epu64(t[j + 1], a[j], *bi);
        }
        let m = _mm512_madd52lo_epu64(zero, t[0], c.n0);
        for j in 0..5 {
            t[j] = _mm512_madd52lo_epu64(t[j], c.p[j], m);
            t[j + 1] = _mm512_madd52hi_epu64(t[j + 1], c.p[j], m);
        }
        // The low 52 bits of t[0] are now zero; what is above carries into t[1].
        t[1] = _mm512_add_epi64(t[1], _mm512_srli_epi64(t[0], 52));
        t = [t[1], t[2], t[3], t[4], t[5], zero];
    }
    carry([t[0], t[1], t[2], t[3], t[4]], c)
}

/// `a + k − b` for a lazy multiple `k` of p larger than `b`, normalised.
#[target_feature(enable = "avx512f,avx512ifma")]
#[inline]
fn sub(a: &Lanes, b: &Lanes, k: &Lanes, c: &Constants) -> Lanes {
    let t: Lanes = std::array::from_fn(|j| _mm512_sub_epi64(_mm512_add_epi64(a[j], k[j]), b[j]));
    carry(t, c)
}

/// A G1 fixed-base table with its points in the IFMA form (80 bytes each).
pub struct G1IfmaTable {
    bits: usize,
    windows: usize,
    index: Vec<u32>,
    points: Vec<Point>,
}

impl G1IfmaTable {
    /// The same table in the IFMA form, or None where the CPU lacks IFMA.
    pub fn from_table(table: &FixedBaseTable<ark_bn254::g1::Config>) -> Option<Self> {
        if !available() {
            return None;
        }
        let (bits, windows, index) = table.layout();
        let points = table
            .points()
            .par_iter()
            .map(|point| Point {
                x: encode(&point.x),
                y: encode(&point.y),
            })
            .collect();
        Some(G1IfmaTable {
            bits,
            windows,
            index: index.to_vec(),
            points,
        })
    }

    pub fn size_bytes(&self) -> usize {
        self.points.len() * std::mem::size_of::<Point>() + self.index.len() * 4
    }

    /// As [`FixedBaseTable::msm_in_parts`].
    pub fn msm_in_parts(&self, scalars: &[Fr], parts: usize) -> G1Projective {
        let rows = self
            .index
            .partition_point(|&i| (i as usize) < scalars.len());
        row_ranges(rows, parts)
            .into_par_iter()
            .map(|range| {
                // SAFETY: a G1IfmaTable exists only where `available()` found the CPU features.
                let adder = unsafe { IfmaAdder::new() };
                accumulate_rows(
                    adder,
                    self.bits,
                    self.windows,
                    &self.index,
                    &self.points,
                    scalars,
                    range,
                )
            })
            .reduce(G1Projective::zero, |a, b| a + b)
    }
}

/// The IFMA adder: constants and lane buffers, reused across batches.
struct IfmaAdder {
    c: Constants,
    two_p: Limbs,
    px: Vec<Lanes>,
    py: Vec<Lanes>,
    bx: Vec<Lanes>,
    by: Vec<Lanes>,
    dx: Vec<Lanes>,
    prefix: Vec<Lanes>,
}

impl IfmaAdder {
    /// # Safety
    /// The CPU must have `avx512f` and `avx512ifma` ([`available`]).
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn new() -> Self {
        let zero = [_mm512_setzero_si512(); 5];
        let groups = BATCH.div_ceil(8);
        IfmaAdder {
            c: constants(),
            two_p: lazy_multiple(2),
            px: vec![zero; groups],
            py: vec![zero; groups],
            bx: vec![zero; groups],
            by: vec![zero; groups],
            dx: vec![zero; groups],
            prefix: vec![zero; groups],
        }
    }

    #[target_feature(enable = "avx512f,avx512ifma")]
    fn add_lanes(&mut self, points: &mut [Point], batch: &[(u32, Point)]) {
        let n = batch.len();
        let groups = n.div_ceil(8);
        let c = self.c;
        // Entry e goes to lane e mod 8 of group e / 8; a padding lane adds (1, 0) to (0, 0),
        // whose x-difference is non-zero, and its result is dropped.
        let pad = Point {
            x: encode(&Fq::ONE),
            y: [0; 5],
        };
        let origin = Point {
            x: [0; 5],
            y: [0; 5],
        };
        for g in 0..groups {
            let mut lanes = [[[0u64; 8]; 5]; 4];
            for lane in 0..8 {
                let (p, b) = match batch.get(g * 8 + lane) {
                    Some((bucket, point)) => (*point, points[*bucket as usize]),
                    None => (pad, origin),
                };
                for k in 0..5 {
                    lanes[0][k][lane] = p.x[k];
                    lanes[1][k][lane] = p.y[k];
                    lanes[2][k][lane] = b.x[k];
                    lanes[3][k][lane] = b.y[k];
                }
            }
            let load = |limbs: &[[u64; 8]; 5]| -> Lanes {
                // SAFETY: each row is 8 u64s, one unaligned 512-bit load.
                std::array::from_fn(|k| unsafe { _mm512_loadu_si512(limbs[k].as_ptr().cast()) })
            };
            self.px[g] = load(&lanes[0]);
            self.py[g] = load(&lanes[1]);
            self.bx[g] = load(&lanes[2]);
            self.by[g] = load(&lanes[3]);
        }
        // Each lane's prefix products of its x-differences.
        let mut product = c.one;
        for g in 0..groups {
            let dx = sub(&self.px[g], &self.bx[g], &c.four_p, &c);
            self.prefix[g] = product;
            product = mul(&product, &dx, &c);
            self.dx[g] = dx;
        }
        let mut inverse = invert_lanes(&product);
        for g in (0..groups).rev() {
            let dx_inverse = mul(&inverse, &self.prefix[g], &c);
            inverse = mul(&inverse, &self.dx[g], &c);
            let dy = sub(&self.py[g], &self.by[g], &c.four_p, &c);
            let slope = mul(&dy, &dx_inverse, &c);
            let square = mul(&slope, &slope, &c);
            // x3 = λ² − x1 − x2, computed as λ² + 6p − x1 − x2 (in (2p, 8p)), then reduced.
            let x3: Lanes = std::array::from_fn(|k| {
                _mm512_sub_epi64(
                    _mm512_sub_epi64(_mm512_add_epi64(square[k], c.six_p[k]), self.bx[g][k]),
                    self.px[g][k],
                )
            });
            let x3 = mul(&carry(x3, &c), &c.one, &c);
            // y3 = λ(x1 − x3) − y1.
            let y3 = mul(&slope, &sub(&self.bx[g], &x3, &c.two_p, &c), &c);
            let y3 = mul(&sub(&y3, &self.by[g], &c.two_p, &c), &c.one, &c);
            self.px[g] = x3;
            self.py[g] = y3;
        }
        for g in 0..groups {
            let mut x = [[0u64; 8]; 5];
            let mut y = [[0u64; 8]; 5];
            for k in 0..5 {
                // SAFETY: each row is 8 u64s, one unaligned 512-bit store.
                unsafe {
                    _mm512_storeu_si512(x[k].as_mut_ptr().cast(), self.px[g][k]);
                    _mm512_storeu_si512(y[k].as_mut_ptr().cast(), self.py[g][k]);
                }
            }
            for lane in 0..8.min(n - g * 8) {
                points[batch[g * 8 + lane].0 as usize] = Point {
                    x: std::array::from_fn(|k| x[k][lane]),
                    y: std::array::from_fn(|k| y[k][lane]),
                };
            }
        }
    }
}

impl BatchAdder for IfmaAdder {
    type Curve = ark_bn254::g1::Config;
    type Point = Point;

    fn placeholder() -> Point {
        Point {
            x: [0; 5],
            y: [0; 5],
        }
    }

    /// −P: y ↦ 2p − y (below 2p, as y is non-zero for a point of the prime-order group).
    #[inline]
    fn negate(&self, point: &Point) -> Point {
        let mut y: Limbs = std::array::from_fn(|k| self.two_p[k].wrapping_sub(point.y[k]));
        for k in 0..4 {
            y[k + 1] = y[k + 1].wrapping_add(y[k] >> 52);
            y[k] &= MASK;
        }
        Point { x: point.x, y }
    }

    #[inline]
    fn same_x(a: &Point, b: &Point) -> bool {
        same_x(&a.x, &b.x)
    }

    fn to_affine(point: &Point) -> G1Affine {
        to_affine(point)
    }

    fn add_batch(&mut self, points: &mut [Point], batch: &[(u32, Point)]) {
        // SAFETY: an IfmaAdder is made only where the CPU has the features (see `new`).
        unsafe { self.add_lanes(points, batch) }
    }
}

fn same_x(a: &Limbs, b: &Limbs) -> bool {
    a == b || canonical(a) == canonical(b)
}

/// The inverse of each lane, through arkworks' batch inversion.
#[target_feature(enable = "avx512f,avx512ifma")]
fn invert_lanes(v: &Lanes) -> Lanes {
    let mut limbs = [[0u64; 8]; 5];
    for k in 0..5 {
        // SAFETY: each row is 8 u64s.
        unsafe { _mm512_storeu_si512(limbs[k].as_mut_ptr().cast(), v[k]) };
    }
    let mut values: [Fq; 8] =
        std::array::from_fn(|lane| decode(&std::array::from_fn(|k| limbs[k][lane])));
    ark_ff::batch_inversion(&mut values);
    for (lane, value) in values.iter().enumerate() {
        let e = encode(value);
        for k in 0..5 {
            limbs[k][lane] = e[k];
        }
    }
    // SAFETY: each row is 8 u64s.
    std::array::from_fn(|k| unsafe { _mm512_loadu_si512(limbs[k].as_ptr().cast()) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixed_base::test_values::Stream;
    use ark_ec::{CurveGroup, VariableBaseMSM};
    use ark_ff::BigInteger;

    // Without IFMA the table is refused (the portable MSM, tested in fixed_base, runs instead).
    #[test]
    fn ifma_msm_equals_arkworks_or_is_refused_without_ifma() {
        if !available() {
            let bases = vec![Stream::new(1).g1(); 3];
            let table = FixedBaseTable::build(&bases, 5).expect("table");
            assert!(G1IfmaTable::from_table(&table).is_none());
            return;
        }
        let mut stream = Stream::new(9);
        let mut bases: Vec<G1Affine> = (0..700).map(|_| stream.g1()).collect();
        bases[7] = G1Affine::identity();
        bases[9] = bases[8];
        bases[11] = -bases[10];
        let mut scalars: Vec<Fr> = (0..bases.len()).map(|_| stream.scalar()).collect();
        for (i, s) in [
            Fr::from(0u64),
            Fr::ONE,
            -Fr::ONE,
            Fr::from(2u64),
            -Fr::from(u64::MAX),
        ]
        .into_iter()
        .enumerate()
        {
            scalars[20 + i] = s;
        }
        let expected = G1Projective::msm_unchecked(&bases, &scalars).into_affine();
        for bits in [5, 13] {
            let table = FixedBaseTable::build(&bases, bits).expect("table");
            let ifma = G1IfmaTable::from_table(&table).expect("IFMA is available");
            for parts in [1, 3] {
                assert_eq!(
                    ifma.msm_in_parts(&scalars, parts).into_affine(),
                    expected,
                    "{bits}-bit windows, {parts} parts"
                );
            }
        }
        // One bucket hit by every addition: the deferral queue and the projective overflow.
        let table = FixedBaseTable::build(&bases, 13).expect("table");
        let ifma = G1IfmaTable::from_table(&table).expect("IFMA is available");
        let threes = vec![Fr::from(3u64); bases.len()];
        assert_eq!(
            ifma.msm_in_parts(&threes, 1).into_affine(),
            G1Projective::msm_unchecked(&bases, &threes).into_affine()
        );
    }

    #[test]
    fn encoding_round_trips_and_lazy_multiples_are_borrow_free() {
        let mut stream = Stream::new(4);
        for _ in 0..100 {
            let v = Fq::from_le_bytes_mod_order(&stream.scalar().into_bigint().to_bytes_le());
            assert_eq!(decode(&encode(&v)), v);
        }
        for k in [2, 4] {
            let lazy = lazy_multiple(k);
            assert!(lazy[..4].iter().all(|limb| *limb >= MASK));
        }
    }
}
