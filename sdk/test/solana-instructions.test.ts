import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BN, BorshInstructionCoder } from "@coral-xyz/anchor";
import { TOKEN_PROGRAM_ID, getAssociatedTokenAddressSync } from "@solana/spl-token";
import {
  AddressLookupTableAccount,
  ComputeBudgetProgram,
  PublicKey,
  SYSVAR_SLOT_HASHES_PUBKEY,
  SystemProgram,
  Transaction,
  type TransactionInstruction,
} from "@solana/web3.js";
import { ErrorCode } from "../src/index.js";
import {
  BPF_LOADER_UPGRADEABLE_PROGRAM_ID,
  MAX_ACCOUNT_GROWTH,
  NATIVE_MINT,
  SCRAMBLE_REGISTRY_IDL,
  SCRAMBLE_REGISTRY_PROGRAM_ID,
  SHIELD_POOL_IDL,
  SHIELD_POOL_PROGRAM_ID,
  SOLANA_ROOT_HISTORY_SIZE,
  VERIFYING_KEY_IC_POINTS,
  buildV0Transaction,
  closeExpiredClaimInstruction,
  commitmentTreeSpace,
  configPda,
  consumeClaimInstruction,
  decodeSolanaProof,
  encodeSolanaExtData,
  encodeSolanaProof,
  encodeSolanaTransactPublicInputs,
  eventAuthorityPda,
  growTreeInstructions,
  hashSolanaExtData,
  initializeSolPoolInstruction,
  initializeTokenPoolInstruction,
  mineClaimInstruction,
  minerPda,
  offlineScrambleRegistryProgram,
  offlineShieldPoolProgram,
  poolPda,
  programDataPda,
  proposeVerifyingKeyInstruction,
  registryPda,
  revealClaimInstruction,
  scrambleRegistryInstructions,
  setPoolLimitsInstruction,
  shieldPoolInstructions,
  transactInstruction,
  treePda,
  transactLookupTableAddresses,
  updateRegistryParamsInstruction,
  type RegistryParams,
  type SolanaTransactPayload,
  type TransactInput,
} from "../src/solana/index.js";
import { assertCloakErrorAsync } from "./helpers.js";
import { flowStep, readFlow, stepPayload } from "./solana-fixture.js";

const key = (byte: number) => new PublicKey(new Uint8Array(32).fill(byte));
const admin = key(1);
const authority = key(2);
const claim = key(3);
const payer = key(4);
const minerAuthority = key(5);
const securityCouncil = key(10);

const solFlow = readFlow("sol_flow");
const tokenFlow = readFlow("token_flow");
const tokenMint = new PublicKey(tokenFlow.mint);
const solStep = (name: string) => stepPayload(flowStep(solFlow, name));
const tokenStep = (name: string) => stepPayload(flowStep(tokenFlow, name));
const relayer = new PublicKey(solFlow.keys.relayer!.pubkey);

/** transact's input for a fixture step: its relayer signs a step paying a fee, the root is at ring slot 0. */
const transactInput = (mint: PublicKey, transaction: SolanaTransactPayload, extra: Partial<TransactInput> = {}): TransactInput => ({
  mint,
  payer: transaction.extData.fee > 0n ? relayer : payer,
  transaction,
  rootIndex: 0,
  ...extra,
});

const registryParams: RegistryParams = {
  consumerAuthority: configPda()[0],
  initialDifficulty: 1_000_000n,
  minDifficulty: 1_000n,
  maxDifficulty: 1_000_000_000n,
  targetIntervalSlots: 150n,
  minerFeeShareBps: 2_500,
  revealWindowSlots: 300n,
  claimWindowSlots: 9_000n,
  maxConsumptions: 8,
};

const verifyingKey = {
  alphaG1: new Uint8Array(64).fill(1),
  betaG2: new Uint8Array(128).fill(2),
  gammaG2: new Uint8Array(128).fill(3),
  deltaG2: new Uint8Array(128).fill(4),
  ic: Array.from({ length: VERIFYING_KEY_IC_POINTS }, (_, i) => new Uint8Array(64).fill(10 + i)),
};

const initializeConfig = { admin, pauseAuthority: key(8), securityCouncil, verifyingKeyDelaySeconds: 172_800n, powRequired: true };

type ProgramName = "shield_pool" | "scramble_registry";

interface Sample {
  program: ProgramName;
  /** The instruction as the IDL (snake_case) names it. */
  name: string;
  build: () => Promise<TransactionInstruction>;
}

const powWithdraw = (): TransactInput => transactInput(NATIVE_MINT, solStep("pow_withdraw"), { pow: { claim, minerAuthority } });

