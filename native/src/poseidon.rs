//! circomlib-compatible Poseidon over BN254 (light-poseidon's circom parameters), one hash from
//! JS bigints or many from one buffer of 32-byte big-endian field elements.

use std::cell::RefCell;

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};
use light_poseidon::{Poseidon, PoseidonHasher};
use napi::bindgen_prelude::{BigInt, Buffer, Uint8Array};
use napi::Result;
use napi_derive::napi;
use rayon::prelude::*;

use crate::{code, coded, guarded};

/// circomlib's Poseidon takes 1 to 16 inputs; light-poseidon's circom parameters go to 12.
const MAX_INPUTS: usize = 12;
/// Below this many hashes a batch runs on the calling thread; rayon's hand-off costs more.
const PARALLEL_FROM: usize = 256;

thread_local! {
    // Building the round constants costs more than a hash, so each thread keeps one per arity.
    static HASHERS: RefCell<Vec<Option<Poseidon<Fr>>>> = RefCell::new((0..=MAX_INPUTS).map(|_| None).collect());
}

fn check_arity(arity: usize) -> Result<()> {
    if arity == 0 || arity > MAX_INPUTS {
        return Err(coded(
            code::INVALID_INPUT,
            format!("poseidon takes 1 to {MAX_INPUTS} inputs, got {arity}"),
        ));
    }
    Ok(())
}

fn hash(inputs: &[Fr]) -> Result<Fr> {
    HASHERS.with(|cell| {
        let mut hashers = cell.borrow_mut();
        let slot = &mut hashers[inputs.len()];
        if slot.is_none() {
            *slot = Some(
                Poseidon::<Fr>::new_circom(inputs.len())
                    .map_err(|e| coded(code::INVALID_INPUT, e))?,
            );
        }
        slot.as_mut()
            .expect("just set")
            .hash(inputs)
            .map_err(|e| coded(code::INVALID_INPUT, e))
    })
}

fn from_bigint(value: &BigInt, index: usize) -> Result<Fr> {
    let words: Vec<u64> = value
        .words
        .iter()
        .rev()
        .skip_while(|w| **w == 0)
        .copied()
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if value.sign_bit && !words.is_empty() || words.len() > 4 {
        return Err(coded(
            code::INVALID_INPUT,
            format!("input {index} is not a field element"),
        ));
    }
    let mut limbs = [0u64; 4];
    limbs[..words.len()].copy_from_slice(&words);
    Fr::from_bigint(ark_ff::BigInt(limbs)).ok_or_else(|| {
        coded(
            code::INVALID_INPUT,
            format!("input {index} is not below the field modulus"),
        )
    })
}

fn from_be(bytes: &[u8], index: usize) -> Result<Fr> {
    let mut limbs = [0u64; 4];
    for (i, limb) in limbs.iter_mut().enumerate() {
        let word = &bytes[32 - 8 * (i + 1)..32 - 8 * i];
        *limb = u64::from_be_bytes(word.try_into().expect("8 bytes"));
    }
    Fr::from_bigint(ark_ff::BigInt(limbs)).ok_or_else(|| {
        coded(
            code::INVALID_INPUT,
            format!("element {index} is not below the field modulus"),
        )
    })
}

/// Poseidon of 1–12 field elements (each in [0, p)), as circomlibjs' `poseidon(inputs)`.
#[napi]
pub fn poseidon_hash(inputs: Vec<BigInt>) -> Result<BigInt> {
    guarded("poseidon", || {
        check_arity(inputs.len())?;
        let elements = inputs
            .iter()
            .enumerate()
            .map(|(i, v)| from_bigint(v, i))
            .collect::<Result<Vec<_>>>()?;
        let out = hash(&elements)?;
        Ok(BigInt {
            sign_bit: false,
            words: out.into_bigint().0.to_vec(),
        })
    })
}

/// Hashes `inputs.length / (32 * arity)` tuples of `arity` 32-byte big-endian field elements and
/// returns the hashes, 32 bytes big-endian each, in order. Large batches use every core.
#[napi]
pub fn poseidon_hash_batch(arity: u32, inputs: Uint8Array) -> Result<Buffer> {
    guarded("poseidon batch", || {
        let arity = arity as usize;
        check_arity(arity)?;
        let tuple = 32 * arity;
        if inputs.len() % tuple != 0 {
            return Err(coded(
                code::INVALID_INPUT,
                format!(
                    "{} bytes is not a whole number of {arity}-element tuples",
                    inputs.len()
                ),
            ));
        }
        let hash_tuple = |(t, chunk): (usize, &[u8])| -> Result<[u8; 32]> {
            let elements = chunk
                .chunks_exact(32)
                .enumerate()
                .map(|(i, e)| from_be(e, t * arity + i))
                .collect::<Result<Vec<_>>>()?;
            let be = hash(&elements)?.into_bigint().to_bytes_be();
            Ok(be.try_into().expect("32 bytes"))
        };
        let hashes: Vec<[u8; 32]> = if inputs.len() / tuple >= PARALLEL_FROM {
            inputs
                .par_chunks_exact(tuple)
                .enumerate()
                .map(hash_tuple)
                .collect::<Result<_>>()?
        } else {
            inputs
                .chunks_exact(tuple)
                .enumerate()
                .map(hash_tuple)
                .collect::<Result<_>>()?
        };
        Ok(Buffer::from(hashes.concat()))
    })
}
