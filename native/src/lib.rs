//! Cloak's Node.js addon (napi-rs): a Groth16 prover that reads the ceremony's snarkjs zkey and
//! proves from a witness computed in JavaScript, and circomlib-compatible Poseidon hashing.
//!
//! Every entry point reports failures as a JS `Error` whose message starts with `"<CODE>: "` (the
//! loader package turns that into a typed error with `.code`). A panic in an addon aborts the whole
//! Node process, so inputs are validated before they reach the libraries and every entry point
//! still runs under `catch_unwind`, turning anything missed into an `INTERNAL` error.

mod bytes;
mod fixed_base;
#[cfg(target_arch = "x86_64")]
mod ifma;
mod poseidon;
mod tables;
mod wtns;
mod zkey;

pub use poseidon::{poseidon_hash, poseidon_hash_batch};

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use ark_bn254::{Bn254, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::PrimeField;
use napi::bindgen_prelude::{AsyncTask, Uint8Array};
use napi::{Env, Error, Result, Status, Task};
use napi_derive::napi;
use tables::ProvingTables;
use taceo_circom_types::groth16::Zkey;
use taceo_circom_types::CheckElement;
use taceo_groth16::{CircomReduction, ConstraintMatrices, Groth16, ProvingKey as ArkProvingKey};

/// Error codes the loader exposes as `NativeError.code`.
pub(crate) mod code {
    pub const INVALID_ZKEY: &str = "INVALID_ZKEY";
    pub const INVALID_WITNESS: &str = "INVALID_WITNESS";
    pub const INVALID_INPUT: &str = "INVALID_INPUT";
    pub const PROOF_FAILED: &str = "PROOF_FAILED";
    pub const INTERNAL: &str = "INTERNAL";
}

pub(crate) fn coded(code: &str, message: impl std::fmt::Display) -> Error {
    Error::new(Status::GenericFailure, format!("{code}: {message}"))
}

/// Runs `f`, turning a panic into an `INTERNAL` error instead of unwinding into Node (which aborts).
pub(crate) fn guarded<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(coded(code::INTERNAL, format!("{what} panicked: {detail}")))
        }
    }
}

struct LoadedKey {
    matrices: ConstraintMatrices<Fr>,
    key: ArkProvingKey<Bn254>,
    n_public: usize,
    n_vars: usize,
    /// Fixed-base tables, once `buildTables` has made them; proofs use them from then on.
    tables: OnceLock<ProvingTables>,
}

fn load_key(bytes: &[u8]) -> Result<LoadedKey> {
    let layout = zkey::check_layout(bytes).map_err(|e| coded(code::INVALID_ZKEY, e))?;
    // CheckElement::No skips the on-curve and subgroup checks of ~70k points (seconds → tens of
    // ms). That is sound only because the SDK loads the zkey through `loadArtifacts`, which has
    // already matched its SHA-256 against the ceremony's SHA256SUMS; the layout check above still
    // bounds every length so a wrong file cannot make the parser allocate or index out of range.
    let parsed = Zkey::<Bn254>::from_reader(bytes, CheckElement::No)
        .map_err(|e| coded(code::INVALID_ZKEY, e))?;
    let (matrices, key): (ConstraintMatrices<Fr>, ArkProvingKey<Bn254>) = parsed.into();
    Ok(LoadedKey {
        matrices,
        key,
        n_public: layout.n_public,
        n_vars: layout.n_vars,
        tables: OnceLock::new(),
    })
}

/// A Groth16 proving key parsed from a snarkjs `.zkey`, kept in native memory between proofs.
#[napi]
pub struct ProvingKey {
    inner: Arc<LoadedKey>,
}

#[napi]
impl ProvingKey {
    /// Parses a zkey whose bytes the caller has already checked against the ceremony's SHA256SUMS.
    #[napi(factory)]
    pub fn from_zkey(zkey: Uint8Array) -> Result<ProvingKey> {
        guarded("loading the zkey", || {
            Ok(ProvingKey {
                inner: Arc::new(load_key(&zkey)?),
            })
        })
    }

