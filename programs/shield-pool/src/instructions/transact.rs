use anchor_lang::prelude::*;
use anchor_lang::system_program;
use anchor_spl::token::{self, Token, TokenAccount};
use cloak_zk::field::signed_to_field;
use cloak_zk::verifier::{verify_transaction_proof_with_key, Proof};
use cloak_zk::tree::Inserted;
use cloak_zk::CloakZkError;
use scramble_registry::program::ScrambleRegistry;
use scramble_registry::state::{Claim, Registry};

use crate::constants::{
    BPS_DENOMINATOR, CONFIG_SEED, MAX_MINER_FEE_SHARE_BPS, NULLIFIER_SEED, POOL_SEED, VAULT_SEED,
};
use crate::pda_account::{create_pda_account, grow_account};
use crate::errors::ShieldPoolError;
use crate::events::Transacted;
use crate::ext_data::{ExtData, TransactPublicInputs};
use crate::state::{CommitmentTree, Config, NullifierRecord, Pool};

/// `#[event_cpi]` adds the event authority and program accounts: `Transacted` is emitted by a
/// self-CPI, so it sits in the transaction's inner instructions, which unlike logs are never
/// truncated. Indexers and wallets depend on every one of these events.
#[event_cpi]
#[derive(Accounts)]
#[instruction(proof: [u8; 256], public_inputs: TransactPublicInputs)]
pub struct Transact<'info> {
    pub config: AccountLoader<'info, Config>,
    #[account(has_one = tree, has_one = vault)]
    pub pool: Box<Account<'info, Pool>>,
    #[account(mut)]
    pub tree: AccountLoader<'info, CommitmentTree>,
    /// CHECK: spends the first input: the handler refuses it if it is already a nullifier record
    /// (`NullifierAlreadySpent`), else creates the record here.
    #[account(
        mut,
        seeds = [NULLIFIER_SEED, pool.key().as_ref(), public_inputs.input_nullifiers[0].as_ref()],
        bump
    )]
    pub nullifier0: UncheckedAccount<'info>,
    /// CHECK: as `nullifier0`, for the second input.
    #[account(
        mut,
        seeds = [NULLIFIER_SEED, pool.key().as_ref(), public_inputs.input_nullifiers[1].as_ref()],
        bump
    )]
    pub nullifier1: UncheckedAccount<'info>,
    /// CHECK: the pool's vault (`has_one`); SOL pools move lamports by system CPI, token pools by
    /// token CPI, each of which checks the account.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// The depositor for deposits, otherwise whoever submits (a relayer, or the user); pays the
    /// nullifier accounts' rent. When `fee > 0` it must be `ext_data.relayer`: whoever collects a fee
    /// signs for it, so nobody can replay a pending relayed transaction with its own PoW claim.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// CHECK: withdrawals only; must be `ext_data.recipient` (checked in the handler).
    #[account(mut)]
    pub recipient: Option<UncheckedAccount<'info>>,
    /// CHECK: when `fee > 0`: `ext_data.relayer` itself (SOL) or a token account it owns (checked).
    #[account(mut)]
    pub relayer_fee_account: Option<UncheckedAccount<'info>>,
    /// Token deposits only: the payer's token account the deposit comes from.
    #[account(mut)]
    pub depositor_token_account: Option<Box<Account<'info, TokenAccount>>>,
    pub token_program: Option<Program<'info, Token>>,
    pub system_program: Program<'info, System>,
    /// The PoW gate's accounts, needed for every transact with a fee when the config requires PoW.
    pub scramble_registry_program: Option<Program<'info, ScrambleRegistry>>,
    /// CHECK: owner and type are checked in the handler; the registry CPI checks the rest.
    #[account(mut)]
    pub pow_registry: Option<UncheckedAccount<'info>>,
    /// CHECK: as `pow_registry`.
    #[account(mut)]
    pub pow_claim: Option<UncheckedAccount<'info>>,
    /// CHECK: the claim's `Miner` account; the registry CPI checks it.
    #[account(mut)]
    pub pow_miner: Option<UncheckedAccount<'info>>,
    /// CHECK: the claim's miner (SOL) or a token account it owns (checked); receives the miner's share.
    #[account(mut)]
    pub miner_fee_account: Option<UncheckedAccount<'info>>,
}

/// What a consumed PoW claim contributes: who gets the miner's share, and how much.
struct PowPayout<'a, 'info> {
    claim: Pubkey,
    destination: &'a UncheckedAccount<'info>,
    amount: u64,
}

