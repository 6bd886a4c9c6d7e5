//! Fixed-base multi-scalar multiplication over tables built once per proving key.
//!
//! A Groth16 proving key's bases never change between proofs, so each base's window multiples
//! `2^(c·j)·P` can be tabulated at load. An MSM then accumulates every window of every scalar into
//! one set of `2^(c-1)` buckets: one bucket reduction in total instead of one per window, and no
//! doublings between windows. Bucket additions are done in affine coordinates, batched so that one
//! field inversion serves a whole batch (Montgomery's trick); an addition to a bucket already in
//! the batch waits for the next one, and the rare doubling or cancellation goes to a per-bucket
//! projective sum.
//!
//! Generic over short-Weierstrass curves so that G1 and G2 share the code.

use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, BigInteger, Field, PrimeField, Zero};
use rayon::prelude::*;

/// Additions resolved by one batch inversion: large enough to amortise the inversion, small
/// enough that a batch rarely hits the same bucket twice.
pub(crate) const BATCH: usize = 256;

/// Bases whose multiples one task tabulates (and normalises with one batch inversion).
const TABULATE_CHUNK: usize = 512;

/// An affine point that is not at infinity (the table refuses those), aligned to cache lines: a G1
/// point is exactly one line, where ark's 8-aligned `Affine` lets most straddle two.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
pub(crate) struct Xy<F> {
    pub(crate) x: F,
    pub(crate) y: F,
}

impl<F: Field> Xy<F> {
    #[inline]
    fn negate(self) -> Self {
        Xy {
            x: self.x,
            y: -self.y,
        }
    }
}

fn to_affine<P: SWCurveConfig>(point: &Xy<P::BaseField>) -> Affine<P> {
    Affine::new_unchecked(point.x, point.y)
}

/// Window multiples of the non-zero bases of one MSM, row-major: row `k` holds
/// `2^(c·j)·P_{index[k]}` for `j` in `0..windows`, so one scalar's windows are read contiguously.
pub struct FixedBaseTable<P: SWCurveConfig> {
    bits: usize,
    windows: usize,
    index: Vec<u32>,
    points: Vec<Xy<P::BaseField>>,
}

/// Windows of `bits` bits needed so that the signed recoding of any scalar below the modulus never
/// carries out of the top window (`windows · bits ≥ modulus bits + 1`).
fn window_count<P: SWCurveConfig>(bits: usize) -> usize {
    (P::ScalarField::MODULUS_BIT_SIZE as usize + 1).div_ceil(bits)
}