/** Every builder, with transact in each of its shapes. */
const samples: Sample[] = [
  { program: "shield_pool", name: "accept_admin", build: () => shieldPoolInstructions.acceptAdmin({ pendingAdmin: admin }) },
  {
    program: "shield_pool",
    name: "accept_pause_authority",
    build: () => shieldPoolInstructions.acceptPauseAuthority({ pendingPauseAuthority: authority }),
  },
  {
    program: "shield_pool",
    name: "accept_security_council",
    build: () => shieldPoolInstructions.acceptSecurityCouncil({ pendingSecurityCouncil: securityCouncil }),
  },
  { program: "shield_pool", name: "add_relayer", build: () => shieldPoolInstructions.addRelayer({ admin, relayer: key(9) }) },
  { program: "shield_pool", name: "apply_verifying_key", build: () => shieldPoolInstructions.applyVerifyingKey({ admin }) },
  { program: "shield_pool", name: "cancel_verifying_key", build: () => shieldPoolInstructions.cancelVerifyingKey({ admin }) },
  {
    program: "shield_pool",
    name: "emergency_set_verifying_key",
    build: () => shieldPoolInstructions.emergencySetVerifyingKey({ securityCouncil, verifyingKey }),
  },
  { program: "shield_pool", name: "initialize", build: () => shieldPoolInstructions.initialize(initializeConfig) },
  { program: "shield_pool", name: "initialize_sol_pool", build: () => shieldPoolInstructions.initializeSolPool({ admin, maxDeposit: 10n ** 10n, maxFee: 10n ** 8n }) },
  {
    program: "shield_pool",
    name: "initialize_token_pool",
    build: () => shieldPoolInstructions.initializeTokenPool({ admin, mint: tokenMint, maxDeposit: 10n ** 10n, maxFee: 10n ** 8n }),
  },
  { program: "shield_pool", name: "grow_tree", build: () => shieldPoolInstructions.growTree({ mint: tokenMint, payer }) },
  { program: "shield_pool", name: "pause", build: () => shieldPoolInstructions.pause({ authority }) },
  { program: "shield_pool", name: "propose_verifying_key", build: () => shieldPoolInstructions.proposeVerifyingKey({ admin, verifyingKey }) },
  { program: "shield_pool", name: "remove_relayer", build: () => shieldPoolInstructions.removeRelayer({ admin, relayer: key(9) }) },
  { program: "shield_pool", name: "revoke_pause_authority", build: () => shieldPoolInstructions.revokePauseAuthority({ admin }) },
  { program: "shield_pool", name: "set_pool_limits", build: () => shieldPoolInstructions.setPoolLimits({ admin, mint: tokenMint, maxDeposit: 5n, maxFee: 1n }) },
  { program: "shield_pool", name: "set_pow_required", build: () => shieldPoolInstructions.setPowRequired({ admin, powRequired: false }) },
  { program: "shield_pool", name: "set_verifying_key_delay", build: () => shieldPoolInstructions.setVerifyingKeyDelay({ admin, delaySeconds: 259_200n }) },
  { program: "shield_pool", name: "transact", build: () => transactInstruction(transactInput(NATIVE_MINT, solStep("deposit"))) },
  { program: "shield_pool", name: "transact", build: () => transactInstruction(transactInput(NATIVE_MINT, solStep("withdraw"))) },
  { program: "shield_pool", name: "transact", build: () => transactInstruction(powWithdraw()) },
  { program: "shield_pool", name: "transact", build: () => transactInstruction(transactInput(tokenMint, tokenStep("deposit"))) },
  { program: "shield_pool", name: "transact", build: () => transactInstruction(transactInput(tokenMint, tokenStep("withdraw"))) },
  { program: "shield_pool", name: "transfer_admin", build: () => shieldPoolInstructions.transferAdmin({ admin, newAdmin: key(7) }) },
  {
    program: "shield_pool",
    name: "transfer_pause_authority",
    build: () => shieldPoolInstructions.transferPauseAuthority({ admin, newPauseAuthority: key(7) }),
  },
  {
    program: "shield_pool",
    name: "transfer_security_council",
    build: () => shieldPoolInstructions.transferSecurityCouncil({ securityCouncil, newSecurityCouncil: key(7) }),
  },
  { program: "shield_pool", name: "unpause", build: () => shieldPoolInstructions.unpause({ admin }) },
  { program: "scramble_registry", name: "accept_admin", build: () => scrambleRegistryInstructions.acceptAdmin({ pendingAdmin: key(7) }) },
  { program: "scramble_registry", name: "close_expired_claim", build: () => scrambleRegistryInstructions.closeExpiredClaim({ claim, minerAuthority, caller: key(6) }) },
  {
    program: "scramble_registry",
    name: "consume_claim",
    build: () => scrambleRegistryInstructions.consumeClaim({ claim, minerAuthority, batchHash: new Uint8Array(32).fill(0xab) }),
  },
  { program: "scramble_registry", name: "initialize", build: () => scrambleRegistryInstructions.initialize({ admin, params: registryParams }) },
  {
    program: "scramble_registry",
    name: "mine_claim",
    build: () =>
      scrambleRegistryInstructions.mineClaim({
        authority,
        slot: 123_456_789n,
        slotHash: new Uint8Array(32).fill(0x5a),
        batchHash: new Uint8Array(32).fill(0xab),
        nonce: 42n,
      }),
  },
  { program: "scramble_registry", name: "register_miner", build: () => scrambleRegistryInstructions.registerMiner({ authority }) },
  { program: "scramble_registry", name: "reveal_claim", build: () => scrambleRegistryInstructions.revealClaim({ authority, claim }) },
  { program: "scramble_registry", name: "transfer_admin", build: () => scrambleRegistryInstructions.transferAdmin({ admin, newAdmin: key(7) }) },
  { program: "scramble_registry", name: "update_params", build: () => scrambleRegistryInstructions.updateParams({ admin, params: registryParams }) },
];

