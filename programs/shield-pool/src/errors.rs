use anchor_lang::prelude::*;

#[error_code]
pub enum ShieldPoolError {
    #[msg("config: the pool is paused")]
    Paused,
    #[msg("signer: not the config's admin")]
    NotAdmin,
    #[msg("signer: neither the pause authority nor the admin")]
    NotPauseAuthority,
    #[msg("signer: not the pending admin")]
    NotPendingAdmin,
    #[msg("verifying_key_delay_seconds: below MIN_VERIFYING_KEY_DELAY_SECONDS (48 hours)")]
    DelayTooShort,
    #[msg("relayer: already registered")]
    RelayerAlreadyRegistered,
    #[msg("relayer: not registered")]
    RelayerNotRegistered,
    #[msg("relayer: the registry is full")]
    RelayerRegistryFull,
    #[msg("pending_verifying_key: none proposed")]
    NoPendingVerifyingKey,
    #[msg("pending_verifying_key: the rotation delay since its proposal has not passed")]
    VerifyingKeyNotReady,
    #[msg("public_inputs.root: not a recent root of this pool")]
    UnknownRoot,
    #[msg("public_inputs.input_nullifiers: the two nullifiers are equal")]
    DuplicateNullifier,
    #[msg("proof: does not verify for these public inputs, ext_data and amounts")]
    InvalidProof,
    #[msg("ext_data.ext_amount: above the pool's deposit limit")]
    DepositLimitExceeded,
    #[msg("ext_data.fee: above the pool's fee limit")]
    FeeLimitExceeded,
    #[msg("ext_data.ext_amount: out of range")]
    InvalidExtAmount,
    #[msg("recipient: missing, or not ext_data.recipient")]
    RecipientMismatch,
    #[msg("relayer_fee_account: missing, or not ext_data.relayer's")]
    RelayerAccountMismatch,
    #[msg("depositor_token_account: missing for a token deposit")]
    MissingDepositorTokenAccount,
    #[msg("token_program: missing for a token pool")]
    MissingTokenProgram,
    #[msg("pow accounts: a relayed withdrawal needs a scramble-registry claim")]
    MissingPowClaim,
    #[msg("miner_fee_account: not the claim's miner's")]
    MinerAccountMismatch,
    #[msg("pow_registry / pow_claim: not scramble-registry accounts")]
    InvalidPowAccount,
    #[msg("tree: full")]
    TreeFull,
    #[msg("public_inputs: a value is not below the BN254 field modulus")]
    NotAFieldElement,
    #[msg("arithmetic overflow")]
    Overflow,
    // governance (issue 8)
    #[msg("signer: not the program's upgrade authority (its ProgramData account)")]
    NotUpgradeAuthority,
    #[msg("config: the pool has not been unpaused for the whole rotation delay (the exit window)")]
    ExitWindowNotElapsed,
    #[msg("signer: not the security council")]
    NotSecurityCouncil,
    #[msg("signer: not the pending security council")]
    NotPendingSecurityCouncil,
    #[msg("signer: not the pending pause authority")]
    NotPendingPauseAuthority,
    #[msg("config: not paused, so the security council may not install a key at once")]
    NotInEmergency,
    #[msg("verifying_key.alpha_g1: not a point of G1, or the identity")]
    InvalidVerifyingKeyAlpha,
    #[msg("verifying_key.beta_g2: not a point of G2's prime-order subgroup, or the identity")]
    InvalidVerifyingKeyBeta,
    #[msg("verifying_key.gamma_g2: not a point of G2's prime-order subgroup, or the identity")]
    InvalidVerifyingKeyGamma,
    #[msg("verifying_key.delta_g2: not a point of G2's prime-order subgroup, or the identity")]
    InvalidVerifyingKeyDelta,
    #[msg("verifying_key.ic: a point is not on G1 (the log names its index)")]
    InvalidVerifyingKeyIc,
    // transact (issue 8)
    #[msg("nullifier: already spent in this pool")]
    NullifierAlreadySpent,
    #[msg("payer: a transact paying a fee must be signed by ext_data.relayer")]
    RelayerNotSigner,
    #[msg("ext_data.fee: smaller than the miner's share")]
    MinerFeeExceedsFee,
    #[msg("tree: not grown to its full size yet (grow_tree)")]
    TreeNotReady,
    #[msg("tree: already at its full size")]
    TreeAlreadyGrown,
}
