import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Keypair as SolanaKeypair, PublicKey } from "@solana/web3.js";
import { CloakError, ErrorCode, PRODUCTION_TREE_DEPTH, getPoseidon, releaseProvingResources, toHex32, type Prover } from "@cloak/sdk";
import {
  NATIVE_MINT,
  SolanaShieldPoolClient,
  addRelayerInstruction,
  configPda,
  MIN_VERIFYING_KEY_DELAY_SECONDS,
  applyVerifyingKeyInstruction,
  hashSolanaExtData,
  nullifierPda,
  pauseInstruction,
  proposeVerifyingKeyInstruction,
  removeRelayerInstruction,
  setPowRequiredInstruction,
  toSolanaVerifyingKey,
  unpauseInstruction,
  type SnarkjsVerificationKey,
} from "@cloak/sdk/solana";
import {
  SOLANA_CORPUS_RELAYER,
  publicInputsOfEntry,
  solanaExtDataOf,
  startSolanaCloak,
  submitSolanaCorpus,
  type SolanaCloak,
  type SolanaCorpusEntry,
} from "@cloak/service-testkit";
import { RelayErrorCode } from "../src/errors.ts";
import {
  SolanaIntake,
  bundledVerificationKey,
  quoteSolana,
  solanaIntakeDeployment,
  type SolanaIntakeDeployment,
  type SolanaIntakeOptions,
  type SolanaIntakePool,
  type SolanaQuote,
} from "../src/intake/index.ts";
import { asAuthority, solanaCorpus as corpus, solanaRequestOf as requestOf } from "./support/solana.ts";

// Every refusal is a real Solana corpus withdrawal (a real Groth16 proof against the root after the 64
// corpus deposits, relayed by SOLANA_CORPUS_RELAYER) made wrong in exactly one way, checked against the
// local Solana node running the deployment. The accepting checks use the relay's real quote at its
// defaults, so they also show the corpus fee covers it.

const withdrawal = (index: number): SolanaCorpusEntry => corpus.withdrawals[index]!;
const FEES = { margin_percent: 20, quote_ttl: 60_000, token_prices: {} };
const TRANSACTION = { compute_budget_cu: 400_000, priority_fee_microlamports: 1000 };
const CORPUS_FEE = BigInt(corpus.withdrawals[0]!.extData.fee);
const relayer = SOLANA_CORPUS_RELAYER.publicKey;

async function refused(check: Promise<unknown>, code: RelayErrorCode, message: string): Promise<void> {
  await assert.rejects(check, { name: "RelayError", code, message });
}

