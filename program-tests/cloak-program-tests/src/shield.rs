//! Shield-pool setup and instruction builders for the tests.

use anchor_lang::prelude::Pubkey;
use anchor_spl::token::spl_token;
use shield_pool::constants::{
    CONFIG_SEED, NATIVE_MINT, NULLIFIER_SEED, POOL_SEED, TREE_SEED, VAULT_SEED,
};
use cloak_zk::tree::{TREE_DEPTH, ZEROS};
use shield_pool::constants::MAX_ACCOUNT_GROWTH;
use shield_pool::instructions::InitializeParams;
use shield_pool::state::CommitmentTree;
use solana_program_test::{BanksClientError, ProgramTestContext};
use anchor_lang::solana_program::system_instruction;
use anchor_lang::system_program;
use solana_sdk::{instruction::Instruction, program_pack::Pack, signature::Keypair, signer::Signer};

use crate::fixtures::Step;
use crate::{anchor_ix, send};

/// The verifying-key delay every test deployment uses: the program's minimum, 48 hours.
pub const DELAY_SECONDS: i64 = shield_pool::constants::MIN_VERIFYING_KEY_DELAY_SECONDS;
pub const MAX_DEPOSIT: u64 = 10_000_000_000;
pub const MAX_FEE: u64 = 100_000_000;

pub fn config_pda() -> Pubkey {
    Pubkey::find_program_address(&[CONFIG_SEED], &shield_pool::ID).0
}

pub fn pool_pda(mint: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[POOL_SEED, mint.as_ref()], &shield_pool::ID).0
}

pub fn vault_pda(pool: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[VAULT_SEED, pool.as_ref()], &shield_pool::ID).0
}

pub fn tree_pda(pool: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[TREE_SEED, pool.as_ref()], &shield_pool::ID).0
}

pub fn nullifier_pda(pool: &Pubkey, nullifier: &[u8; 32]) -> Pubkey {
    Pubkey::find_program_address(&[NULLIFIER_SEED, pool.as_ref(), nullifier], &shield_pool::ID).0
}

/// The PDA Anchor's `emit_cpi!` signs its event self-CPI with.
pub fn event_authority_pda() -> Pubkey {
    Pubkey::find_program_address(&[b"__event_authority"], &shield_pool::ID).0
}

/// The pool's addresses.
#[derive(Clone, Copy, Debug)]
pub struct PoolKeys {
    pub mint: Pubkey,
    pub pool: Pubkey,
    pub vault: Pubkey,
    pub tree: Pubkey,
}

impl PoolKeys {
    pub fn for_mint(mint: Pubkey) -> Self {
        let pool = pool_pda(&mint);
        Self { mint, pool, vault: vault_pda(&pool), tree: tree_pda(&pool) }
    }

    pub fn native() -> Self {
        Self::for_mint(NATIVE_MINT)
    }

    pub fn is_native(&self) -> bool {
        self.mint == NATIVE_MINT
    }
}

/// The security council of every test deployment (a fixed key, so tests can sign as it).
pub fn security_council() -> Keypair {
    Keypair::new_from_array([0xc0; 32])
}

/// The parameters of every test deployment: the minimum delay and [`security_council`].
pub fn initialize_params(pause_authority: Pubkey, pow_required: bool) -> InitializeParams {
    InitializeParams {
        pause_authority,
        security_council: security_council().pubkey(),
        verifying_key_delay_seconds: DELAY_SECONDS,
        pow_required,
    }
}

/// `initialize` signed by `admin`, which must be the program's upgrade authority.
pub fn initialize_with_params_ix(admin: &Pubkey, params: InitializeParams) -> Instruction {
    anchor_ix(
        shield_pool::ID,
        shield_pool::accounts::Initialize {
            config: config_pda(),
            admin: *admin,
            program_data: crate::program_data_address(&shield_pool::ID),
            system_program: system_program::ID,
            event_authority: event_authority_pda(),
            program: shield_pool::ID,
        },
        shield_pool::instruction::Initialize { params },
    )
}

pub fn initialize_ix(admin: &Pubkey, pause_authority: Pubkey, pow_required: bool) -> Instruction {
    initialize_with_params_ix(admin, initialize_params(pause_authority, pow_required))
}

