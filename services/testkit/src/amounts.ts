// The corpus's amounts, kept distinct per transaction so a test can tell notes apart by value.

const FINNEY = 10n ** 15n;

export const corpusAmounts = {
  /** EVM deposit i: 0.01 ETH plus i gwei. */
  evmDeposit: (i: number): bigint => 10n * FINNEY + BigInt(i) * 10n ** 9n,
  /** The relayer's fee on every corpus withdrawal: 0.0001 ETH. */
  evmRelayerFee: FINNEY / 10n,
  /** Solana deposit j: 0.1 SOL plus j lamports (the deploy's limit is 10 SOL per deposit). */
  solanaDeposit: (j: number): bigint => 100_000_000n + BigInt(j),
  /**
   * The relayer's fee on every Solana corpus withdrawal: 0.01 SOL, above a relay's quote at its
   * defaults (two nullifier accounts' rent, the signature and priority fees, the margin) even after a
   * miner's largest share.
   */
  solanaRelayerFee: 10_000_000n,
} as const;
