//! A Groth16 prover whose five MSMs run over fixed-base tables of the proving key
//! ([`crate::fixed_base`]): the same proof as taceo's `Groth16::prove`, faster per proof, at the
//! price of building the tables once (seconds) and holding them in memory (tens of MiB).

use ark_bn254::{Bn254, Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use taceo_groth16::{CircomReduction, ConstraintMatrices, Proof, ProvingKey, R1CSToQAP};

use crate::fixed_base::FixedBaseTable;

type G2Table = FixedBaseTable<ark_bn254::g2::Config>;

/// Which field arithmetic the G1 tables use.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Arithmetic {
    /// AVX-512 IFMA where the CPU has it, else portable.
    Auto,
    Portable,
}

/// A G1 table: in the IFMA form where the CPU has it (and it is wanted), else portable.
pub(crate) enum G1Table {
    Portable(FixedBaseTable<ark_bn254::g1::Config>),
    #[cfg(target_arch = "x86_64")]
    Ifma(crate::ifma::G1IfmaTable),
}

impl G1Table {
    fn build(bases: &[G1Affine], bits: usize, arithmetic: Arithmetic) -> Result<Self, String> {
        let table = FixedBaseTable::build(bases, bits)?;
        #[cfg(target_arch = "x86_64")]
        if arithmetic == Arithmetic::Auto {
            if let Some(ifma) = crate::ifma::G1IfmaTable::from_table(&table) {
                return Ok(G1Table::Ifma(ifma));
            }
        }
        let _ = arithmetic;
        Ok(G1Table::Portable(table))
    }

    fn size_bytes(&self) -> usize {
        match self {
            G1Table::Portable(table) => table.size_bytes(),
            #[cfg(target_arch = "x86_64")]
            G1Table::Ifma(table) => table.size_bytes(),
        }
    }

    fn is_ifma(&self) -> bool {
        !matches!(self, G1Table::Portable(_))
    }

    pub(crate) fn msm_in_parts(&self, scalars: &[Fr], parts: usize) -> G1Projective {
        match self {
            G1Table::Portable(table) => table.msm_in_parts(scalars, parts),
            #[cfg(target_arch = "x86_64")]
            G1Table::Ifma(table) => table.msm_in_parts(scalars, parts),
        }
    }

    /// The MSM on every thread (`examples/phases.rs` times it).
    #[allow(dead_code)]
    pub(crate) fn msm(&self, scalars: &[Fr]) -> G1Projective {
        self.msm_in_parts(scalars, rayon::current_num_threads())
    }
}

/// Window width of the tables: measured fastest on the join-split's ~13k-point MSMs (13-bit
/// windows: 20 multiples per base).
pub const WINDOW_BITS: usize = 13;

/// Fixed-base tables for the five MSMs of one proving key.
pub struct ProvingTables {
    pub(crate) a: G1Table,
    pub(crate) b_g1: G1Table,
    pub(crate) b_g2: G2Table,
    pub(crate) l: G1Table,
    pub(crate) h: G1Table,
}

impl ProvingTables {
    /// Tabulates every query of `key` (the five builds run in parallel).
    pub fn build(
        key: &ProvingKey<Bn254>,
        bits: usize,
        arithmetic: Arithmetic,
    ) -> Result<Self, String> {
        let ((a, b_g1), (b_g2, (l, h))) = rayon::join(
            || {
                rayon::join(
                    || G1Table::build(&key.a_query, bits, arithmetic),
                    || G1Table::build(&key.b_g1_query, bits, arithmetic),
                )
            },
            || {
                rayon::join(
                    || G2Table::build(&key.b_g2_query, bits),
                    || {
                        rayon::join(
                            || G1Table::build(&key.l_query, bits, arithmetic),
                            || G1Table::build(&key.h_query, bits, arithmetic),
                        )
                    },
                )
            },
        );
        Ok(ProvingTables {
            a: a.map_err(|e| format!("A query: {e}"))?,
            b_g1: b_g1.map_err(|e| format!("B1 query: {e}"))?,
            b_g2: b_g2.map_err(|e| format!("B2 query: {e}"))?,
            l: l.map_err(|e| format!("L query: {e}"))?,
            h: h.map_err(|e| format!("H query: {e}"))?,
        })
    }

    /// Whether the G1 MSMs run on AVX-512 IFMA.
    pub fn uses_ifma(&self) -> bool {
        self.a.is_ifma()
    }

    /// Bytes the five tables occupy.
    pub fn size_bytes(&self) -> usize {
        self.a.size_bytes()
            + self.b_g1.size_bytes()
            + self.b_g2.size_bytes()
            + self.l.size_bytes()
            + self.h.size_bytes()
    }