/// `initialize_sol_pool` signed by `admin`, with the test limits.
pub fn initialize_sol_pool_ix(admin: &Pubkey) -> Instruction {
    let keys = PoolKeys::native();
    anchor_ix(
        shield_pool::ID,
        shield_pool::accounts::InitializeSolPool {
            config: config_pda(),
            pool: keys.pool,
            tree: keys.tree,
            vault: keys.vault,
            admin: *admin,
            system_program: system_program::ID,
            event_authority: event_authority_pda(),
            program: shield_pool::ID,
        },
        shield_pool::instruction::InitializeSolPool { max_deposit: MAX_DEPOSIT, max_fee: MAX_FEE },
    )
}

/// `initialize_token_pool` for the pool `keys` names, signed by `admin`, with the test limits.
pub fn initialize_token_pool_ix(admin: &Pubkey, keys: &PoolKeys) -> Instruction {
    anchor_ix(
        shield_pool::ID,
        shield_pool::accounts::InitializeTokenPool {
            config: config_pda(),
            mint: keys.mint,
            pool: keys.pool,
            tree: keys.tree,
            vault: keys.vault,
            admin: *admin,
            token_program: spl_token::ID,
            system_program: system_program::ID,
            event_authority: event_authority_pda(),
            program: shield_pool::ID,
        },
        shield_pool::instruction::InitializeTokenPool { max_deposit: MAX_DEPOSIT, max_fee: MAX_FEE },
    )
}

/// Initializes the config with the context payer as admin.
pub async fn initialize_config(context: &mut ProgramTestContext, pause_authority: Pubkey, pow_required: bool) {
    let admin = context.payer.pubkey();
    send(context, &[initialize_ix(&admin, pause_authority, pow_required)], &[])
        .await
        .expect("config initializes");
}

/// Opens the SOL pool (config initialized) and grows its tree to full size.
pub async fn open_sol_pool(context: &mut ProgramTestContext) -> PoolKeys {
    let admin = context.payer.pubkey();
    send(context, &[initialize_sol_pool_ix(&admin)], &[]).await.expect("SOL pool opens");
    let keys = PoolKeys::native();
    grow_tree_fully(context, &keys).await;
    keys
}

/// Opens the pool of `mint`, which must exist (config initialized), and grows its tree to full size.
pub async fn open_token_pool(context: &mut ProgramTestContext, mint: Pubkey) -> PoolKeys {
    let admin = context.payer.pubkey();
    let keys = PoolKeys::for_mint(mint);
    send(context, &[initialize_token_pool_ix(&admin, &keys)], &[]).await.expect("token pool opens");
    grow_tree_fully(context, &keys).await;
    keys
}

/// Initializes the config with the context payer as admin and `pause_authority`, then the SOL pool.
pub async fn deploy_sol_pool(
    context: &mut ProgramTestContext,
    pause_authority: Pubkey,
    pow_required: bool,
) -> PoolKeys {
    initialize_config(context, pause_authority, pow_required).await;
    open_sol_pool(context).await
}

pub fn grow_tree_ix(keys: &PoolKeys, payer: &Pubkey) -> Instruction {
    anchor_ix(
        shield_pool::ID,
        shield_pool::accounts::GrowTree {
            pool: keys.pool,
            tree: keys.tree,
            payer: *payer,
            system_program: system_program::ID,
            event_authority: event_authority_pda(),
            program: shield_pool::ID,
        },
        shield_pool::instruction::GrowTree {},
    )
}

/// `grow_tree` calls that take a just-opened pool's tree to its full size, one instruction per
/// 10,240 bytes (several fit one transaction).
pub fn grow_tree_steps() -> usize {
    let created = CommitmentTree::SPACE.min(MAX_ACCOUNT_GROWTH);
    (CommitmentTree::SPACE - created).div_ceil(MAX_ACCOUNT_GROWTH)
}

/// Grows the pool's tree to its full size, paid by the context payer.
pub async fn grow_tree_fully(context: &mut ProgramTestContext, keys: &PoolKeys) {
    let payer = context.payer.pubkey();
    let instructions = vec![grow_tree_ix(keys, &payer); grow_tree_steps()];
    send(context, &instructions, &[]).await.expect("grow the tree");
}