// The raw (snake_case) IDLs, read loosely: the checks below walk them generically.
interface IdlSeed {
  kind: string;
  value?: readonly number[];
  path?: string;
  account?: string;
}
interface IdlAccountItem {
  name: string;
  writable?: boolean;
  signer?: boolean;
  optional?: boolean;
  address?: string;
  /** `program` is set when the PDA is another program's (seeds::program), e.g. the loader's ProgramData. */
  pda?: { seeds: readonly IdlSeed[]; program?: IdlSeed };
}
interface IdlInstructionItem {
  name: string;
  discriminator: readonly number[];
  accounts: readonly IdlAccountItem[];
}
const rawIdl = (program: ProgramName) =>
  (program === "shield_pool" ? SHIELD_POOL_IDL : SCRAMBLE_REGISTRY_IDL) as unknown as { instructions: readonly IdlInstructionItem[] };
const programIdOf = (program: ProgramName) => (program === "shield_pool" ? SHIELD_POOL_PROGRAM_ID : SCRAMBLE_REGISTRY_PROGRAM_ID);
const idlInstruction = (program: ProgramName, name: string) => {
  const found = rawIdl(program).instructions.find((ix) => ix.name === name);
  assert.ok(found, `${program} IDL has no ${name}`);
  return found;
};
const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The decoded args of an instruction, camelCase, as Anchor's coder reads them back. */
function decodedArgs(program: ProgramName, ix: TransactionInstruction): Record<string, unknown> {
  const coder = program === "shield_pool" ? offlineShieldPoolProgram().coder : offlineScrambleRegistryProgram().coder;
  const decoded = (coder.instruction as BorshInstructionCoder).decode(Buffer.from(ix.data));
  assert.ok(decoded, "instruction data decodes");
  return decoded.data as Record<string, unknown>;
}

/** A seed's bytes: constants as given, accounts from the instruction's keys, args from its data; undefined for account-data paths. */
function seedBytes(seed: IdlSeed, accounts: readonly IdlAccountItem[], ix: TransactionInstruction, args: Record<string, unknown>): Uint8Array | undefined {
  if (seed.kind === "const") return Uint8Array.from(seed.value ?? []);
  if (seed.kind === "account") {
    if (seed.path?.includes(".")) return undefined; // read from another account's data
    const index = accounts.findIndex((account) => account.name === seed.path);
    return ix.keys[index]!.pubkey.toBytes();
  }
  // An arg path such as "public_inputs.input_nullifiers [0]" or "slot".
  let value: unknown = args;
  for (const segment of (seed.path ?? "").split(".")) {
    const [, name, index] = /^(\w+)(?: \[(\d+)\])?$/.exec(segment) ?? [];
    value = (value as Record<string, unknown>)[camel(name!)];
    if (index !== undefined) value = (value as unknown[])[Number(index)];
  }
  if (Array.isArray(value)) return Uint8Array.from(value as number[]);
  return Uint8Array.from((value as BN).toArrayLike(Buffer, "le", 8)); // the IDLs' only integer seed is a u64
}

