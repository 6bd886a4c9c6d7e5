//! Reads circom's `.wtns` binary (version 2: a header section with the field and the count, then
//! the values as 32-byte little-endian integers), checking every length and that each value is a
//! canonical scalar-field element.

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};

use crate::bytes::{u32_at, u64_at};

const N8: usize = 32;

/// Returns the witness values; `expected` is the proving key's variable count.
pub fn parse(bytes: &[u8], expected: usize) -> Result<Vec<Fr>, String> {
    if bytes.get(..4) != Some(b"wtns") {
        return Err("not a wtns file (magic is not \"wtns\")".into());
    }
    let version = u32_at(bytes, 4)?;
    if version != 2 {
        return Err(format!("wtns version {version}; only version 2 is read"));
    }
    if u32_at(bytes, 8)? != 2 {
        return Err("a wtns file has 2 sections".into());
    }
    // Section 1: n8, the prime, the number of values.
    if u32_at(bytes, 12)? != 1 || u64_at(bytes, 16)? != (4 + N8 + 4) as u64 {
        return Err("the first section is not the wtns header".into());
    }
    if u32_at(bytes, 24)? as usize != N8 {
        return Err("field elements are not 32 bytes".into());
    }
    let prime = bytes.get(28..28 + N8).ok_or("truncated header")?;
    if prime != Fr::MODULUS.to_bytes_le().as_slice() {
        return Err("the witness is not over BN254's scalar field".into());
    }
    let count = u32_at(bytes, 28 + N8)? as usize;
    if count != expected {
        return Err(format!("{count} values; the proving key needs {expected}"));
    }
    let data = 32 + N8;
    if u32_at(bytes, data)? != 2 || u64_at(bytes, data + 4)? != (count * N8) as u64 {
        return Err("the second section does not hold the declared values".into());
    }
    let values = bytes
        .get(data + 12..)
        .filter(|v| v.len() == count * N8)
        .ok_or("the values are truncated or followed by extra bytes")?;
    values
        .chunks_exact(N8)
        .enumerate()
        .map(|(i, chunk)| {
            let mut limbs = [0u64; 4];
            for (limb, word) in limbs.iter_mut().zip(chunk.chunks_exact(8)) {
                *limb = u64::from_le_bytes(word.try_into().expect("8 bytes"));
            }
            Fr::from_bigint(ark_ff::BigInt(limbs))
                .ok_or_else(|| format!("value {i} is not below the field modulus"))
        })
        .collect()
}