describe("Solana intake", () => {
  let cloak: SolanaCloak;
  let deployment: SolanaIntakeDeployment;
  let program: PublicKey;
  let solPool: SolanaIntakePool;
  let tokenPool: SolanaIntakePool;
  const authority = () => cloak.node.authority.publicKey;
  const quote = (pool: SolanaIntakePool, fees = FEES) => quoteSolana({ connection: cloak.node.connection, fees, transaction: TRANSACTION, deployment, pool });
  const intake = (overrides: Partial<SolanaIntakeOptions> = {}) =>
    new SolanaIntake({ connection: cloak.node.connection, deployment, relayer, verificationKey: bundledVerificationKey(), quote: (pool) => quote(pool), ...overrides });

  before(async () => {
    // No proof of work: the NULLIFIER_SPENT test lands a withdrawal without a miner's claim.
    cloak = await startSolanaCloak({ powRequired: false });
    deployment = solanaIntakeDeployment(cloak.deploymentFile);
    program = deployment.shieldPool;
    solPool = deployment.pools.find((pool) => pool.mint === NATIVE_MINT.toBase58())!;
    tokenPool = deployment.pools.find((pool) => pool.mint !== NATIVE_MINT.toBase58())!;
    await asAuthority(cloak, await addRelayerInstruction({ programId: program, admin: authority(), relayer }));
  });

  after(async () => {
    await cloak?.node.stop();
    await releaseProvingResources();
  });

  it("reads the SOL pool and the token pool from the deployment record, the SOL pool the corpus's", () => {
    assert.equal(solPool.address, corpus.header.pool);
    assert.equal(program.toBase58(), corpus.header.shieldPoolProgram);
    assert.equal(deployment.pools.length, 2);
  });

  it("refuses a withdrawal whose root the pool has not reached yet (UNKNOWN_ROOT)", async () => {
    const entry = withdrawal(0);
    await refused(
      intake().check(requestOf(entry)),
      RelayErrorCode.UNKNOWN_ROOT,
      `publicSignals[0] (root): ${toHex32(BigInt(entry.publicSignals[0]!))} is not among the pool's known roots`,
    );
  });

  describe("after the corpus deposits", () => {
    before(async () => {
      await submitSolanaCorpus(cloak);
    });

    it("accepts a relayed corpus withdrawal and names its pool, fee, nullifiers and their records", async () => {
      const entry = withdrawal(0);
      const accepted = await intake().check(requestOf(entry));
      const [n0, n1] = publicInputsOfEntry(entry).inputNullifiers;
      assert.equal(accepted.ok, true);
      assert.equal(accepted.pool, corpus.header.pool);
      assert.equal(accepted.fee, CORPUS_FEE);
      assert.deepEqual(accepted.nullifiers, [toHex32(n0!), toHex32(n1!)]);
      const pool = new PublicKey(corpus.header.pool);
      assert.deepEqual(accepted.nullifierAccounts, [nullifierPda(pool, n0!, program)[0].toBase58(), nullifierPda(pool, n1!, program)[0].toBase58()]);
    });

    it("accepts a request without the optional program field", async () => {
      const { program: _program, ...request } = requestOf(withdrawal(1));
      assert.equal((await intake().check(request)).ok, true);
    });

    it("refuses a ciphertext one byte short of an encrypted output (INVALID_REQUEST)", async () => {
      const request = requestOf(withdrawal(0));
      request.extData.encryptedOutput1 = request.extData.encryptedOutput1.slice(0, -2);
      await refused(intake().check(request), RelayErrorCode.INVALID_REQUEST, "extData.encryptedOutput1: must be 0x-prefixed hex of exactly 113 bytes");
    });

    it("refuses a recipient that is not base58 (INVALID_REQUEST)", async () => {
      const request = requestOf(withdrawal(0));
      request.extData.recipient = `0${request.extData.recipient.slice(1)}`;
      await refused(intake().check(request), RelayErrorCode.INVALID_REQUEST, "extData.recipient: must be a base58 public key");
    });

    it("refuses a fee above a u64 (INVALID_REQUEST)", async () => {
      const request = requestOf(withdrawal(0));
      request.extData.fee = (2n ** 64n).toString();
      await refused(intake().check(request), RelayErrorCode.INVALID_REQUEST, "extData.fee: must be below 2^64");
    });

    it("refuses a request naming another shield pool program (WRONG_PROGRAM)", async () => {
      const request = { ...requestOf(withdrawal(0)), program: corpus.header.scrambleRegistryProgram };
      await refused(
        intake().check(request),
        RelayErrorCode.WRONG_PROGRAM,
        `program: ${corpus.header.scrambleRegistryProgram} is not this relay's shield pool program ${program.toBase58()}`,
      );
    });

    it("refuses a pool outside the deployment (UNKNOWN_POOL)", async () => {
      const config = configPda(program)[0].toBase58();
      await refused(intake().check({ ...requestOf(withdrawal(0)), pool: config }), RelayErrorCode.UNKNOWN_POOL, `pool: ${config} is not a pool of this relay's deployment`);
    });

    it("refuses a SOL-pool proof sent for the token pool: the pool is in its extDataHash (EXT_DATA_MISMATCH)", async () => {
      const entry = withdrawal(0);
      const bound = hashSolanaExtData(solanaExtDataOf(entry.extData), program, new PublicKey(tokenPool.address));
      await refused(
        intake().check({ ...requestOf(entry), pool: tokenPool.address }),
        RelayErrorCode.EXT_DATA_MISMATCH,
        `extData: hashes to ${toHex32(bound)} for program ${program.toBase58()} and pool ${tokenPool.address}, not publicSignals[2] (extDataHash) ${toHex32(BigInt(entry.publicSignals[2]!))}`,
      );
    });

    it("refuses a deposit, whose value only its owner can send (NOT_A_WITHDRAWAL)", async () => {
      const deposit = corpus.deposits[0]!;
      await refused(intake().check(requestOf(deposit)), RelayErrorCode.NOT_A_WITHDRAWAL, `extData.extAmount: ${deposit.extData.extAmount} is a deposit, whose value only its owner can send`);
    });

    it("refuses a withdrawal paying another relayer (WRONG_RELAYER)", async () => {
      const other = SolanaKeypair.generate().publicKey;
      await refused(
        intake({ relayer: other }).check(requestOf(withdrawal(0))),
        RelayErrorCode.WRONG_RELAYER,
        `extData.relayer: ${relayer.toBase58()} is not this relay (${other.toBase58()}), so it would not earn the fee`,
      );
    });

    it("refuses ExtData whose fee was raised after proving (EXT_DATA_MISMATCH)", async () => {
      const entry = withdrawal(0);
      const request = requestOf(entry);
      request.extData.fee = (CORPUS_FEE + 1n).toString();
      const edited = hashSolanaExtData(solanaExtDataOf({ ...entry.extData, fee: request.extData.fee }), program, new PublicKey(corpus.header.pool));
      await refused(
        intake().check(request),
        RelayErrorCode.EXT_DATA_MISMATCH,
        `extData: hashes to ${toHex32(edited)} for program ${program.toBase58()} and pool ${corpus.header.pool}, not publicSignals[2] (extDataHash) ${toHex32(BigInt(entry.publicSignals[2]!))}`,
      );
    });

    it("refuses a publicAmount that is not extAmount - fee (PUBLIC_AMOUNT_MISMATCH)", async () => {
      const entry = withdrawal(0);
      const request = requestOf(entry);
      const stated = BigInt(entry.publicSignals[1]!) + 1n;
      request.publicSignals[1] = stated.toString();
      await refused(intake().check(request), RelayErrorCode.PUBLIC_AMOUNT_MISMATCH, `publicSignals[1] (publicAmount): ${stated} is not (extAmount - fee) mod p = ${stated - 1n}`);
    });

    it("refuses two equal input nullifiers (DUPLICATE_NULLIFIER)", async () => {
      const request = requestOf(withdrawal(0));
      request.publicSignals[4] = request.publicSignals[3]!;
      await refused(intake().check(request), RelayErrorCode.DUPLICATE_NULLIFIER, `publicSignals[3..4] (inputNullifiers): both are ${toHex32(BigInt(request.publicSignals[3]!))}`);
    });

    it("refuses a proof whose output commitment was tampered with (INVALID_PROOF)", async () => {
      const request = requestOf(withdrawal(0));
      request.publicSignals[5] = (BigInt(request.publicSignals[5]!) + 1n).toString();
      await refused(intake().check(request), RelayErrorCode.INVALID_PROOF, "proof: does not verify against publicSignals with the depth-20 verification key");
    });

    it("refuses a fee below the current quote and names both amounts (FEE_TOO_LOW)", async () => {
      const high: SolanaQuote = { ...(await quote(solPool)), fee: CORPUS_FEE + 1n };
      await refused(intake({ quote: async () => high }).check(requestOf(withdrawal(0))), RelayErrorCode.FEE_TOO_LOW, `extData.fee: ${CORPUS_FEE} is below the current quote of ${CORPUS_FEE + 1n}`);
    });

    it("quotes one signature, compute budget × priority fee and two nullifier records' rent, × (1 + margin)", async () => {
      const rent = BigInt(await cloak.node.connection.getMinimumBalanceForRentExemption(40));
      const cost = 5_000n + 400n + 2n * rent;
      const now = Date.now();
      const quoted = await quoteSolana({ connection: cloak.node.connection, fees: FEES, transaction: TRANSACTION, deployment, pool: solPool, now });
      assert.deepEqual(quoted, {
        fee: (cost * 120n + 99n) / 100n,
        expiresAt: new Date(now + 60_000),
        computeUnits: 400_000n,
        priorityFeeMicrolamports: 1000n,
        costLamports: cost,
        minerFeeShareBps: 0,
      });
      assert.ok(quoted.fee <= CORPUS_FEE, `the corpus fee ${CORPUS_FEE} covers the default quote ${quoted.fee}`);
    });

    it("grosses the quote up by the miner's share while the program requires proof of work", async () => {
      const plain = await quote(solPool);
      await asAuthority(cloak, await setPowRequiredInstruction({ programId: program, admin: authority(), powRequired: true }));
      try {
        const gated = await quote(solPool);
        assert.equal(gated.minerFeeShareBps, 2_000);
        assert.equal(gated.fee, (gated.costLamports * 120n * 10_000n + 100n * 8_000n - 1n) / (100n * 8_000n));
        assert.ok(gated.fee > plain.fee && gated.fee <= CORPUS_FEE);
      } finally {
        await asAuthority(cloak, await setPowRequiredInstruction({ programId: program, admin: authority(), powRequired: false }));
      }
    });

    it("quotes the token pool in its mint's base units: the SOL quote divided by the configured price", async () => {
      const native = await quote(solPool);
      const token = await quote(tokenPool, { ...FEES, token_prices: { [tokenPool.mint]: 0.5 } });
      assert.equal(token.fee, native.fee * 2n);
    });

    it("refuses to quote the token pool without a configured price (INVALID_CONFIG)", async () => {
      await refused(quote(tokenPool), RelayErrorCode.INVALID_CONFIG, `fees.token_prices: no price for mint ${tokenPool.mint}, so its pool cannot be quoted`);
    });

    it("refuses a withdrawal while the program is paused (POOL_PAUSED)", async () => {
      await asAuthority(cloak, await pauseInstruction({ programId: program, authority: authority() }));
      try {
        await refused(intake().check(requestOf(withdrawal(0))), RelayErrorCode.POOL_PAUSED, `pool: the shield pool program ${program.toBase58()} is paused`);
      } finally {
        await asAuthority(cloak, await unpauseInstruction({ programId: program, admin: authority() }));
      }
    });

    it("refuses a proof for the verifying key the admin has rotated away from (RETIRED_VERIFYING_KEY)", async () => {
      const bundled = toSolanaVerifyingKey(bundledVerificationKey() as SnarkjsVerificationKey);
      // Another valid key: the same points with two IC entries swapped.
      const other = { ...bundled, ic: [bundled.ic[0]!, bundled.ic[2]!, bundled.ic[1]!, ...bundled.ic.slice(3)] };
      // The operator's rotation: propose, let the delay pass on the node's clock, apply.
      const setKey = async (verifyingKey: typeof bundled) => {
        await asAuthority(cloak, await proposeVerifyingKeyInstruction({ programId: program, admin: authority(), verifyingKey }));
        await cloak.node.increaseTime(Number(MIN_VERIFYING_KEY_DELAY_SECONDS) + 1);
        await asAuthority(cloak, await applyVerifyingKeyInstruction({ programId: program, admin: authority() }));
      };
      await setKey(other);
      try {
        await refused(
          intake().check(requestOf(withdrawal(0))),
          RelayErrorCode.RETIRED_VERIFYING_KEY,
          `proof: made for the relay's bundled verifying key, which the shield pool program ${program.toBase58()} no longer holds`,
        );
      } finally {
        await setKey(bundled);
      }
    });

    it("refuses a withdrawal once the admin has removed this relayer (RELAYER_NOT_REGISTERED)", async () => {
      await asAuthority(cloak, await removeRelayerInstruction({ programId: program, admin: authority(), relayer }));
      try {
        await refused(intake().check(requestOf(withdrawal(0))), RelayErrorCode.RELAYER_NOT_REGISTERED, `extData.relayer: ${relayer.toBase58()} is not registered in the shield pool's config`);
      } finally {
        await asAuthority(cloak, await addRelayerInstruction({ programId: program, admin: authority(), relayer }));
      }
    });

    it("refuses a withdrawal whose note the relayer already spent on chain (NULLIFIER_SPENT)", async () => {
      const entry = withdrawal(2);
      await cloak.node.airdrop(relayer, 10_000_000_000);
      const provenOnly: Prover = {
        name: "pre-proven",
        depth: PRODUCTION_TREE_DEPTH,
        prove: () => Promise.reject(new CloakError(ErrorCode.PROOF_FAILED, "corpus transactions arrive proven")),
        verify: () => Promise.reject(new CloakError(ErrorCode.PROOF_FAILED, "corpus transactions arrive proven")),
      };
      const client = new SolanaShieldPoolClient(cloak.node.connection, SOLANA_CORPUS_RELAYER, NATIVE_MINT, provenOnly, await getPoseidon(), {
        programId: program,
        registryProgramId: deployment.scrambleRegistry,
      });
      await client.submitProven({ proof: entry.proof, publicInputs: publicInputsOfEntry(entry), extData: solanaExtDataOf(entry.extData) }, { relay: { fee: CORPUS_FEE } });
      const [n0] = publicInputsOfEntry(entry).inputNullifiers;
      const record = nullifierPda(new PublicKey(corpus.header.pool), n0!, program)[0].toBase58();
      await refused(
        intake().check(requestOf(entry)),
        RelayErrorCode.NULLIFIER_SPENT,
        `publicSignals[3] (inputNullifiers[0]): ${toHex32(n0!)} is already spent (record ${record})`,
      );
    });
  });
});