impl<P: SWCurveConfig> FixedBaseTable<P> {
    /// Tabulates `bases` (points at infinity are left out: they add nothing) for `bits`-bit windows.
    /// Refuses a base with a multiple at infinity, which only a point outside the prime-order
    /// group can have.
    pub fn build(bases: &[Affine<P>], bits: usize) -> Result<Self, String> {
        assert!((2..=20).contains(&bits), "window bits out of range: {bits}");
        let windows = window_count::<P>(bits);
        let index: Vec<u32> = bases
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.is_zero())
            .map(|(i, _)| i as u32)
            .collect();
        let zero = Xy {
            x: P::BaseField::ZERO,
            y: P::BaseField::ZERO,
        };
        let mut points = vec![zero; index.len() * windows];
        points
            .par_chunks_mut(TABULATE_CHUNK * windows)
            .zip(index.par_chunks(TABULATE_CHUNK))
            .try_for_each(|(rows, chunk)| {
                let mut projective = Vec::with_capacity(rows.len());
                for &i in chunk {
                    let mut multiple = bases[i as usize].into_group();
                    for j in 0..windows {
                        if j > 0 {
                            for _ in 0..bits {
                                multiple.double_in_place();
                            }
                        }
                        projective.push(multiple);
                    }
                }
                for (k, (row, point)) in rows
                    .iter_mut()
                    .zip(Projective::normalize_batch(&projective))
                    .enumerate()
                {
                    let (x, y) = point.xy().ok_or_else(|| {
                        format!(
                            "base {} has a multiple at infinity: it is not in the prime-order group",
                            chunk[k / windows]
                        )
                    })?;
                    *row = Xy { x, y };
                }
                Ok::<(), String>(())
            })?;
        Ok(FixedBaseTable {
            bits,
            windows,
            index,
            points,
        })
    }

    /// Window bits, windows per base, and the index of each tabulated base.
    pub(crate) fn layout(&self) -> (usize, usize, &[u32]) {
        (self.bits, self.windows, &self.index)
    }

    /// The tabulated multiples, row-major (see the struct).
    pub(crate) fn points(&self) -> &[Xy<P::BaseField>] {
        &self.points
    }

    /// Bytes the table occupies.
    pub fn size_bytes(&self) -> usize {
        self.points.len() * std::mem::size_of::<Xy<P::BaseField>>() + self.index.len() * 4
    }

    /// `Σ scalars[i] · bases[i]` over the bases the table was built from, split over every thread.
    /// `scalars` may be longer or shorter than the bases; missing scalars count as zero.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn msm(&self, scalars: &[P::ScalarField]) -> Projective<P> {
        self.msm_in_parts(scalars, rayon::current_num_threads())
    }

    /// The MSM split into `parts` independent tasks, each with its own buckets (and so its own
    /// bucket reduction): fewer parts when other MSMs run beside it and keep the threads busy.
    pub fn msm_in_parts(&self, scalars: &[P::ScalarField], parts: usize) -> Projective<P> {
        let rows = self
            .index
            .partition_point(|&i| (i as usize) < scalars.len());
        row_ranges(rows, parts)
            .into_par_iter()
            .map(|range| self.accumulate(scalars, range))
            .reduce(Projective::zero, |a, b| a + b)
    }

    fn accumulate(
        &self,
        scalars: &[P::ScalarField],
        rows: std::ops::Range<usize>,
    ) -> Projective<P> {
        accumulate_rows(
            PortableAdder::<P>::default(),
            self.bits,
            self.windows,
            &self.index,
            &self.points,
            scalars,
            rows,
        )
    }
}

/// The bucket pass of one part of an MSM: every signed digit of every row's scalar added to its
/// bucket, then the buckets summed. `points` is row-major, `windows` multiples per row.
pub(crate) fn accumulate_rows<A: BatchAdder>(
    adder: A,
    bits: usize,
    windows: usize,
    index: &[u32],
    points: &[A::Point],
    scalars: &[<A::Curve as ark_ec::CurveConfig>::ScalarField],
    rows: std::ops::Range<usize>,
) -> Projective<A::Curve> {
    let mut buckets = Buckets::new(1 << (bits - 1), adder);
    let mut digits = vec![0i32; windows];
    for k in rows {
        let scalar = scalars[index[k] as usize].into_bigint();
        if scalar.is_zero() {
            continue;
        }
        signed_digits(scalar.as_ref(), bits, &mut digits);
        let row = &points[k * windows..(k + 1) * windows];
        for (digit, point) in digits.iter().zip(row) {
            match digit.signum() {
                0 => {}
                1 => buckets.add(*digit as usize - 1, *point),
                _ => {
                    let negated = buckets.adder.negate(point);
                    buckets.add(digit.unsigned_abs() as usize - 1, negated)
                }
            }
        }
    }
    buckets.sum()
}

/// `0..rows` in at most `parts` consecutive ranges of equal size (the last one shorter).
pub(crate) fn row_ranges(rows: usize, parts: usize) -> Vec<std::ops::Range<usize>> {
    if rows == 0 {
        return Vec::new();
    }
    let per_part = rows.div_ceil(parts.clamp(1, rows));
    (0..rows)
        .step_by(per_part)
        .map(|start| start..(start + per_part).min(rows))
        .collect()
}