describe("Solana instruction builders", () => {
  it("cover every instruction of both IDLs", () => {
    assert.deepEqual(Object.keys(shieldPoolInstructions).sort(), SHIELD_POOL_IDL.instructions.map((ix) => camel(ix.name)).sort());
    assert.deepEqual(Object.keys(scrambleRegistryInstructions).sort(), SCRAMBLE_REGISTRY_IDL.instructions.map((ix) => camel(ix.name)).sort());
    const sampled = new Set(samples.map((sample) => `${sample.program}.${sample.name}`));
    for (const program of ["shield_pool", "scramble_registry"] as const) {
      for (const ix of rawIdl(program).instructions) assert.ok(sampled.has(`${program}.${ix.name}`), `no sample for ${program}.${ix.name}`);
    }
  });

  it("address each instruction to its program", async () => {
    for (const sample of samples) {
      const ix = await sample.build();
      assert.ok(ix.programId.equals(programIdOf(sample.program)), sample.name);
    }
  });

  it("open each instruction's data with its IDL discriminator", async () => {
    for (const sample of samples) {
      const ix = await sample.build();
      assert.deepEqual([...ix.data.subarray(0, 8)], [...idlInstruction(sample.program, sample.name).discriminator], sample.name);
    }
  });

  it("list the accounts in the IDL's order with its writable and signer flags, absent optional ones read-only", async () => {
    for (const sample of samples) {
      const ix = await sample.build();
      const programId = programIdOf(sample.program);
      const { accounts } = idlInstruction(sample.program, sample.name);
      assert.equal(ix.keys.length, accounts.length, sample.name);
      accounts.forEach((account, i) => {
        const meta = ix.keys[i]!;
        const label = `${sample.name}.${account.name}`;
        if (account.optional && meta.pubkey.equals(programId)) {
          assert.deepEqual([meta.isWritable, meta.isSigner], [false, false], label);
          return;
        }
        assert.equal(meta.isWritable, Boolean(account.writable), `${label} writable`);
        assert.equal(meta.isSigner, Boolean(account.signer), `${label} signer`);
        if (account.address) assert.equal(meta.pubkey.toBase58(), account.address, `${label} address`);
      });
    }
  });

  it("derive every PDA account from the seeds the IDL declares", async () => {
    let checked = 0;
    for (const sample of samples) {
      const ix = await sample.build();
      const { accounts } = idlInstruction(sample.program, sample.name);
      const args = decodedArgs(sample.program, ix);
      accounts.forEach((account, i) => {
        if (!account.pda) return;
        const seeds = account.pda.seeds.map((seed) => seedBytes(seed, accounts, ix, args));
        if (seeds.some((seed) => seed === undefined)) return;
        const owner = account.pda.program ? new PublicKey(seedBytes(account.pda.program, accounts, ix, args)!) : programIdOf(sample.program);
        const [expected] = PublicKey.findProgramAddressSync(seeds as Uint8Array[], owner);
        assert.ok(ix.keys[i]!.pubkey.equals(expected), `${sample.name}.${account.name}`);
        checked++;
      });
    }
    assert.ok(checked > 20, `checked ${checked} PDAs`);
  });

  it("derive the Miner PDA from the claim's miner authority in reveal, consume and close", async () => {
    const [miner] = minerPda(minerAuthority);
    const reveal = await revealClaimInstruction({ authority: minerAuthority, claim });
    const consume = await consumeClaimInstruction({ claim, minerAuthority, batchHash: new Uint8Array(32) });
    const close = await closeExpiredClaimInstruction({ claim, minerAuthority, caller: key(6) });
    for (const ix of [reveal, consume, close]) {
      assert.ok(ix.keys[0]!.pubkey.equals(registryPda()[0]));
      assert.ok(ix.keys[1]!.pubkey.equals(claim));
      assert.ok(ix.keys[2]!.pubkey.equals(miner));
    }
  });

  it("pass the SlotHashes sysvar and the system program to mine_claim", async () => {
    const ix = await mineClaimInstruction({ authority, slot: 1n, slotHash: new Uint8Array(32), batchHash: new Uint8Array(32), nonce: 0n });
    assert.ok(ix.keys[4]!.pubkey.equals(SYSVAR_SLOT_HASHES_PUBKEY));
    assert.ok(ix.keys[5]!.pubkey.equals(SystemProgram.programId));
  });

  it("have consume_claim signed by the shield pool's config PDA unless told otherwise", async () => {
    const ix = await consumeClaimInstruction({ claim, minerAuthority, batchHash: new Uint8Array(32) });
    assert.ok(ix.keys[3]!.pubkey.equals(configPda()[0]));
    assert.equal(ix.keys[3]!.isSigner, true);
  });

  it("build for another deployment, deriving its PDAs under its program id", async () => {
    const programId = key(0x42);
    const ix = await initializeSolPoolInstruction({ admin, maxDeposit: 1n, maxFee: 0n, programId });
    assert.ok(ix.programId.equals(programId));
    assert.ok(ix.keys[0]!.pubkey.equals(configPda(programId)[0]));
    assert.ok(ix.keys[1]!.pubkey.equals(poolPda(NATIVE_MINT, programId)[0]));
  });

  it("end every event-emitting instruction with its program's event authority and the program itself", async () => {
    let checked = 0;
    for (const sample of samples) {
      const { accounts } = idlInstruction(sample.program, sample.name);
      if (accounts.at(-2)?.name !== "event_authority") continue;
      const ix = await sample.build();
      const programId = programIdOf(sample.program);
      assert.deepEqual(
        ix.keys.slice(-2),
        [
          { pubkey: eventAuthorityPda(programId)[0], isSigner: false, isWritable: false },
          { pubkey: programId, isSigner: false, isWritable: false },
        ],
        `${sample.program}.${sample.name}`,
      );
      checked++;
    }
    // transact (in its 5 sampled shapes), the shield pool's 19 governance instructions, its 2 pool
    // openings and grow_tree, and the registry's 4.
    assert.equal(checked, 31);
  });

  it("pass each program's ProgramData, the upgradeable loader's PDA of its id, to initialize before the system program", async () => {
    const shield = await shieldPoolInstructions.initialize(initializeConfig);
    const registryInit = await scrambleRegistryInstructions.initialize({ admin, params: registryParams });
    for (const [ix, programId] of [
      [shield, SHIELD_POOL_PROGRAM_ID],
      [registryInit, SCRAMBLE_REGISTRY_PROGRAM_ID],
    ] as const) {
      const [programData] = PublicKey.findProgramAddressSync([programId.toBuffer()], BPF_LOADER_UPGRADEABLE_PROGRAM_ID);
      assert.ok(programDataPda(programId)[0].equals(programData));
      assert.deepEqual(ix.keys[2], { pubkey: programData, isSigner: false, isWritable: false });
      assert.ok(ix.keys[3]!.pubkey.equals(SystemProgram.programId));
    }
  });

  it("derive initialize's ProgramData and event authority under another deployment's program id", async () => {
    const programId = key(0x42);
    const ix = await shieldPoolInstructions.initialize({ ...initializeConfig, programId });
    assert.ok(ix.keys[2]!.pubkey.equals(programDataPda(programId)[0]));
    assert.ok(ix.keys[4]!.pubkey.equals(eventAuthorityPda(programId)[0]));
    assert.ok(ix.keys[5]!.pubkey.equals(programId));
  });

  it("carry initialize's security council and delay in seconds as the program's InitializeParams", async () => {
    const args = decodedArgs("shield_pool", await shieldPoolInstructions.initialize(initializeConfig));
    const params = args.params as { pauseAuthority: PublicKey; securityCouncil: PublicKey; verifyingKeyDelaySeconds: BN; powRequired: boolean };
    assert.ok(params.pauseAuthority.equals(key(8)));
    assert.ok(params.securityCouncil.equals(securityCouncil));
    assert.equal(params.verifyingKeyDelaySeconds.toString(), "172800");
    assert.equal(params.powRequired, true);
  });

  it("have the security council sign its emergency key and its handover, and each pending holder sign its acceptance", async () => {
    const signers = async (build: Promise<TransactionInstruction>) => (await build).keys.filter((meta) => meta.isSigner).map((meta) => meta.pubkey.toBase58());
    assert.deepEqual(await signers(shieldPoolInstructions.emergencySetVerifyingKey({ securityCouncil, verifyingKey })), [securityCouncil.toBase58()]);
    assert.deepEqual(
      await signers(shieldPoolInstructions.transferSecurityCouncil({ securityCouncil, newSecurityCouncil: key(7) })),
      [securityCouncil.toBase58()],
    );
    assert.deepEqual(await signers(shieldPoolInstructions.acceptSecurityCouncil({ pendingSecurityCouncil: key(7) })), [key(7).toBase58()]);
    assert.deepEqual(await signers(shieldPoolInstructions.acceptPauseAuthority({ pendingPauseAuthority: key(7) })), [key(7).toBase58()]);
    assert.deepEqual(await signers(scrambleRegistryInstructions.acceptAdmin({ pendingAdmin: key(7) })), [key(7).toBase58()]);
  });
});