/// Rewrites the pool's tree as if it held `2^20 - 2` zero leaves: one pair short of full. An all-zero
/// tree has the empty tree's root and every filled subtree is a zero subtree, so only `next_index`
/// and `filled_subtrees` change, and a wallet's path for the last pair is all zero siblings.
pub async fn fill_tree_but_last_pair(context: &mut ProgramTestContext, keys: &PoolKeys) {
    let mut account = context
        .banks_client
        .get_account(keys.tree)
        .await
        .expect("banks client")
        .expect("tree exists");
    let mut tree: CommitmentTree = bytemuck::pod_read_unaligned(&account.data[8..CommitmentTree::SPACE]);
    tree.tree.next_index = (1u64 << TREE_DEPTH) - 2;
    tree.tree.filled_subtrees.copy_from_slice(&ZEROS[..TREE_DEPTH]);
    account.data[8..CommitmentTree::SPACE].copy_from_slice(bytemuck::bytes_of(&tree));
    context.set_account(&keys.tree, &account.into());
}

/// Creates `mint` (decimals 6, the payer as mint authority).
pub async fn create_mint(context: &mut ProgramTestContext, mint: &Keypair) {
    let payer = context.payer.pubkey();
    let rent = context.banks_client.get_rent().await.expect("rent");
    let instructions = [
        system_instruction::create_account(
            &payer,
            &mint.pubkey(),
            rent.minimum_balance(spl_token::state::Mint::LEN),
            spl_token::state::Mint::LEN as u64,
            &spl_token::ID,
        ),
        spl_token::instruction::initialize_mint2(&spl_token::ID, &mint.pubkey(), &payer, None, 6)
            .expect("initialize_mint2"),
    ];
    send(context, &instructions, &[mint]).await.expect("create mint");
}

/// Creates the token account `account` of `mint` owned by `owner`.
pub async fn create_token_account(
    context: &mut ProgramTestContext,
    account: &Keypair,
    mint: &Pubkey,
    owner: &Pubkey,
) {
    let payer = context.payer.pubkey();
    let rent = context.banks_client.get_rent().await.expect("rent");
    let instructions = [
        system_instruction::create_account(
            &payer,
            &account.pubkey(),
            rent.minimum_balance(spl_token::state::Account::LEN),
            spl_token::state::Account::LEN as u64,
            &spl_token::ID,
        ),
        spl_token::instruction::initialize_account3(&spl_token::ID, &account.pubkey(), mint, owner)
            .expect("initialize_account3"),
    ];
    send(context, &instructions, &[account]).await.expect("create token account");
}

pub async fn mint_to(context: &mut ProgramTestContext, mint: &Pubkey, account: &Pubkey, amount: u64) {
    let payer = context.payer.pubkey();
    let instruction =
        spl_token::instruction::mint_to(&spl_token::ID, mint, account, &payer, &[], amount)
            .expect("mint_to");
    send(context, &[instruction], &[]).await.expect("mint to");
}

pub async fn token_balance(context: &mut ProgramTestContext, account: &Pubkey) -> u64 {
    let data = crate::account_data(context, *account).await;
    spl_token::state::Account::unpack(&data).expect("token account").amount
}

/// Initializes the config (payer as admin) and the pool of `mint`, which must exist.
pub async fn deploy_token_pool(
    context: &mut ProgramTestContext,
    mint: Pubkey,
    pause_authority: Pubkey,
) -> PoolKeys {
    initialize_config(context, pause_authority, false).await;
    open_token_pool(context, mint).await
}

pub fn add_relayer_ix(admin: &Pubkey, relayer: Pubkey) -> Instruction {
    anchor_ix(
        shield_pool::ID,
        shield_pool::accounts::AddRelayer {
            config: config_pda(),
            admin: *admin,
            event_authority: event_authority_pda(),
            program: shield_pool::ID,
        },
        shield_pool::instruction::AddRelayer { relayer },
    )
}

/// What `add_relayer` gives a relayer to pay for the transactions it submits (nullifier rent).
pub const RELAYER_FUNDING: u64 = 1_000_000_000;

/// Registers `relayer` and funds it with `RELAYER_FUNDING` lamports: a relayer signs and pays for
/// the transacts whose fee it collects.
pub async fn add_relayer(context: &mut ProgramTestContext, relayer: Pubkey) {
    let admin = context.payer.pubkey();
    let fund = system_instruction::transfer(&admin, &relayer, RELAYER_FUNDING);
    send(context, &[add_relayer_ix(&admin, relayer), fund], &[]).await.expect("add relayer");
}

