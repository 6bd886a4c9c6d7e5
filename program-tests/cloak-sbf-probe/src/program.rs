//! The SBPF entrypoint: each step parses its arguments and makes the call shield-pool's `transact`
//! makes, nothing more, so its compute units are that call's (plus the entrypoint's, [`Step::Baseline`]).

use cloak_zk::field::{reduce_mod_p, signed_to_field};
use cloak_zk::poseidon::poseidon2;
use cloak_zk::tree::PoolTree;
use cloak_zk::verifier::{verify_transaction_proof, Proof, PublicInputs, PROOF_BYTES};
use cloak_zk::{CloakZkError, FieldBytes};
use pinocchio::error::ProgramError;
use pinocchio::syscalls::{sol_set_return_data, sol_sha256};
use pinocchio::{AccountView, Address, ProgramResult};

use crate::{error_code, Step, MAX_PREIMAGE_SLICES};

// Referenced so the linker sees Solana's intrinsics among its inputs (sbpf-linker's documented way).
use solana_compiler_builtins as _;

pinocchio::program_entrypoint!(process_instruction);
// groth16-solana links `alloc` through pinocchio, so a global allocator must exist; nothing here
// allocates.
pinocchio::default_allocator!();
pinocchio::nostd_panic_handler!();

fn process_instruction(_program_id: &Address, accounts: &[AccountView], data: &[u8]) -> ProgramResult {
    let (&tag, args) = data.split_first().ok_or(ProgramError::InvalidInstructionData)?;
    match Step::from_tag(tag).ok_or(ProgramError::InvalidInstructionData)? {
        Step::Baseline => Ok(()),
        Step::Poseidon => poseidon(args),
        Step::InsertPair => insert_pair(accounts, args),
        Step::VerifyProof => verify_proof(args),
        Step::ExtDataHash => ext_data_hash(args),
        Step::PublicAmount => public_amount(args),
    }
}

fn refused(error: CloakZkError) -> ProgramError {
    ProgramError::Custom(error_code(error))
}

fn set_return_data(data: &[u8]) {
    // SAFETY: the syscall copies `data.len()` bytes from a live slice.
    unsafe { sol_set_return_data(data.as_ptr(), data.len() as u64) }
}

fn array<const N: usize>(bytes: &[u8]) -> Result<[u8; N], ProgramError> {
    bytes.try_into().map_err(|_| ProgramError::InvalidInstructionData)
}

fn field_pair(args: &[u8]) -> Result<(FieldBytes, FieldBytes), ProgramError> {
    let pair: [u8; 64] = array(args)?;
    Ok((array(&pair[..32])?, array(&pair[32..])?))
}

fn poseidon(args: &[u8]) -> ProgramResult {
    let (left, right) = field_pair(args)?;
    set_return_data(&poseidon2(&left, &right).map_err(refused)?);
    Ok(())
}

fn insert_pair(accounts: &[AccountView], args: &[u8]) -> ProgramResult {
    let (leaf1, leaf2) = field_pair(args)?;
    let account = accounts.first().ok_or(ProgramError::NotEnoughAccountKeys)?;
    let mut data = account.try_borrow_mut()?;
    let tree_bytes = data
        .get_mut(..core::mem::size_of::<PoolTree>())
        .ok_or(ProgramError::AccountDataTooSmall)?;
    // In place, as shield-pool's zero-copy tree account: the 131 KB tree never moves.
    let tree: &mut PoolTree = bytemuck::try_from_bytes_mut(tree_bytes).map_err(|_| ProgramError::InvalidAccountData)?;
    let inserted = tree.insert(&leaf1, &leaf2).map_err(refused)?;
    let mut output = [0u8; 48];
    output[..32].copy_from_slice(&tree.root());
    output[32..40].copy_from_slice(&inserted.tree_number.to_le_bytes());
    output[40..].copy_from_slice(&inserted.first_index.to_le_bytes());
    set_return_data(&output);
    Ok(())
}

fn verify_proof(args: &[u8]) -> ProgramResult {
    if args.len() != PROOF_BYTES + 32 * 7 {
        return Err(ProgramError::InvalidInstructionData);
    }
    let proof = Proof::from_bytes(&array(&args[..PROOF_BYTES])?);
    let mut public_inputs: PublicInputs = [[0u8; 32]; 7];
    for (input, bytes) in public_inputs.iter_mut().zip(args[PROOF_BYTES..].chunks_exact(32)) {
        *input = array(bytes)?;
    }
    verify_transaction_proof(&proof, &public_inputs).map_err(refused)
}

fn ext_data_hash(mut args: &[u8]) -> ProgramResult {
    let mut slices: [&[u8]; MAX_PREIMAGE_SLICES] = [&[]; MAX_PREIMAGE_SLICES];
    let mut count = 0;
    while !args.is_empty() {
        let length = u16::from_le_bytes(array(args.get(..2).ok_or(ProgramError::InvalidInstructionData)?)?) as usize;
        let slice = args.get(2..2 + length).ok_or(ProgramError::InvalidInstructionData)?;
        *slices.get_mut(count).ok_or(ProgramError::InvalidInstructionData)? = slice;
        count += 1;
        args = &args[2 + length..];
    }
    let mut digest = [0u8; 32];
    // SAFETY: a slice of `&[u8]` is the (pointer, length) array the syscall reads, as in
    // solana-sha256-hasher, which shield-pool calls; `digest` has the 32 bytes it writes.
    let status = unsafe { sol_sha256(slices.as_ptr() as *const u8, count as u64, digest.as_mut_ptr()) };
    if status != 0 {
        return Err(ProgramError::InvalidArgument);
    }
    set_return_data(&reduce_mod_p(digest));
    Ok(())
}

fn public_amount(args: &[u8]) -> ProgramResult {
    let amounts: [u8; 16] = array(args)?;
    let ext_amount = i64::from_le_bytes(array(&amounts[..8])?);
    let fee = u64::from_le_bytes(array(&amounts[8..])?);
    // shield-pool's transact: the net amount the proof must commit to.
    set_return_data(&signed_to_field(ext_amount as i128 - fee as i128));
    Ok(())
}