/// Deposit (`ext_amount > 0`), shielded transfer (`0`) or withdrawal (`< 0`), with the same checks
/// as the EVM pool: not paused, limits, unspent nullifiers, the root at the position the client names,
/// the proof over the public amount and ext_data hash computed from `ext_data`, a fee only to a
/// registered relayer that signs. Nullifiers are spent by creating their records, commitments go into
/// the tree (a full tree is retired and its final root kept), then funds move and one event records it.
pub fn handle_transact(
    ctx: Context<Transact>,
    proof: [u8; 256],
    public_inputs: TransactPublicInputs,
    ext_data: ExtData,
) -> Result<()> {
    let pool_key = ctx.accounts.pool.key();
    let pool = &ctx.accounts.pool;
    let pow_gated;
    {
        let config = ctx.accounts.config.load()?;
        require!(!config.is_paused(), ShieldPoolError::Paused);
        check_limits(pool, &ext_data)?;
        // Computed here, never taken from the caller: the proof verifies only if it committed to
        // exactly this ext_data and this net amount.
        let public_amount = signed_to_field(ext_data.ext_amount as i128 - ext_data.fee as i128);
        let ext_data_hash = ext_data.hash(ctx.program_id, &pool_key);
        require!(
            public_inputs.input_nullifiers[0] != public_inputs.input_nullifiers[1],
            ShieldPoolError::DuplicateNullifier
        );
        for nullifier in [&ctx.accounts.nullifier0, &ctx.accounts.nullifier1] {
            require!(!is_spent(nullifier, ctx.program_id), ShieldPoolError::NullifierAlreadySpent);
        }
        check_root(&ctx.accounts.tree, &public_inputs)?;
        verify_transaction_proof_with_key(
            &Proof::from_bytes(&proof),
            &public_inputs.to_array(public_amount, ext_data_hash),
            &config.verifying_key.as_key(),
        )
        .map_err(|error| match error {
            CloakZkError::NotAFieldElement => ShieldPoolError::NotAFieldElement,
            _ => ShieldPoolError::InvalidProof,
        })?;
        if ext_data.fee > 0 {
            require!(
                config.is_relayer(&ext_data.relayer),
                ShieldPoolError::RelayerNotRegistered
            );
            require_keys_eq!(
                ctx.accounts.payer.key(),
                ext_data.relayer,
                ShieldPoolError::RelayerNotSigner
            );
        }
        // Every fee is gated, not only a withdrawal's: a relayer could otherwise be paid through a
        // transfer or deposit with a fee and skip the miners.
        pow_gated = config.requires_pow() && ext_data.fee > 0;
    }

    // Effects: spend the nullifiers and append the outputs before any funds move.
    let accounts = &ctx.accounts;
    spend_nullifier(accounts, &accounts.nullifier0, ctx.bumps.nullifier0, &public_inputs.input_nullifiers[0])?;
    spend_nullifier(accounts, &accounts.nullifier1, ctx.bumps.nullifier1, &public_inputs.input_nullifiers[1])?;
    let (inserted, new_root) = insert_outputs(accounts, &public_inputs)?;

    // Interactions.
    let pow = if pow_gated {
        Some(consume_pow_claim(accounts, &public_inputs, ext_data.fee)?)
    } else {
        None
    };
    if ext_data.ext_amount > 0 {
        deposit(accounts, ext_data.ext_amount as u64)?;
    } else if ext_data.ext_amount < 0 {
        let recipient = accounts
            .recipient
            .as_ref()
            .filter(|recipient| recipient.key() == ext_data.recipient)
            .ok_or(ShieldPoolError::RecipientMismatch)?;
        pay_out(accounts, recipient, ext_data.ext_amount.unsigned_abs())?;
    }
    let miner_fee = pow.as_ref().map_or(0, |pow| pow.amount);
    if ext_data.fee > 0 {
        let relayer_account = accounts
            .relayer_fee_account
            .as_ref()
            .ok_or(ShieldPoolError::RelayerAccountMismatch)?;
        require!(
            destination_belongs_to(pool, relayer_account, &ext_data.relayer)?,
            ShieldPoolError::RelayerAccountMismatch
        );
        let relayer_fee = ext_data
            .fee
            .checked_sub(miner_fee)
            .ok_or(ShieldPoolError::MinerFeeExceedsFee)?;
        pay_out(accounts, relayer_account, relayer_fee)?;
        if let Some(pow) = &pow {
            if pow.amount > 0 {
                pay_out(accounts, pow.destination, pow.amount)?;
            }
        }
    }

    emit_cpi!(Transacted {
        pool: pool_key,
        input_nullifiers: public_inputs.input_nullifiers,
        output_commitments: public_inputs.output_commitments,
        first_leaf_index: inserted.first_index,
        encrypted_outputs: [ext_data.encrypted_output1, ext_data.encrypted_output2],
        new_root,
        ext_amount: ext_data.ext_amount,
        fee: ext_data.fee,
        relayer: ext_data.relayer,
        pow_claim: pow.as_ref().map(|pow| pow.claim),
        miner_fee,
        tree_number: inserted.tree_number,
        retired_root: inserted.retired_root,
    });
    Ok(())
}