describe("growTreeInstructions", () => {
  it("take a just-opened pool's tree to full size in steps of MAX_ACCOUNT_GROWTH bytes", async () => {
    const instructions = await growTreeInstructions({ mint: NATIVE_MINT, payer });
    assert.equal(commitmentTreeSpace(), 131_776);
    assert.equal(instructions.length, Math.ceil((131_776 - MAX_ACCOUNT_GROWTH) / MAX_ACCOUNT_GROWTH));
    assert.equal(instructions.length, 12);
    const [pool] = poolPda(NATIVE_MINT);
    assert.ok(instructions.every((ix) => ix.keys[1]!.pubkey.equals(treePda(pool)[0]) && ix.keys[2]!.pubkey.equals(payer)));
  });

  it("fit in one legacy transaction, event accounts included", async () => {
    const instructions = await growTreeInstructions({ mint: NATIVE_MINT, payer });
    const transaction = new Transaction({ feePayer: payer, recentBlockhash: key(0x62).toBase58() }).add(...instructions);
    const size = transaction.serialize({ requireAllSignatures: false, verifySignatures: false }).length;
    assert.ok(size <= 1232, `${size} bytes`);
  });

  it("need none for a tree at full size, and only the rest for a partly grown one", async () => {
    assert.equal((await growTreeInstructions({ mint: NATIVE_MINT, payer, currentSize: commitmentTreeSpace() })).length, 0);
    assert.equal((await growTreeInstructions({ mint: NATIVE_MINT, payer, currentSize: commitmentTreeSpace() - 1 })).length, 1);
  });
});