    /// Number of public signals (without the leading constant 1).
    #[napi(getter)]
    pub fn n_public(&self) -> u32 {
        self.inner.n_public as u32
    }

    /// Number of witness elements a proof needs (the constant 1, public and private signals).
    #[napi(getter)]
    pub fn n_vars(&self) -> u32 {
        self.inner.n_vars as u32
    }

    /// Bytes held by the fixed-base tables (0 until `buildTables` has finished).
    #[napi(getter)]
    pub fn tables_bytes(&self) -> f64 {
        self.inner.tables.get().map_or(0, ProvingTables::size_bytes) as f64
    }

    /// Builds fixed-base tables of the key's five queries on the thread pool (seconds, tens of
    /// MiB); every later proof uses them and is faster. Building again returns at once.
    #[napi(ts_return_type = "Promise<TablesReport>")]
    pub fn build_tables(&self) -> AsyncTask<BuildTablesTask> {
        AsyncTask::new(BuildTablesTask {
            key: Arc::clone(&self.inner),
        })
    }

    /// Proves from a circom `.wtns` binary (as circom_runtime's `calculateWTNSBin` returns it) on
    /// libuv's thread pool, so the event loop stays free while the MSMs run.
    #[napi(ts_return_type = "Promise<NativeProof>")]
    pub fn prove(&self, wtns: Uint8Array) -> AsyncTask<ProveTask> {
        AsyncTask::new(ProveTask {
            key: Arc::clone(&self.inner),
            wtns: wtns.to_vec(),
        })
    }
}

/// A proof in snarkjs' JSON shape (affine coordinates as decimal strings) and its public signals.
#[napi(object)]
pub struct NativeProof {
    #[napi(js_name = "pi_a")]
    pub pi_a: Vec<String>,
    #[napi(js_name = "pi_b")]
    pub pi_b: Vec<Vec<String>>,
    #[napi(js_name = "pi_c")]
    pub pi_c: Vec<String>,
    pub public_signals: Vec<String>,
    /// Milliseconds spent reading the witness and in the Groth16 prover (witness map, FFTs, MSMs).
    pub witness_parse_ms: f64,
    pub prove_ms: f64,
    /// Whether the MSMs ran over the fixed-base tables.
    pub fixed_base: bool,
}

/// What building the fixed-base tables cost.
#[napi(object)]
pub struct TablesReport {
    pub build_ms: f64,
    pub bytes: f64,
    /// The G1 MSMs' field arithmetic: `"avx512-ifma"` where the CPU has it, else `"portable"`.
    pub arithmetic: String,
}

pub struct BuildTablesTask {
    key: Arc<LoadedKey>,
}

impl Task for BuildTablesTask {
    type Output = TablesReport;
    type JsValue = TablesReport;

    fn compute(&mut self) -> Result<Self::Output> {
        guarded("building the fixed-base tables", || {
            let started = Instant::now();
            if self.key.tables.get().is_none() {
                // CLOAK_NATIVE_IFMA=0 keeps the portable arithmetic on a CPU with IFMA.
                let arithmetic = match std::env::var("CLOAK_NATIVE_IFMA").as_deref() {
                    Ok("0") => tables::Arithmetic::Portable,
                    _ => tables::Arithmetic::Auto,
                };
                let built = ProvingTables::build(&self.key.key, tables::WINDOW_BITS, arithmetic)
                    .map_err(|e| coded(code::INVALID_ZKEY, e))?;
                // A build that ran beside this one may have won; either table is the same.
                let _ = self.key.tables.set(built);
            }
            let tables = self.key.tables.get().expect("the tables were just set");
            Ok(TablesReport {
                build_ms: started.elapsed().as_secs_f64() * 1e3,
                bytes: tables.size_bytes() as f64,
                arithmetic: if tables.uses_ifma() {
                    "avx512-ifma"
                } else {
                    "portable"
                }
                .to_owned(),
            })
        })
    }