/// Signed `bits`-bit digits of a little-endian integer, lowest first, each in
/// `(-2^(bits-1), 2^(bits-1)]`, so that `Σ digits[j] · 2^(bits·j)` is the integer.
pub(crate) fn signed_digits(limbs: &[u64], bits: usize, digits: &mut [i32]) {
    let mask = (1u64 << bits) - 1;
    let half = 1i64 << (bits - 1);
    let mut carry = 0i64;
    for (j, digit) in digits.iter_mut().enumerate() {
        let offset = j * bits;
        let (limb, shift) = (offset / 64, offset % 64);
        let mut raw = limbs.get(limb).map_or(0, |l| l >> shift);
        if shift + bits > 64 {
            raw |= limbs.get(limb + 1).map_or(0, |l| l << (64 - shift));
        }
        let mut value = (raw & mask) as i64 + carry;
        carry = 0;
        if value > half {
            value -= 1 << bits;
            carry = 1;
        }
        *digit = value as i32;
    }
    debug_assert_eq!(carry, 0, "the top window absorbs the last carry");
}

/// The field arithmetic behind a bucket set: how its points are stored and how a batch of
/// additions is done. The batching, queueing and reduction in [`Buckets`] are shared.
pub(crate) trait BatchAdder {
    type Curve: SWCurveConfig;
    /// An affine point that is not at infinity.
    type Point: Copy;

    /// A placeholder for empty buckets.
    fn placeholder() -> Self::Point;
    fn negate(&self, point: &Self::Point) -> Self::Point;
    fn same_x(a: &Self::Point, b: &Self::Point) -> bool;
    fn to_affine(point: &Self::Point) -> Affine<Self::Curve>;
    /// `points[bucket] += point` for every `(bucket, point)` of `batch`: distinct buckets, and
    /// each point's x differs from its bucket's.
    fn add_batch(&mut self, points: &mut [Self::Point], batch: &[(u32, Self::Point)]);
}

/// Buckets kept in affine coordinates, updated in batches that share one inversion. An addition to
/// a bucket already in the batch waits in a short queue for the next batch; what the queue cannot
/// hold, and the rare doubling or cancellation, goes to per-bucket projective sums.
pub(crate) struct Buckets<A: BatchAdder> {
    adder: A,
    points: Vec<A::Point>,
    state: Vec<BucketState>,
    overflow: Vec<Projective<A::Curve>>,
    batch: Vec<(u32, A::Point)>,
    deferred: Vec<(u32, A::Point)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BucketState {
    Empty,
    Full,
    /// Full, with an addition waiting in the current batch.
    Batched,
}

/// Additions to busy buckets held for the next batch (beyond it they go projective).
const DEFERRED: usize = 32;

impl<A: BatchAdder> Buckets<A> {
    fn new(count: usize, adder: A) -> Self {
        Buckets {
            adder,
            points: vec![A::placeholder(); count],
            state: vec![BucketState::Empty; count],
            overflow: vec![Projective::zero(); count],
            batch: Vec::with_capacity(BATCH),
            deferred: Vec::with_capacity(DEFERRED),
        }
    }

    #[inline]
    fn add(&mut self, bucket: usize, point: A::Point) {
        self.insert(bucket, point);
        if self.batch.len() == BATCH {
            self.flush();
        }
    }

    #[inline]
    fn insert(&mut self, bucket: usize, point: A::Point) {
        match self.state[bucket] {
            BucketState::Empty => {
                self.points[bucket] = point;
                self.state[bucket] = BucketState::Full;
            }
            // A bucket already waiting in this batch would be updated twice from a stale value.
            BucketState::Batched => {
                if self.deferred.len() < DEFERRED {
                    self.deferred.push((bucket as u32, point));
                } else {
                    self.overflow[bucket] += A::to_affine(&point);
                }
            }
            // The chord formula needs distinct x: a doubling or a cancellation goes projective.
            BucketState::Full if A::same_x(&self.points[bucket], &point) => {
                self.overflow[bucket] += A::to_affine(&point);
            }
            BucketState::Full => {
                self.state[bucket] = BucketState::Batched;
                self.batch.push((bucket as u32, point));
            }
        }
    }

