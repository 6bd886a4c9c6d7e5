//! Creating a PDA so that nobody can block it by sending lamports to its address first.

use anchor_lang::prelude::*;
use anchor_lang::system_program::{allocate, assign, create_account, transfer, Allocate, Assign, CreateAccount, Transfer};

/// Creates the PDA `target` (signed for by `seeds`) with `space` bytes, owned by `owner`, rent paid by
/// `payer`. The system program's `create_account` refuses an address that holds lamports, and anyone
/// can send lamports to a derivable address; so, as Anchor's `init` does, an address that already holds
/// some is topped up to rent exemption, allocated and assigned instead.
pub fn create_pda_account<'info>(
    payer: &AccountInfo<'info>,
    target: &AccountInfo<'info>,
    system_program: &AccountInfo<'info>,
    space: usize,
    owner: &Pubkey,
    seeds: &[&[u8]],
) -> Result<()> {
    let rent_exempt = Rent::get()?.minimum_balance(space);
    let signer = &[seeds];
    let current = target.lamports();
    if current == 0 {
        return create_account(
            CpiContext::new_with_signer(
                system_program.clone(),
                CreateAccount { from: payer.clone(), to: target.clone() },
                signer,
            ),
            rent_exempt,
            space as u64,
            owner,
        );
    }
    top_up_to_rent(payer, target, system_program, space)?;
    allocate(
        CpiContext::new_with_signer(system_program.clone(), Allocate { account_to_allocate: target.clone() }, signer),
        space as u64,
    )?;
    assign(
        CpiContext::new_with_signer(system_program.clone(), Assign { account_to_assign: target.clone() }, signer),
        owner,
    )
}

/// Moves lamports from `payer` so `account` stays rent-exempt at `new_space` bytes, then resizes it
/// (an account the program owns; at most `MAX_ACCOUNT_GROWTH` bytes more per instruction).
pub fn grow_account<'info>(
    payer: &AccountInfo<'info>,
    account: &AccountInfo<'info>,
    system_program: &AccountInfo<'info>,
    new_space: usize,
) -> Result<()> {
    top_up_to_rent(payer, account, system_program, new_space)?;
    account.resize(new_space)?;
    Ok(())
}

/// Moves from `payer` whatever `account` lacks to be rent-exempt at `space` bytes; nothing if it
/// already is (a prefunded address keeps its surplus).
pub fn top_up_to_rent<'info>(
    payer: &AccountInfo<'info>,
    account: &AccountInfo<'info>,
    system_program: &AccountInfo<'info>,
    space: usize,
) -> Result<()> {
    let missing = Rent::get()?.minimum_balance(space).saturating_sub(account.lamports());
    if missing > 0 {
        transfer(
            CpiContext::new(system_program.clone(), Transfer { from: payer.clone(), to: account.clone() }),
            missing,
        )?;
    }
    Ok(())
}