    fn resolve(&mut self, _env: Env, out: Self::Output) -> Result<Self::JsValue> {
        Ok(out)
    }
}

pub struct ProveOutput {
    a: G1Affine,
    b: G2Affine,
    c: G1Affine,
    public_signals: Vec<Fr>,
    witness_parse_ms: f64,
    prove_ms: f64,
    fixed_base: bool,
}

pub struct ProveTask {
    key: Arc<LoadedKey>,
    wtns: Vec<u8>,
}

fn random_scalar() -> Result<Fr> {
    // 64 OS-random bytes reduced mod r: the bias is below 2^-250.
    let mut seed = [0u8; 64];
    getrandom::getrandom(&mut seed)
        .map_err(|e| coded(code::PROOF_FAILED, format!("no OS randomness: {e}")))?;
    Ok(Fr::from_le_bytes_mod_order(&seed))
}

fn prove(key: &LoadedKey, wtns: &[u8]) -> Result<ProveOutput> {
    let started = Instant::now();
    let witness = wtns::parse(wtns, key.n_vars).map_err(|e| coded(code::INVALID_WITNESS, e))?;
    let parsed = Instant::now();
    let (r, s) = (random_scalar()?, random_scalar()?);
    let fixed_base = key.tables.get();
    let proof = match fixed_base {
        Some(tables) => tables.prove(&key.key, &key.matrices, &witness, r, s),
        None => Groth16::<Bn254>::prove::<CircomReduction>(&key.key, r, s, &key.matrices, &witness)
            .map_err(|e| e.to_string()),
    }
    .map_err(|e| coded(code::PROOF_FAILED, e))?;
    let proved = Instant::now();
    Ok(ProveOutput {
        a: proof.a,
        b: proof.b,
        c: proof.c,
        fixed_base: fixed_base.is_some(),
        public_signals: witness[1..=key.n_public].to_vec(),
        witness_parse_ms: (parsed - started).as_secs_f64() * 1e3,
        prove_ms: (proved - parsed).as_secs_f64() * 1e3,
    })
}

fn g1_json(point: &G1Affine) -> Result<Vec<String>> {
    let (x, y) = point
        .xy()
        .ok_or_else(|| coded(code::PROOF_FAILED, "a proof point is at infinity"))?;
    Ok(vec![
        x.into_bigint().to_string(),
        y.into_bigint().to_string(),
    ])
}

fn g2_json(point: &G2Affine) -> Result<Vec<Vec<String>>> {
    let (x, y) = point
        .xy()
        .ok_or_else(|| coded(code::PROOF_FAILED, "a proof point is at infinity"))?;
    Ok(vec![
        vec![
            x.c0.into_bigint().to_string(),
            x.c1.into_bigint().to_string(),
        ],
        vec![
            y.c0.into_bigint().to_string(),
            y.c1.into_bigint().to_string(),
        ],
    ])
}

impl Task for ProveTask {
    type Output = ProveOutput;
    type JsValue = NativeProof;

    fn compute(&mut self) -> Result<Self::Output> {
        guarded("proving", || prove(&self.key, &self.wtns))
    }

    fn resolve(&mut self, _env: Env, out: Self::Output) -> Result<Self::JsValue> {
        Ok(NativeProof {
            pi_a: g1_json(&out.a)?,
            pi_b: g2_json(&out.b)?,
            pi_c: g1_json(&out.c)?,
            public_signals: out
                .public_signals
                .iter()
                .map(|s| s.into_bigint().to_string())
                .collect(),
            witness_parse_ms: out.witness_parse_ms,
            prove_ms: out.prove_ms,
            fixed_base: out.fixed_base,
        })
    }
}