/// Whether the nullifier's PDA already holds a record: the program owns it only once it was spent.
fn is_spent(nullifier: &UncheckedAccount, program_id: &Pubkey) -> bool {
    nullifier.owner == program_id
}

/// The proof's root must be where the client says: a slot of the ring of recent roots, or a retired
/// tree's final root. One comparison either way, so the ring can be long.
fn check_root(tree: &AccountLoader<CommitmentTree>, public_inputs: &TransactPublicInputs) -> Result<()> {
    let info = tree.as_ref();
    require!(info.data_len() >= CommitmentTree::SPACE, ShieldPoolError::TreeNotReady);
    let data = info.try_borrow_data()?;
    let known = tree.load()?.is_known_root(&data, &public_inputs.root, public_inputs.root_index);
    require!(known, ShieldPoolError::UnknownRoot);
    Ok(())
}

/// Creates the nullifier's record (a pre-funded address still works), the spend itself.
fn spend_nullifier<'info>(
    accounts: &Transact<'info>,
    record: &UncheckedAccount<'info>,
    bump: u8,
    nullifier: &[u8; 32],
) -> Result<()> {
    let pool_key = accounts.pool.key();
    let seeds: &[&[u8]] = &[NULLIFIER_SEED, pool_key.as_ref(), nullifier, &[bump]];
    create_pda_account(
        &accounts.payer.to_account_info(),
        &record.to_account_info(),
        &accounts.system_program.to_account_info(),
        8 + NullifierRecord::INIT_SPACE,
        &crate::ID,
        seeds,
    )?;
    let mut data = record.try_borrow_mut_data()?;
    NullifierRecord { pool: pool_key }.try_serialize(&mut &mut data[..])
}

/// Appends the two outputs. When the pair opens a fresh tree, the account grows by 32 bytes (rent
/// from the payer) to keep the retired tree's final root for good.
fn insert_outputs(accounts: &Transact<'_>, public_inputs: &TransactPublicInputs) -> Result<(Inserted, [u8; 32])> {
    let (inserted, new_root) = {
        let mut tree = accounts.tree.load_mut()?;
        let merkle = tree.merkle_mut();
        let inserted = merkle
            .insert(
                &public_inputs.output_commitments[0],
                &public_inputs.output_commitments[1],
            )
            .map_err(|error| match error {
                CloakZkError::TreeFull => ShieldPoolError::TreeFull,
                _ => ShieldPoolError::NotAFieldElement,
            })?;
        (inserted, merkle.root())
    };
    if let Some(retired_root) = inserted.retired_root {
        let retired = inserted.tree_number - 1;
        let info = accounts.tree.to_account_info();
        grow_account(
            &accounts.payer.to_account_info(),
            &info,
            &accounts.system_program.to_account_info(),
            CommitmentTree::space_with_retired_roots(retired + 1),
        )?;
        let offset = CommitmentTree::retired_root_offset(retired);
        info.try_borrow_mut_data()?[offset..offset + 32].copy_from_slice(&retired_root);
    }
    Ok((inserted, new_root))
}

fn check_limits(pool: &Pool, ext_data: &ExtData) -> Result<()> {
    // i64::MIN has no positive counterpart; refusing it keeps every amount's magnitude an i64.
    require!(ext_data.ext_amount != i64::MIN, ShieldPoolError::InvalidExtAmount);
    if ext_data.ext_amount > 0 {
        require!(
            ext_data.ext_amount as u64 <= pool.max_deposit,
            ShieldPoolError::DepositLimitExceeded
        );
    }
    require!(ext_data.fee <= pool.max_fee, ShieldPoolError::FeeLimitExceeded);
    Ok(())
}

/// Whether `account` may receive funds meant for `owner`: the owner itself in a SOL pool, a token
/// account of the pool's mint that `owner` owns in a token pool.
fn destination_belongs_to(pool: &Pool, account: &UncheckedAccount, owner: &Pubkey) -> Result<bool> {
    if pool.is_native() {
        return Ok(account.key() == *owner);
    }
    let data = account.try_borrow_data()?;
    let token_account = TokenAccount::try_deserialize(&mut &data[..])?;
    Ok(token_account.owner == *owner && token_account.mint == pool.mint)
}