    /// A Groth16 proof with blinding `r`, `s` for a full witness (the constant 1 first), as
    /// snarkjs and taceo compute it: A = α + Σwᵢ·Aᵢ + r·δ, B = β + Σwᵢ·Bᵢ + s·δ,
    /// C = Σ_private wᵢ·Lᵢ + Σhᵢ·Hᵢ + s·A + r·B₁ − r·s·δ.
    pub fn prove(
        &self,
        key: &ProvingKey<Bn254>,
        matrices: &ConstraintMatrices<Fr>,
        witness: &[Fr],
        r: Fr,
        s: Fr,
    ) -> Result<Proof<Bn254>, String> {
        let expected = matrices.num_instance_variables + matrices.num_witness_variables;
        if witness.len() != expected {
            return Err(format!(
                "the witness has {} values, the key expects {expected}",
                witness.len()
            ));
        }
        let private = &witness[matrices.num_instance_variables..];
        // The queries' first base belongs to the constant 1, which leads the witness, so each
        // table's MSM over the whole witness already includes it. Only H waits for the witness
        // map (its FFTs), so the other four MSMs run beside it.
        // Split each MSM into fewer parts than there are threads, the G2 one (about twice the work
        // of a G1 one) into more: the six tasks keep the threads busy with fewer bucket
        // reductions than an every-MSM-on-every-thread split (measured ~4% faster on 2 threads).
        let threads = rayon::current_num_threads();
        let (g1_parts, g2_parts) = (threads.div_ceil(2), threads);
        let h_msm = || -> Result<_, String> {
            let h = CircomReduction::witness_map_from_matrices::<Bn254>(matrices, witness)
                .map_err(|e| e.to_string())?;
            if h.len() + 1 < key.h_query.len() {
                return Err(format!(
                    "h has {} coefficients, the key expects {}",
                    h.len(),
                    key.h_query.len()
                ));
            }
            Ok(self.h.msm_in_parts(&h, g1_parts))
        };
        let ((h, b_g2), ((a, b_g1), l)) = rayon::join(
            || rayon::join(h_msm, || self.b_g2.msm_in_parts(witness, g2_parts)),
            || {
                rayon::join(
                    || {
                        rayon::join(
                            || self.a.msm_in_parts(witness, g1_parts),
                            || self.b_g1.msm_in_parts(witness, g1_parts),
                        )
                    },
                    || self.l.msm_in_parts(private, g1_parts),
                )
            },
        );
        let h = h?;
        let delta_g1 = key.delta_g1.into_group();
        let g_a = a + key.vk.alpha_g1 + delta_g1 * r;
        let g1_b = b_g1 + key.beta_g1 + delta_g1 * s;
        let g2_b = b_g2 + key.vk.beta_g2 + key.vk.delta_g2.into_group() * s;
        let g_c = l + h + g_a * s + g1_b * r - delta_g1 * (r * s);
        Ok(Proof {
            a: g_a.into_affine(),
            b: g2_b.into_affine(),
            c: g_c.into_affine(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixed_base::test_values::Stream;
    use ark_ff::One;
    use taceo_circom_types::groth16::Zkey;
    use taceo_circom_types::CheckElement;
    use taceo_groth16::Groth16;

    fn depth5_key() -> (ConstraintMatrices<Fr>, ProvingKey<Bn254>) {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../circuits/artifacts/transaction_5/transaction_final.zkey"
        );
        let bytes = std::fs::read(path).expect("the committed depth-5 zkey");
        Zkey::<Bn254>::from_reader(bytes.as_slice(), CheckElement::No)
            .expect("zkey")
            .into()
    }

    // Groth16's arithmetic does not need a satisfying witness, so any witness with the same
    // blinding must give taceo's points exactly.
    fn assert_proof_equals_taceos(arithmetic: Arithmetic) -> ProvingTables {
        let (matrices, key) = depth5_key();
        let tables = ProvingTables::build(&key, WINDOW_BITS, arithmetic).expect("tables");
        let mut stream = Stream::new(42);
        let n = matrices.num_instance_variables + matrices.num_witness_variables;
        let witness: Vec<Fr> = std::iter::once(Fr::one())
            .chain((1..n).map(|i| match i % 7 {
                0 => Fr::from(0u64),
                1 => Fr::one(),
                _ => stream.scalar(),
            }))
            .collect();
        let (r, s) = (stream.scalar(), stream.scalar());
        let ours = tables
            .prove(&key, &matrices, &witness, r, s)
            .expect("proof");
        let theirs = Groth16::<Bn254>::prove::<CircomReduction>(&key, r, s, &matrices, &witness)
            .expect("taceo's proof");
        assert_eq!((ours.a, ours.b, ours.c), (theirs.a, theirs.b, theirs.c));
        tables
    }

    #[test]
    fn portable_proof_equals_taceos_for_the_same_witness_and_blinding() {
        let tables = assert_proof_equals_taceos(Arithmetic::Portable);
        assert!(!tables.uses_ifma());
    }

    /// On a CPU with AVX-512 IFMA this is the IFMA proof; elsewhere `Auto` is the portable one.
    #[test]
    fn auto_proof_equals_taceos_for_the_same_witness_and_blinding() {
        let tables = assert_proof_equals_taceos(Arithmetic::Auto);
        #[cfg(target_arch = "x86_64")]
        assert_eq!(tables.uses_ifma(), crate::ifma::available());
    }

    #[test]
    fn refuses_a_witness_of_the_wrong_length() {
        let (matrices, key) = depth5_key();
        let tables = ProvingTables::build(&key, 4, Arithmetic::Portable).expect("tables");
        let n = matrices.num_instance_variables + matrices.num_witness_variables;
        let witness = vec![Fr::one(); n - 1];
        let error = tables
            .prove(&key, &matrices, &witness, Fr::one(), Fr::one())
            .err()
            .expect("a short witness is refused");
        assert_eq!(
            error,
            format!("the witness has {} values, the key expects {n}", n - 1)
        );
    }
}