describe("transactInstruction", () => {
  const keysOf = async (input: TransactInput) => {
    const ix = await transactInstruction(input);
    const names = SHIELD_POOL_IDL.instructions.find((candidate) => candidate.name === "transact")!.accounts.map((account) => account.name);
    return Object.fromEntries(names.map((name, i) => [name, ix.keys[i]!.pubkey])) as Record<string, PublicKey>;
  };
  const absent = (value: PublicKey | undefined) => value?.equals(SHIELD_POOL_PROGRAM_ID) === true;

  it("encodes the proof, the public inputs and the ext data as the program's borsh arguments", async () => {
    const transaction = solStep("withdraw");
    const ix = await transactInstruction(transactInput(NATIVE_MINT, transaction));
    const expected = Buffer.concat([
      Buffer.from(SHIELD_POOL_IDL.instructions.find((candidate) => candidate.name === "transact")!.discriminator),
      transaction.proof as Uint8Array,
      encodeSolanaTransactPublicInputs(transaction.publicInputs, 0),
      encodeSolanaExtData(transaction.extData),
    ]);
    assert.equal(ix.data.length, 8 + 256 + 164 + 306);
    assert.deepEqual(ix.data, expected);
  });

  it("takes the prover's proof object as well as its 256 bytes", async () => {
    const transaction = solStep("withdraw");
    const asObject: SolanaTransactPayload = { ...transaction, proof: decodeSolanaProof(transaction.proof as Uint8Array) };
    const fromBytes = await transactInstruction(transactInput(NATIVE_MINT, transaction));
    const fromObject = await transactInstruction(transactInput(NATIVE_MINT, asObject));
    assert.deepEqual(encodeSolanaProof(asObject.proof as ReturnType<typeof decodeSolanaProof>), transaction.proof);
    assert.deepEqual(fromObject.data, fromBytes.data);
  });

  it("spends the nullifiers of the public inputs in the pool of the mint", async () => {
    const transaction = solStep("transfer");
    const accounts = await keysOf(transactInput(NATIVE_MINT, transaction));
    const [pool] = poolPda(NATIVE_MINT);
    const nullifier = (value: bigint) =>
      PublicKey.findProgramAddressSync([Buffer.from("nullifier"), pool.toBuffer(), Buffer.from(value.toString(16).padStart(64, "0"), "hex")], SHIELD_POOL_PROGRAM_ID)[0];
    assert.ok(accounts.pool!.equals(pool));
    assert.ok(accounts.nullifier0!.equals(nullifier(transaction.publicInputs.inputNullifiers[0])));
    assert.ok(accounts.nullifier1!.equals(nullifier(transaction.publicInputs.inputNullifiers[1])));
  });

  it("ends with the event authority and the shield pool itself, for the Transacted self-CPI", async () => {
    const ix = await transactInstruction(transactInput(NATIVE_MINT, solStep("deposit")));
    const [eventAuthority, program] = ix.keys.slice(-2);
    assert.deepEqual(eventAuthority, { pubkey: eventAuthorityPda()[0], isSigner: false, isWritable: false });
    assert.deepEqual(program, { pubkey: SHIELD_POOL_PROGRAM_ID, isSigner: false, isWritable: false });
  });

  it("derives the event authority under another deployment's program id", async () => {
    const programId = key(0x42);
    const transaction = solStep("deposit");
    // The ext data hash binds the program and pool: rebind the public inputs to this deployment's.
    const extDataHash = hashSolanaExtData(transaction.extData, programId, poolPda(NATIVE_MINT, programId)[0]);
    const rebound = { ...transaction, publicInputs: { ...transaction.publicInputs, extDataHash } };
    const ix = await transactInstruction(transactInput(NATIVE_MINT, rebound, { programId }));
    assert.deepEqual(
      ix.keys.slice(-2).map((meta) => meta.pubkey),
      [eventAuthorityPda(programId)[0], programId],
    );
  });

  it("leaves every optional account absent for a SOL deposit", async () => {
    const accounts = await keysOf(transactInput(NATIVE_MINT, solStep("deposit")));
    for (const name of ["recipient", "relayer_fee_account", "depositor_token_account", "token_program", "scramble_registry_program", "pow_registry", "pow_claim", "pow_miner", "miner_fee_account"]) {
      assert.ok(absent(accounts[name]), name);
    }
    assert.ok(accounts.payer!.equals(payer));
  });

  it("pays a SOL withdrawal to extData.recipient and the fee to the relayer itself", async () => {
    const transaction = solStep("withdraw");
    const accounts = await keysOf(transactInput(NATIVE_MINT, transaction));
    assert.ok(accounts.recipient!.equals(transaction.extData.recipient));
    assert.ok(accounts.relayer_fee_account!.equals(transaction.extData.relayer));
    assert.ok(absent(accounts.token_program));
    assert.ok(absent(accounts.pow_claim));
  });

  it("takes a token deposit from the payer's associated token account, with the token program", async () => {
    const accounts = await keysOf(transactInput(tokenMint, tokenStep("deposit")));
    assert.ok(accounts.depositor_token_account!.equals(getAssociatedTokenAddressSync(tokenMint, payer, true)));
    assert.ok(accounts.token_program!.equals(TOKEN_PROGRAM_ID));
    assert.ok(absent(accounts.recipient));
  });

  it("pays a token withdrawal's fee to the relayer's associated token account unless given one", async () => {
    const transaction = tokenStep("withdraw");
    const byDefault = await keysOf(transactInput(tokenMint, transaction));
    const given = await keysOf(transactInput(tokenMint, transaction, { relayerFeeAccount: key(0x31) }));
    assert.ok(byDefault.relayer_fee_account!.equals(getAssociatedTokenAddressSync(tokenMint, transaction.extData.relayer, true)));
    assert.ok(given.relayer_fee_account!.equals(key(0x31)));
    assert.ok(byDefault.recipient!.equals(transaction.extData.recipient));
  });

  it("passes the registry program, its registry, the claim, the Miner PDA and the miner for a PoW-gated withdrawal", async () => {
    const accounts = await keysOf(powWithdraw());
    assert.ok(accounts.scramble_registry_program!.equals(SCRAMBLE_REGISTRY_PROGRAM_ID));
    assert.ok(accounts.pow_registry!.equals(registryPda()[0]));
    assert.ok(accounts.pow_claim!.equals(claim));
    assert.ok(accounts.pow_miner!.equals(minerPda(minerAuthority)[0]));
    assert.ok(accounts.miner_fee_account!.equals(minerAuthority));
  });

  it("refuses a missing payer, naming it", async () => {
    const input = { mint: NATIVE_MINT, transaction: solStep("deposit") } as unknown as TransactInput;
    await assertCloakErrorAsync(() => transactInstruction(input), ErrorCode.INVALID_INSTRUCTION_INPUT, "payer: is required");
  });

  it("refuses a missing mint, naming it", async () => {
    const input = { payer, transaction: solStep("deposit") } as unknown as TransactInput;
    await assertCloakErrorAsync(() => transactInstruction(input), ErrorCode.INVALID_INSTRUCTION_INPUT, "mint: is required");
  });

  it("refuses a proof whose ext data hash binds another pool", async () => {
    await assertCloakErrorAsync(
      () => transactInstruction(transactInput(tokenMint, solStep("deposit"))),
      ErrorCode.INVALID_INSTRUCTION_INPUT,
      "transaction.publicInputs.extDataHash",
    );
  });

  it("refuses a recipient other than extData.recipient for a withdrawal", async () => {
    await assertCloakErrorAsync(
      () => transactInstruction(transactInput(NATIVE_MINT, solStep("withdraw"), { recipient: key(0x21) })),
      ErrorCode.INVALID_INSTRUCTION_INPUT,
      "recipient",
    );
  });

  it("refuses a SOL pool relayer fee account other than the relayer", async () => {
    await assertCloakErrorAsync(
      () => transactInstruction(transactInput(NATIVE_MINT, solStep("withdraw"), { relayerFeeAccount: key(0x22) })),
      ErrorCode.INVALID_INSTRUCTION_INPUT,
      "relayerFeeAccount",
    );
  });

  it("refuses a depositor token account for the SOL pool", async () => {
    await assertCloakErrorAsync(
      () => transactInstruction(transactInput(NATIVE_MINT, solStep("deposit"), { depositorTokenAccount: key(0x23) })),
      ErrorCode.INVALID_INSTRUCTION_INPUT,
      "depositorTokenAccount",
    );
  });

  it("refuses PoW accounts for a transaction paying no fee", async () => {
    await assertCloakErrorAsync(
      () => transactInstruction(transactInput(NATIVE_MINT, solStep("deposit"), { pow: { claim, minerAuthority } })),
      ErrorCode.INVALID_INSTRUCTION_INPUT,
      "pow",
    );
  });

  it("refuses a fee-paying transact whose payer is not extData.relayer, who must sign it", async () => {
    await assertCloakErrorAsync(
      () => transactInstruction(transactInput(NATIVE_MINT, solStep("withdraw"), { payer })),
      ErrorCode.INVALID_INSTRUCTION_INPUT,
      "payer",
    );
  });

  it("carries the root's position after the public inputs, as a u32", async () => {
    const transaction = solStep("transfer");
    const ix = await transactInstruction(transactInput(NATIVE_MINT, transaction, { rootIndex: SOLANA_ROOT_HISTORY_SIZE + 2 }));
    const offset = 8 + 256 + 160;
    assert.equal(Buffer.from(ix.data).readUInt32LE(offset), SOLANA_ROOT_HISTORY_SIZE + 2);
  });

  it("refuses a root index that is not a u32", async () => {
    for (const rootIndex of [-1, 1.5, 2 ** 32]) {
      await assertCloakErrorAsync(
        () => transactInstruction(transactInput(NATIVE_MINT, solStep("deposit"), { rootIndex })),
        ErrorCode.INVALID_INSTRUCTION_INPUT,
        "rootIndex",
      );
    }
  });

  it("refuses proof bytes that are not 256 long", async () => {
    const transaction = { ...solStep("deposit"), proof: new Uint8Array(255) };
    await assertCloakErrorAsync(() => transactInstruction(transactInput(NATIVE_MINT, transaction)), ErrorCode.INVALID_INSTRUCTION_INPUT, "transaction.proof");
  });

  it("refuses a proof object whose coordinates are not numbers", async () => {
    const transaction = { ...solStep("deposit"), proof: { pi_a: ["x", "1"], pi_b: [["1", "1"], ["1", "1"]], pi_c: ["1", "1"] } } as unknown as SolanaTransactPayload;
    await assertCloakErrorAsync(() => transactInstruction(transactInput(NATIVE_MINT, transaction)), ErrorCode.INVALID_INSTRUCTION_INPUT, "transaction.proof");
  });

  it("refuses ext data whose ciphertext has the wrong length", async () => {
    const transaction = solStep("deposit");
    transaction.extData = { ...transaction.extData, encryptedOutput2: new Uint8Array(112) };
    await assertCloakErrorAsync(() => transactInstruction(transactInput(NATIVE_MINT, transaction)), ErrorCode.INVALID_EXT_DATA, "extData.encryptedOutput2");
  });
});