fn deposit(accounts: &Transact<'_>, amount: u64) -> Result<()> {
    if accounts.pool.is_native() {
        return system_program::transfer(
            CpiContext::new(
                accounts.system_program.to_account_info(),
                system_program::Transfer {
                    from: accounts.payer.to_account_info(),
                    to: accounts.vault.to_account_info(),
                },
            ),
            amount,
        );
    }
    let token_program = accounts
        .token_program
        .as_ref()
        .ok_or(ShieldPoolError::MissingTokenProgram)?;
    let source = accounts
        .depositor_token_account
        .as_ref()
        .ok_or(ShieldPoolError::MissingDepositorTokenAccount)?;
    token::transfer(
        CpiContext::new(
            token_program.to_account_info(),
            token::Transfer {
                from: source.to_account_info(),
                to: accounts.vault.to_account_info(),
                authority: accounts.payer.to_account_info(),
            },
        ),
        amount,
    )
}

/// Moves `amount` out of the vault: the SOL vault signs with its own seeds, a token vault with the
/// pool's (its authority).
fn pay_out<'info>(accounts: &Transact<'info>, destination: &UncheckedAccount<'info>, amount: u64) -> Result<()> {
    let pool = &accounts.pool;
    let pool_key = pool.key();
    if pool.is_native() {
        let vault_seeds: &[&[u8]] = &[VAULT_SEED, pool_key.as_ref(), &[pool.vault_bump]];
        return system_program::transfer(
            CpiContext::new_with_signer(
                accounts.system_program.to_account_info(),
                system_program::Transfer {
                    from: accounts.vault.to_account_info(),
                    to: destination.to_account_info(),
                },
                &[vault_seeds],
            ),
            amount,
        );
    }
    let token_program = accounts
        .token_program
        .as_ref()
        .ok_or(ShieldPoolError::MissingTokenProgram)?;
    let pool_seeds: &[&[u8]] = &[POOL_SEED, pool.mint.as_ref(), &[pool.bump]];
    token::transfer(
        CpiContext::new_with_signer(
            token_program.to_account_info(),
            token::Transfer {
                from: accounts.vault.to_account_info(),
                to: destination.to_account_info(),
                authority: pool.to_account_info(),
            },
            &[pool_seeds],
        ),
        amount,
    )
}

/// Consumes a revealed scramble-registry claim by CPI, signed by the config PDA (the only consumer
/// the registry accepts), and works out the miner's share of the relayer fee.
fn consume_pow_claim<'a, 'info>(
    accounts: &'a Transact<'info>,
    public_inputs: &TransactPublicInputs,
    fee: u64,
) -> Result<PowPayout<'a, 'info>> {
    let missing = || error!(ShieldPoolError::MissingPowClaim);
    let program = accounts.scramble_registry_program.as_ref().ok_or_else(missing)?;
    let registry_account = accounts.pow_registry.as_ref().ok_or_else(missing)?;
    let claim_account = accounts.pow_claim.as_ref().ok_or_else(missing)?;
    let miner = accounts.pow_miner.as_ref().ok_or_else(missing)?;
    let destination = accounts.miner_fee_account.as_ref().ok_or_else(missing)?;

    let registry = read_registry_account::<Registry>(registry_account)?;
    let claim = read_registry_account::<Claim>(claim_account)?;
    require!(
        destination_belongs_to(&accounts.pool, destination, &claim.miner_authority)?,
        ShieldPoolError::MinerAccountMismatch
    );

    let config_seeds: &[&[u8]] = &[CONFIG_SEED, &[accounts.config.load()?.bump]];
    scramble_registry::cpi::consume_claim(
        CpiContext::new_with_signer(
            program.to_account_info(),
            scramble_registry::cpi::accounts::ConsumeClaim {
                registry: registry_account.to_account_info(),
                claim: claim_account.to_account_info(),
                miner: miner.to_account_info(),
                consumer: accounts.config.to_account_info(),
            },
            &[config_seeds],
        ),
        public_inputs.pow_batch_hash(),
    )?;

    // The registry's admin sets the share; the pool never pays the miner more than its own maximum.
    let share_bps = registry.miner_fee_share_bps.min(MAX_MINER_FEE_SHARE_BPS);
    // At most fee × 5,000 / 10,000 < fee, so the narrowing cannot truncate.
    let amount = (fee as u128 * share_bps as u128 / BPS_DENOMINATOR as u128) as u64;
    Ok(PowPayout {
        claim: claim_account.key(),
        destination,
        amount,
    })
}

/// A scramble-registry account, read without Anchor's `Account` wrapper, which would write its
/// stale copy back over the CPI's changes when the instruction exits.
fn read_registry_account<T: AccountDeserialize + Owner>(account: &UncheckedAccount) -> Result<T> {
    require_keys_eq!(*account.owner, T::owner(), ShieldPoolError::InvalidPowAccount);
    let data = account.try_borrow_data()?;
    T::try_deserialize(&mut &data[..]).map_err(|_| error!(ShieldPoolError::InvalidPowAccount))
}
