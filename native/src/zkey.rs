//! A bounds check of a snarkjs Groth16 `.zkey` before taceo's parser sees it. That parser trusts
//! the file's section table and counts (it resizes buffers to declared lengths and indexes by
//! declared ids), so a truncated or foreign file could make it allocate without limit — an abort,
//! which `catch_unwind` cannot stop. Here every declared length must match the counts in the
//! Groth16 header and fit in the bytes actually given.

use crate::bytes::{u32_at, u64_at};

pub struct Layout {
    pub n_vars: usize,
    pub n_public: usize,
}

/// BN254 field elements are 32 bytes; G1 points 64 and G2 points 128 (uncompressed, Montgomery).
const N8: usize = 32;
const G1: usize = 2 * N8;
const G2: usize = 4 * N8;
/// The largest FFT domain BN254's scalar field has (two-adicity 28).
const MAX_DOMAIN_LOG: u32 = 28;

pub fn check_layout(bytes: &[u8]) -> Result<Layout, String> {
    if bytes.get(..4) != Some(b"zkey") {
        return Err("not a zkey file (magic is not \"zkey\")".into());
    }
    let n_sections = u32_at(bytes, 8)? as usize;
    if !(9..=16).contains(&n_sections) {
        return Err(format!("{n_sections} sections; a Groth16 zkey has 10"));
    }
    let mut sections: Vec<Option<(usize, usize)>> = vec![None; n_sections];
    let mut at = 12usize;
    for _ in 0..n_sections {
        let id = u32_at(bytes, at)? as usize;
        let len = u64_at(bytes, at + 4)?;
        at += 12;
        if id == 0 || id > n_sections {
            return Err(format!("section id {id} outside 1..={n_sections}"));
        }
        let len = usize::try_from(len)
            .ok()
            .filter(|len| at.checked_add(*len).is_some_and(|end| end <= bytes.len()));
        let len = len.ok_or_else(|| format!("section {id} runs past the end of the file"))?;
        if sections[id - 1].replace((at, len)).is_some() {
            return Err(format!("section {id} appears twice"));
        }
        at += len;
    }
    let section = |id: usize| sections[id - 1].ok_or_else(|| format!("section {id} is missing"));

    let (protocol_at, protocol_len) = section(1)?;
    if protocol_len != 4 || u32_at(bytes, protocol_at)? != 1 {
        return Err("not a Groth16 zkey (protocol section is not 1)".into());
    }
    let (h, h_len) = section(2)?;
    // n8q, q, n8r, r, nVars, nPublic, domainSize, then alpha1, beta1, beta2, gamma2, delta1, delta2.
    let header_len = 4 + N8 + 4 + N8 + 12 + 3 * G1 + 3 * G2;
    if h_len != header_len
        || u32_at(bytes, h)? as usize != N8
        || u32_at(bytes, h + 4 + N8)? as usize != N8
    {
        return Err("the Groth16 header is not BN254's".into());
    }
    let counts = h + 8 + 2 * N8;
    let n_vars = u32_at(bytes, counts)? as usize;
    let n_public = u32_at(bytes, counts + 4)? as usize;
    let domain_size = u32_at(bytes, counts + 8)? as usize;
    if n_vars < n_public + 1 {
        return Err(format!(
            "{n_vars} variables cannot hold {n_public} public signals"
        ));
    }
    if !domain_size.is_power_of_two() || domain_size.trailing_zeros() > MAX_DOMAIN_LOG {
        return Err(format!(
            "domain size {domain_size} is not a power of two up to 2^{MAX_DOMAIN_LOG}"
        ));
    }
    let expect = |id: usize, len: usize| -> Result<usize, String> {
        let (start, actual) = section(id)?;
        if actual != len {
            return Err(format!(
                "section {id} has {actual} bytes, the header implies {len}"
            ));
        }
        Ok(start)
    };
    expect(3, (n_public + 1) * G1)?;
    expect(5, n_vars * G1)?;
    expect(6, n_vars * G1)?;
    expect(7, n_vars * G2)?;
    expect(8, (n_vars - n_public - 1) * G1)?;
    expect(9, domain_size * G1)?;

    // The coefficients of A and B: matrix, constraint and signal index each bounded, since the
    // parser and the witness map index with them unchecked.
    let (coeffs, coeffs_len) = section(4)?;
    let n_coeffs = u32_at(bytes, coeffs)? as usize;
    let entry = 12 + N8;
    if n_coeffs.checked_mul(entry).and_then(|n| n.checked_add(4)) != Some(coeffs_len) {
        return Err(format!(
            "section 4 has {coeffs_len} bytes for {n_coeffs} coefficients"
        ));
    }
    let mut max_constraint = 0usize;
    for i in 0..n_coeffs {
        let e = coeffs + 4 + i * entry;
        let (matrix, constraint, signal) = (
            u32_at(bytes, e)?,
            u32_at(bytes, e + 4)? as usize,
            u32_at(bytes, e + 8)? as usize,
        );
        if matrix > 1 || constraint >= domain_size || signal >= n_vars {
            return Err(format!("coefficient {i} is out of range (matrix {matrix}, constraint {constraint}, signal {signal})"));
        }
        max_constraint = max_constraint.max(constraint);
    }
    if max_constraint < n_public {
        return Err("the coefficients leave no room for the public-input constraints".into());
    }
    Ok(Layout { n_vars, n_public })
}
