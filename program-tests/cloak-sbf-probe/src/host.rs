//! The host side: the built program (`npm run build:sbf`) loaded into LiteSVM 0.7.1's SBPF VM, one
//! transaction per step, with the step's outcome, return data and compute units.

extern crate std;

use std::path::PathBuf;
use std::string::String;
use std::vec::Vec;
use std::{format, vec};

use cloak_zk::tree::PoolTree;
use cloak_zk::verifier::{Proof, PublicInputs};
use cloak_zk::{CloakZkError, FieldBytes};
use litesvm::LiteSVM;
use solana_sdk::account::Account;
use solana_sdk::instruction::{AccountMeta, Instruction, InstructionError};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::{Transaction, TransactionError};

use crate::{error_code, Step};

/// Where `npm run build:sbf` leaves the program.
pub fn program_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/sbf-probe/deploy/cloak_sbf_probe.so")
}

/// One step's transaction as the VM ran it.
#[derive(Debug)]
pub struct Run {
    /// The step's return data, or the transaction's error.
    pub result: Result<Vec<u8>, TransactionError>,
    pub compute_units: u64,
    pub logs: Vec<String>,
}

impl Run {
    /// The return data of a step that must succeed.
    pub fn output(&self) -> &[u8] {
        match &self.result {
            Ok(data) => data,
            Err(error) => panic!("probe step failed: {error:?}\n{}", self.logs.join("\n")),
        }
    }

    /// The return data as one field element.
    pub fn field(&self) -> FieldBytes {
        self.output().try_into().expect("a 32-byte return value")
    }
}

/// LiteSVM with the probe loaded and a funded payer.
pub struct Probe {
    svm: LiteSVM,
    payer: Keypair,
    pub program_id: Pubkey,
    /// The zero-copy tree account [`Step::InsertPair`] works on.
    pub tree: Pubkey,
}

impl Probe {
    /// Loads the built program; panics, naming the command, if it has not been built.
    pub fn load() -> Self {
        let path = program_path();
        let program = std::fs::read(&path)
            .unwrap_or_else(|error| panic!("{}: {error}; build it with `npm run build:sbf`", path.display()));
        Self::with_program(&program)
    }

    pub fn with_program(program: &[u8]) -> Self {
        // No transaction history: the tests repeat identical transactions, which would otherwise be
        // refused as already processed.
        let mut svm = LiteSVM::new().with_transaction_history(0);
        let program_id = Pubkey::new_unique();
        svm.add_program(program_id, program).expect("LiteSVM loads the probe");
        let payer = Keypair::new();
        svm.airdrop(&payer.pubkey(), 10_000_000_000).expect("airdrop");
        let mut probe = Self { svm, payer, program_id, tree: Pubkey::new_unique() };
        probe.set_tree(&PoolTree::new());
        probe
    }

    /// Overwrites the tree account with `tree`, as the program would find it in account data.
    pub fn set_tree(&mut self, tree: &PoolTree) {
        let data = bytemuck::bytes_of(tree).to_vec();
        let lamports = self.svm.minimum_balance_for_rent_exemption(data.len());
        let account = Account { lamports, data, owner: self.program_id, executable: false, rent_epoch: 0 };
        self.svm.set_account(self.tree, account).expect("tree account");
    }

    /// The tree account's contents.
    pub fn tree(&self) -> PoolTree {
        let account = self.svm.get_account(&self.tree).expect("tree account exists");
        bytemuck::pod_read_unaligned(&account.data[..core::mem::size_of::<PoolTree>()])
    }

    /// Runs `step` with `args` (and the tree account when it is [`Step::InsertPair`]).
    pub fn run(&mut self, step: Step, args: &[u8]) -> Run {
        let accounts = match step {
            Step::InsertPair => vec![AccountMeta::new(self.tree, false)],
            _ => vec![],
        };
        let data = [&[step as u8][..], args].concat();
        let instruction = Instruction { program_id: self.program_id, accounts, data };
        let transaction = Transaction::new_signed_with_payer(
            &[instruction],
            Some(&self.payer.pubkey()),
            &[&self.payer],
            self.svm.latest_blockhash(),
        );
        match self.svm.send_transaction(transaction) {
            Ok(meta) => Run { result: Ok(meta.return_data.data), compute_units: meta.compute_units_consumed, logs: meta.logs },
            Err(failed) => Run {
                result: Err(failed.err),
                compute_units: failed.meta.compute_units_consumed,
                logs: failed.meta.logs,
            },
        }
    }

    pub fn poseidon(&mut self, left: &FieldBytes, right: &FieldBytes) -> Run {
        self.run(Step::Poseidon, &[&left[..], right].concat())
    }

    pub fn insert_pair(&mut self, leaf1: &FieldBytes, leaf2: &FieldBytes) -> Run {
        self.run(Step::InsertPair, &[&leaf1[..], leaf2].concat())
    }

    pub fn verify_proof(&mut self, proof: &Proof, public_inputs: &PublicInputs) -> Run {
        let mut args = proof.to_bytes().to_vec();
        args.extend(public_inputs.iter().flatten());
        self.run(Step::VerifyProof, &args)
    }

    /// SHA-256 over `preimage`'s slices, reduced mod p: shield-pool's ext_data hash.
    pub fn ext_data_hash(&mut self, preimage: &[&[u8]]) -> Run {
        let mut args = Vec::new();
        for slice in preimage {
            args.extend((slice.len() as u16).to_le_bytes());
            args.extend(*slice);
        }
        self.run(Step::ExtDataHash, &args)
    }

    pub fn public_amount(&mut self, ext_amount: i64, fee: u64) -> Run {
        self.run(Step::PublicAmount, &[ext_amount.to_le_bytes(), fee.to_le_bytes()].concat())
    }

    /// Asserts `run` was refused by this program with `expected`'s code: the exact custom error and
    /// the program that raised it.
    pub fn assert_refused(&self, run: &Run, expected: CloakZkError) {
        let code = error_code(expected);
        assert_eq!(
            run.result,
            Err(TransactionError::InstructionError(0, InstructionError::Custom(code))),
            "expected {expected:?}; logs:\n{}",
            run.logs.join("\n")
        );
        let failure = format!("Program {} failed: custom program error: {code:#x}", self.program_id);
        assert!(run.logs.contains(&failure), "no `{failure}` in the logs:\n{}", run.logs.join("\n"));
    }
}