describe("instruction builder inputs", () => {
  it("refuse a u64 argument out of range, naming it", async () => {
    await assertCloakErrorAsync(() => setPoolLimitsInstruction({ admin, mint: tokenMint, maxDeposit: -1n, maxFee: 0n }), ErrorCode.INVALID_INSTRUCTION_INPUT, "maxDeposit");
  });

  it("refuse a rotation delay that is not an i64, naming it", async () => {
    await assertCloakErrorAsync(
      () => shieldPoolInstructions.setVerifyingKeyDelay({ admin, delaySeconds: 2n ** 63n }),
      ErrorCode.INVALID_INSTRUCTION_INPUT,
      "delaySeconds",
    );
    await assertCloakErrorAsync(
      () => shieldPoolInstructions.initialize({ ...initializeConfig, verifyingKeyDelaySeconds: 2n ** 63n }),
      ErrorCode.INVALID_INSTRUCTION_INPUT,
      "verifyingKeyDelaySeconds",
    );
  });

  it("refuse a missing security council at initialize, naming it", async () => {
    const input = { ...initializeConfig, securityCouncil: undefined } as unknown as Parameters<typeof shieldPoolInstructions.initialize>[0];
    await assertCloakErrorAsync(() => shieldPoolInstructions.initialize(input), ErrorCode.INVALID_INSTRUCTION_INPUT, "securityCouncil: is required");
  });

  it("refuse an emergency verifying key without eight ic points", async () => {
    await assertCloakErrorAsync(
      () => shieldPoolInstructions.emergencySetVerifyingKey({ securityCouncil, verifyingKey: { ...verifyingKey, ic: verifyingKey.ic.slice(1) } }),
      ErrorCode.INVALID_INSTRUCTION_INPUT,
      "verifyingKey.ic",
    );
  });

  it("refuse a u16 registry parameter out of range, naming it", async () => {
    await assertCloakErrorAsync(
      () => updateRegistryParamsInstruction({ admin, params: { ...registryParams, minerFeeShareBps: 70_000 } }),
      ErrorCode.INVALID_INSTRUCTION_INPUT,
      "params.minerFeeShareBps",
    );
  });

  it("refuse a verifying key without eight ic points", async () => {
    await assertCloakErrorAsync(
      () => proposeVerifyingKeyInstruction({ admin, verifyingKey: { ...verifyingKey, ic: verifyingKey.ic.slice(1) } }),
      ErrorCode.INVALID_INSTRUCTION_INPUT,
      "verifyingKey.ic",
    );
  });

  it("refuse a slot hash that is not 32 bytes", async () => {
    await assertCloakErrorAsync(
      () => mineClaimInstruction({ authority, slot: 1n, slotHash: new Uint8Array(31), batchHash: new Uint8Array(32), nonce: 0n }),
      ErrorCode.INVALID_INSTRUCTION_INPUT,
      "slotHash",
    );
  });

  it("refuse the native mint as a token pool's mint", async () => {
    await assertCloakErrorAsync(
      () => initializeTokenPoolInstruction({ admin, mint: NATIVE_MINT, maxDeposit: 1n, maxFee: 0n }),
      ErrorCode.INVALID_INSTRUCTION_INPUT,
      "mint",
    );
  });

  it("refuse a missing signer, naming it", async () => {
    const input = { maxDeposit: 1n, maxFee: 0n } as unknown as Parameters<typeof initializeSolPoolInstruction>[0];
    await assertCloakErrorAsync(() => initializeSolPoolInstruction(input), ErrorCode.INVALID_INSTRUCTION_INPUT, "admin: is required");
  });

  it("refuse something that is not a public key, naming it", async () => {
    const input = { admin, relayer: "not a key" } as unknown as Parameters<typeof shieldPoolInstructions.addRelayer>[0];
    await assertCloakErrorAsync(() => shieldPoolInstructions.addRelayer(input), ErrorCode.INVALID_INSTRUCTION_INPUT, "relayer: not a PublicKey");
  });
});

