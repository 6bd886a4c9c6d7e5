//! Stand-in for `solana-invoke` 0.4 (patched in by the workspace `Cargo.toml`). The original calls the
//! `sol_invoke_signed_rust` syscall directly and, off-chain, panics. On-chain this makes the same
//! syscall through solana-cpi; on the host it goes through the syscall stubs that solana-program-test
//! installs, exactly as `solana_program::program::invoke_signed` does. (solana-cpi alone is no help
//! on the host: there its invoke is a silent no-op.)
#![no_std]

use solana_account_info::AccountInfo;
use solana_instruction::Instruction;
use solana_program_entrypoint::ProgramResult;

pub fn invoke(instruction: &Instruction, account_infos: &[AccountInfo]) -> ProgramResult {
    invoke_signed(instruction, account_infos, &[])
}

pub fn invoke_unchecked(instruction: &Instruction, account_infos: &[AccountInfo]) -> ProgramResult {
    invoke_signed_unchecked(instruction, account_infos, &[])
}

pub fn invoke_signed(
    instruction: &Instruction,
    account_infos: &[AccountInfo],
    signers_seeds: &[&[&[u8]]],
) -> ProgramResult {
    // The RefCell check the original makes: a callee must not write an account the caller still borrows.
    for meta in instruction.accounts.iter() {
        if let Some(info) = account_infos.iter().find(|info| *info.key == meta.pubkey) {
            if meta.is_writable {
                let _ = info.try_borrow_mut_lamports()?;
                let _ = info.try_borrow_mut_data()?;
            } else {
                let _ = info.try_borrow_lamports()?;
                let _ = info.try_borrow_data()?;
            }
        }
    }
    invoke_signed_unchecked(instruction, account_infos, signers_seeds)
}

pub fn invoke_signed_unchecked(
    instruction: &Instruction,
    account_infos: &[AccountInfo],
    signers_seeds: &[&[&[u8]]],
) -> ProgramResult {
    #[cfg(target_os = "solana")]
    {
        solana_cpi::invoke_signed_unchecked(instruction, account_infos, signers_seeds)
    }
    #[cfg(not(target_os = "solana"))]
    {
        solana_sysvar::program_stubs::sol_invoke_signed(instruction, account_infos, signers_seeds)
    }
}