    /// Adds the batch, then moves the deferred additions into the next batch (fewer than a
    /// batch, so they never fill it).
    fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        self.adder.add_batch(&mut self.points, &self.batch);
        for (bucket, _) in &self.batch {
            self.state[*bucket as usize] = BucketState::Full;
        }
        self.batch.clear();
        let mut deferred = std::mem::take(&mut self.deferred);
        for (bucket, point) in deferred.drain(..) {
            self.insert(bucket as usize, point);
        }
        if self.deferred.is_empty() {
            self.deferred = deferred;
        }
    }

    /// `Σ (b + 1) · bucket_b` by the running-sum method.
    fn sum(mut self) -> Projective<A::Curve> {
        while !self.batch.is_empty() {
            self.flush();
        }
        let mut running = Projective::<A::Curve>::zero();
        let mut total = Projective::<A::Curve>::zero();
        for ((point, state), overflow) in self
            .points
            .iter()
            .zip(&self.state)
            .zip(&self.overflow)
            .rev()
        {
            if *state != BucketState::Empty {
                running += A::to_affine(point);
            }
            if !overflow.is_zero() {
                running += overflow;
            }
            total += running;
        }
        total
    }
}

/// The portable adder: arkworks' field arithmetic, one addition at a time.
struct PortableAdder<P: SWCurveConfig> {
    prefix: Vec<P::BaseField>,
    dx: Vec<P::BaseField>,
}

impl<P: SWCurveConfig> Default for PortableAdder<P> {
    fn default() -> Self {
        PortableAdder {
            prefix: Vec::with_capacity(BATCH),
            dx: Vec::with_capacity(BATCH),
        }
    }
}

impl<P: SWCurveConfig> BatchAdder for PortableAdder<P> {
    type Curve = P;
    type Point = Xy<P::BaseField>;

    fn placeholder() -> Self::Point {
        Xy {
            x: P::BaseField::ZERO,
            y: P::BaseField::ZERO,
        }
    }

    #[inline]
    fn negate(&self, point: &Self::Point) -> Self::Point {
        point.negate()
    }

    #[inline]
    fn same_x(a: &Self::Point, b: &Self::Point) -> bool {
        a.x == b.x
    }

    fn to_affine(point: &Self::Point) -> Affine<P> {
        to_affine::<P>(point)
    }

    /// `λ = (y₂ − y₁)/(x₂ − x₁)`, `x₃ = λ² − x₁ − x₂`, `y₃ = λ(x₁ − x₃) − y₁`, with the inverses of
    /// all `x₂ − x₁` from one inversion: prefix products, one inversion, then the walk back.
    fn add_batch(&mut self, points: &mut [Self::Point], batch: &[(u32, Self::Point)]) {
        self.prefix.clear();
        self.dx.clear();
        let mut product = P::BaseField::ONE;
        for (bucket, point) in batch {
            let dx = point.x - points[*bucket as usize].x;
            self.prefix.push(product);
            self.dx.push(dx);
            product *= dx;
        }
        let mut inverse = product.inverse().expect("denominators are non-zero");
        for (((bucket, point), prefix), dx) in batch.iter().zip(&self.prefix).zip(&self.dx).rev() {
            let current = &mut points[*bucket as usize];
            let dx_inverse = inverse * prefix;
            inverse *= dx;
            let slope = (point.y - current.y) * dx_inverse;
            let x = slope.square() - current.x - point.x;
            current.y = slope * (current.x - x) - current.y;
            current.x = x;
        }
    }
}

#[cfg(test)]
pub(crate) mod test_values {
    use ark_bn254::{Fr, G1Affine, G2Affine};
    use ark_ec::{AffineRepr, CurveGroup};
    use ark_ff::PrimeField;

    pub struct Stream(u64);

    impl Stream {
        pub fn new(seed: u64) -> Self {
            Stream(seed)
        }

        fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        pub fn scalar(&mut self) -> Fr {
            let bytes: Vec<u8> = (0..8).flat_map(|_| self.next_u64().to_le_bytes()).collect();
            Fr::from_le_bytes_mod_order(&bytes)
        }

        pub fn g1(&mut self) -> G1Affine {
            (G1Affine::generator() * self.scalar()).into_affine()
        }