describe("transact packets", () => {
  const table = (addresses: PublicKey[]) =>
    new AddressLookupTableAccount({
      key: key(0x61),
      state: { deactivationSlot: 2n ** 64n - 1n, lastExtendedSlot: 0, lastExtendedSlotStartIndex: 0, addresses },
    });
  const PACKET_DATA_SIZE = 1232;
  const recentBlockhash = key(0x62).toBase58();

  it("fit a PoW-gated withdrawal with a compute budget in a v0 transaction using the pool's lookup table", async () => {
    const ix = await transactInstruction(powWithdraw());
    const lookupTable = table(transactLookupTableAddresses({ mint: NATIVE_MINT, miners: [minerAuthority] }));
    const instructions = [ComputeBudgetProgram.setComputeUnitLimit({ units: 400_000 }), ix];
    const size = buildV0Transaction({ payer: relayer, recentBlockhash, instructions, lookupTables: [lookupTable] }).serialize().length;
    assert.ok(size <= PACKET_DATA_SIZE, `${size} bytes`);
  });

  it("do not fit a withdrawal in a legacy transaction", async () => {
    const ix = await transactInstruction(transactInput(NATIVE_MINT, solStep("withdraw")));
    const legacy = new Transaction({ feePayer: payer, recentBlockhash }).add(ix);
    assert.throws(() => legacy.serialize({ requireAllSignatures: false, verifySignatures: false }), /too large/);
  });

  it("list the pool's fixed accounts for its lookup table, the token program only for token pools", () => {
    const [pool] = poolPda(tokenMint);
    const sol = transactLookupTableAddresses({ mint: NATIVE_MINT });
    const token = transactLookupTableAddresses({ mint: tokenMint });
    assert.equal(sol.length, 6);
    assert.ok(sol.some((address) => address.equals(eventAuthorityPda()[0])));
    assert.ok(!sol.some((address) => address.equals(TOKEN_PROGRAM_ID)));
    assert.ok(token.some((address) => address.equals(TOKEN_PROGRAM_ID)));
    assert.ok(token.some((address) => address.equals(pool)));
    assert.ok(token.some((address) => address.equals(configPda()[0])));
  });
});