/// A fresh bank with the config (payer as admin), the SOL pool (tree grown) and `relayer` registered
/// and funded.
pub async fn sol_pool_with_relayer(relayer: Pubkey, pow_required: bool) -> (ProgramTestContext, PoolKeys) {
    let mut context = crate::start().await;
    let keys = deploy_sol_pool(&mut context, Keypair::new().pubkey(), pow_required).await;
    add_relayer(&mut context, relayer).await;
    (context, keys)
}

/// The rent of one nullifier record, which the transact's payer pays.
pub async fn nullifier_rent(context: &mut ProgramTestContext) -> u64 {
    let rent = context.banks_client.get_rent().await.expect("rent");
    rent.minimum_balance(8 + <shield_pool::state::NullifierRecord as anchor_lang::Space>::INIT_SPACE)
}

/// The PoW gate's accounts for a relayed withdrawal.
#[derive(Clone, Copy, Debug)]
pub struct PowAccounts {
    pub registry: Pubkey,
    pub claim: Pubkey,
    pub miner: Pubkey,
    pub miner_fee_account: Pubkey,
}

/// Which optional accounts a transact passes; `None` leaves the slot empty.
#[derive(Clone, Copy, Debug, Default)]
pub struct TransactAccounts {
    pub recipient: Option<Pubkey>,
    pub relayer_fee_account: Option<Pubkey>,
    pub depositor_token_account: Option<Pubkey>,
    pub pow: Option<PowAccounts>,
    /// Leaves the token program out even in a token pool.
    pub omit_token_program: bool,
}

impl TransactAccounts {
    /// The accounts `step` needs in a pool: the recipient for a withdrawal, the relayer itself as
    /// fee account (SOL pools).
    pub fn for_step(step: &Step) -> Self {
        Self {
            recipient: (step.ext_data.ext_amount < 0).then_some(step.ext_data.recipient),
            relayer_fee_account: (step.ext_data.fee > 0).then_some(step.ext_data.relayer),
            ..Self::default()
        }
    }
}

pub fn transact_ix(keys: &PoolKeys, payer: &Pubkey, step: &Step, accounts: TransactAccounts) -> Instruction {
    let pow = accounts.pow;
    anchor_ix(
        shield_pool::ID,
        shield_pool::accounts::Transact {
            config: config_pda(),
            pool: keys.pool,
            tree: keys.tree,
            nullifier0: nullifier_pda(&keys.pool, &step.public_inputs.input_nullifiers[0]),
            nullifier1: nullifier_pda(&keys.pool, &step.public_inputs.input_nullifiers[1]),
            vault: keys.vault,
            payer: *payer,
            recipient: accounts.recipient,
            relayer_fee_account: accounts.relayer_fee_account,
            depositor_token_account: accounts.depositor_token_account,
            token_program: (!keys.is_native() && !accounts.omit_token_program).then_some(spl_token::ID),
            system_program: system_program::ID,
            scramble_registry_program: pow.map(|_| scramble_registry::ID),
            pow_registry: pow.map(|pow| pow.registry),
            pow_claim: pow.map(|pow| pow.claim),
            pow_miner: pow.map(|pow| pow.miner),
            miner_fee_account: pow.map(|pow| pow.miner_fee_account),
            event_authority: event_authority_pda(),
            program: shield_pool::ID,
        },
        shield_pool::instruction::Transact {
            proof: step.proof,
            public_inputs: step.public_inputs,
            ext_data: step.ext_data.clone(),
        },
    )
}

/// Sends `step` with the accounts it needs, signed by its relayer when it pays a fee (the program
/// requires it), else by the context payer.
pub async fn transact(
    context: &mut ProgramTestContext,
    keys: &PoolKeys,
    step: &Step,
    accounts: TransactAccounts,
) -> Result<(), BanksClientError> {
    match step.relayer_keypair() {
        Some(relayer) => transact_signed_by(context, keys, step, accounts, &relayer).await,
        None => {
            let payer = context.payer.pubkey();
            let instruction = transact_ix(keys, &payer, step, accounts);
            send(context, &[crate::compute_budget(), instruction], &[]).await
        }
    }
}

/// Sends `step` with `signer` as the transact's payer (the transaction fee stays with the context payer).
pub async fn transact_signed_by(
    context: &mut ProgramTestContext,
    keys: &PoolKeys,
    step: &Step,
    accounts: TransactAccounts,
    signer: &Keypair,
) -> Result<(), BanksClientError> {
    let instruction = transact_ix(keys, &signer.pubkey(), step, accounts);
    send(context, &[crate::compute_budget(), instruction], &[signer]).await
}