        pub fn g2(&mut self) -> G2Affine {
            (G2Affine::generator() * self.scalar()).into_affine()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_values::Stream;
    use super::*;
    use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine};
    use ark_ec::VariableBaseMSM;

    fn edge_scalars(n: usize, rng: &mut Stream) -> Vec<Fr> {
        let specials = [
            Fr::zero(),
            Fr::ONE,
            -Fr::ONE,
            Fr::from(2u64),
            -Fr::from(2u64),
            Fr::from(1u64 << 12),
            Fr::from((1u64 << 12) + 1),
            Fr::from(u64::MAX),
            -Fr::from(u64::MAX),
        ];
        (0..n)
            .map(|i| {
                if i % 3 == 0 {
                    specials[(i / 3) % specials.len()]
                } else {
                    rng.scalar()
                }
            })
            .collect()
    }

    fn check<P: SWCurveConfig>(bases: &[Affine<P>], scalars: &[P::ScalarField], bits: usize) {
        let table = FixedBaseTable::build(bases, bits).expect("table");
        let expected = Projective::<P>::msm_unchecked(bases, scalars);
        assert_eq!(
            table.msm(scalars).into_affine(),
            expected.into_affine(),
            "{bits}-bit windows"
        );
    }

    #[test]
    fn g1_matches_arkworks_for_edge_and_random_scalars() {
        let mut rng = Stream::new(7);
        let mut bases: Vec<G1Affine> = (0..600).map(|_| rng.g1()).collect();
        // Points at infinity, and repeated and opposite bases (doublings, cancellations in a bucket).
        bases[5] = G1Affine::identity();
        bases[9] = bases[8];
        bases[11] = -bases[10];
        let scalars = edge_scalars(bases.len(), &mut rng);
        for bits in [2, 5, 8, 13, 16] {
            check(&bases, &scalars, bits);
        }
    }

    #[test]
    fn g2_matches_arkworks_for_edge_and_random_scalars() {
        let mut rng = Stream::new(11);
        let mut bases: Vec<G2Affine> = (0..300).map(|_| rng.g2()).collect();
        bases[0] = G2Affine::identity();
        bases[3] = bases[2];
        let scalars = edge_scalars(bases.len(), &mut rng);
        for bits in [3, 13] {
            check(&bases, &scalars, bits);
        }
    }

    #[test]
    fn same_scalar_everywhere_hits_one_bucket_repeatedly() {
        let mut rng = Stream::new(3);
        let bases: Vec<G1Affine> = (0..1000).map(|_| rng.g1()).collect();
        check(&bases, &vec![Fr::from(3u64); bases.len()], 13);
    }

    #[test]
    fn fewer_scalars_than_bases_count_the_rest_as_zero() {
        let mut rng = Stream::new(5);
        let bases: Vec<G1Affine> = (0..100).map(|_| rng.g1()).collect();
        let scalars: Vec<Fr> = (0..40).map(|_| rng.scalar()).collect();
        let table = FixedBaseTable::build(&bases, 9).expect("table");
        assert_eq!(
            table.msm(&scalars).into_affine(),
            G1Projective::msm_unchecked(&bases[..40], &scalars).into_affine()
        );
        assert!(table.msm(&[]).is_zero());
    }

    #[test]
    fn signed_digits_recompose_the_scalar() {
        let mut rng = Stream::new(1);
        for bits in [2usize, 7, 13, 16, 20] {
            let windows = window_count::<ark_bn254::g1::Config>(bits);
            for scalar in edge_scalars(60, &mut rng) {
                let mut digits = vec![0i32; windows];
                signed_digits(scalar.into_bigint().as_ref(), bits, &mut digits);
                let half = 1i32 << (bits - 1);
                assert!(digits.iter().all(|d| -half < *d && *d <= half));
                let recomposed = digits.iter().rev().fold(Fr::zero(), |acc, d| {
                    acc * Fr::from(1u64 << bits) + Fr::from(*d as i64)
                });
                assert_eq!(recomposed, scalar, "{bits}-bit digits");
            }
        }
    }
}
