// The Solana deployment, in order and resumable: the scramble registry, the shield pool's config, a SOL
// pool, a test SPL mint and its pool, both trees grown to full size. Each step first looks at the chain:
// an account that exists is checked against what the step would have made and kept; only missing ones
// are created. The deployment file is rewritten after every step.
import { fileURLToPath } from "node:url";
import { createInitializeMint2Instruction, getMint, MINT_SIZE, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { PublicKey, SystemProgram, type Connection, type Keypair } from "@solana/web3.js";
import {
  MIN_VERIFYING_KEY_DELAY_SECONDS,
  NATIVE_MINT,
  SCRAMBLE_REGISTRY_PROGRAM_ID,
  SHIELD_POOL_PROGRAM_ID,
  commitmentTreeSpace,
  configPda,
  fetchConfig,
  fetchPool,
  fetchRegistry,
  growTreeInstructions,
  initializeConfigInstruction,
  initializeRegistryInstruction,
  initializeSolPoolInstruction,
  initializeTokenPoolInstruction,
  poolPda,
  programDataPda,
  registryPda,
  transferAdminInstruction,
  transferRegistryAdminInstruction,
  treePda,
  vaultPda,
  type RegistryParams,
} from "@cloak/sdk/solana";
import { TaskError, TaskErrorCode } from "../../lib/errors.ts";
import { readSolanaDeploymentFile, solanaDeploymentPath, writeSolanaDeployment, SOLANA_DEPLOYMENT_FORMAT, type SolanaDeployment, type SolanaPoolRecord } from "./deployment.ts";
import { sendInstructions, type SolanaAction } from "./send.ts";

export type { SolanaDeployment, SolanaPoolRecord } from "./deployment.ts";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

/** The test mint lives at createWithSeed(authority, TEST_MINT_SEED, SPL Token): a rerun finds it again without a keypair. */
export const TEST_MINT_SEED = "cloak-test-mint";
export const TEST_MINT_DECIMALS = 6;

/** Pool limits a deploy opens pools with, in base units: 10 SOL (10,000 tokens) per deposit, 0.1 SOL (100 tokens) per fee. */
export const DEFAULT_MAX_DEPOSIT = 10_000_000_000n;
export const DEFAULT_MAX_FEE = 100_000_000n;

/** The registry's parameters unless given: an easy difficulty (a laptop mines a claim in well under a second), 20 % of fees to miners. */
export const DEFAULT_REGISTRY_PARAMS: Omit<RegistryParams, "consumerAuthority"> = {
  initialDifficulty: 1_000n,
  minDifficulty: 1n,
  maxDifficulty: 1_000_000_000_000n,
  targetIntervalSlots: 10n,
  minerFeeShareBps: 2_000,
  revealWindowSlots: 150n,
  claimWindowSlots: 1_500n,
  maxConsumptions: 3,
};

/** A full-grown tree takes 12 grow_tree calls; their reallocations and event CPIs need more than the default 200,000 CU. */
const GROW_TREE_COMPUTE_UNITS = 1_400_000;

export interface SolanaDeployOptions {
  connection: Connection;
  /** Both programs' upgrade authority (initialize requires it): signs and pays every step and becomes both admins. */
  authority: Keypair;
  /** Names the file, `deployments/solana-<cluster>.json`. */
  cluster: string;
  /** Where the record goes instead (default: deployments/, or CLOAK_DEPLOYMENTS_DIR when set). */
  deploymentFile?: string;
  /** The token pool's mint: "create" (default) makes a 6-decimal mint the authority mints; a key uses that mint; null opens no token pool. */
  tokenMint?: "create" | PublicKey | null;
  /** Hands both programs' admin to this key once deployed (two-step: it accepts with solana:admin:accept / solana:registry:admin:accept). */
  admin?: PublicKey;
  /** May pause besides the admin; none (the zero key) unless given. */
  pauseAuthority?: PublicKey;
  /** May install a verifying key at once while paused; none unless given. */
  securityCouncil?: PublicKey;
  /** Default and minimum: 48 hours. */
  verifyingKeyDelaySeconds?: bigint;
  /** Whether relayed withdrawals (every fee > 0) must consume a PoW claim; default true, the protocol as designed. */
  powRequired?: boolean;
  registryParams?: Partial<Omit<RegistryParams, "consumerAuthority">>;
  maxDeposit?: bigint;
  maxFee?: bigint;
  log?: (line: string) => void;
}

/** Deploys, or completes a deployment of, the Solana side; returns the record it wrote. */
export async function deploySolana(options: SolanaDeployOptions): Promise<SolanaDeployment> {
  const { connection, authority } = options;
  const log = options.log ?? (() => {});
  const path = options.deploymentFile ?? solanaDeploymentPath(repoRoot, options.cluster);
  const genesisHash = await connection.getGenesisHash();
  const shieldPool = SHIELD_POOL_PROGRAM_ID;
  const registryProgram = SCRAMBLE_REGISTRY_PROGRAM_ID;
  const [config] = configPda(shieldPool);

  let record = readSolanaDeploymentFile(path);
  if (record && record.genesisHash !== genesisHash) {
    if (options.cluster !== "localnet") {
      throw new TaskError(TaskErrorCode.CHAIN_MISMATCH, `${path} is for the cluster with genesis hash ${record.genesisHash}, not ${genesisHash}: move it away to deploy afresh`);
    }
    log(`  ! ${path} belongs to an earlier local node (genesis ${record.genesisHash}); starting a new record`);
    record = null;
  }
  const deployment: SolanaDeployment = record ?? {
    format: SOLANA_DEPLOYMENT_FORMAT,
    cluster: options.cluster,
    genesisHash,
    authority: authority.publicKey.toBase58(),
    programs: { shieldPool: shieldPool.toBase58(), scrambleRegistry: registryProgram.toBase58() },
    accounts: {
      config: config.toBase58(),
      registry: registryPda(registryProgram)[0].toBase58(),
      shieldPoolProgramData: programDataPda(shieldPool)[0].toBase58(),
      scrambleRegistryProgramData: programDataPda(registryProgram)[0].toBase58(),
    },
    pools: {},
    completed: [],
    updatedAt: new Date().toISOString(),
  };
  const save = () => writeSolanaDeployment(path, deployment);
  save();

  const send = (action: SolanaAction) => sendInstructions(connection, authority, action, deployment);
  /** Runs `make` unless `exists` finds (and checks) what it would make; records the step either way. */
  async function step(name: string, exists: () => Promise<boolean>, make: () => Promise<string>): Promise<void> {
    if (await exists()) {
      log(`  = ${name} (already done)`);
    } else {
      const signature = await make();
      log(`  + ${name} (${signature})`);
    }
    if (!deployment.completed.includes(name)) deployment.completed.push(name);
    save();
  }
  const mismatch = (what: string) => new TaskError(TaskErrorCode.DEPLOYMENT_INVALID, `${what}: an existing account differs from what this deploy makes; it was deployed otherwise`);

  const registryParams: RegistryParams = { ...DEFAULT_REGISTRY_PARAMS, ...options.registryParams, consumerAuthority: config };
  await step(
    "registry",
    async () => {
      const registry = await fetchRegistry(connection, { programId: registryProgram });
      if (registry && !registry.consumerAuthority.equals(config)) throw mismatch(`the registry's consumer authority ${registry.consumerAuthority.toBase58()} is not the shield pool's config ${config.toBase58()}`);
      return registry !== null;
    },
    async () =>
      (await send({ description: "initialize the scramble registry", instructions: [await initializeRegistryInstruction({ admin: authority.publicKey, params: registryParams, programId: registryProgram })] }))
        .signature,
  );

  const delay = options.verifyingKeyDelaySeconds ?? MIN_VERIFYING_KEY_DELAY_SECONDS;
  await step(
    "config",
    async () => (await fetchConfig(connection, { programId: shieldPool })) !== null,
    async () =>
      (
        await send({
          description: "initialize the shield pool config",
          instructions: [
            await initializeConfigInstruction({
              admin: authority.publicKey,
              pauseAuthority: options.pauseAuthority ?? PublicKey.default,
              securityCouncil: options.securityCouncil ?? PublicKey.default,
              verifyingKeyDelaySeconds: delay,
              powRequired: options.powRequired ?? true,
              programId: shieldPool,
            }),
          ],
        })
      ).signature,
  );

  const limits = { maxDeposit: options.maxDeposit ?? DEFAULT_MAX_DEPOSIT, maxFee: options.maxFee ?? DEFAULT_MAX_FEE };
  await openPool("sol", NATIVE_MINT);

  const tokenMint = options.tokenMint === undefined ? "create" : options.tokenMint;
  if (tokenMint !== null) {
    const mint = tokenMint === "create" ? await PublicKey.createWithSeed(authority.publicKey, TEST_MINT_SEED, TOKEN_PROGRAM_ID) : tokenMint;
    if (tokenMint === "create") {
      await step(
        "mint",
        async () => {
          const info = await connection.getAccountInfo(mint);
          if (!info) return false;
          const existing = await getMint(connection, mint);
          if (existing.decimals !== TEST_MINT_DECIMALS || !existing.mintAuthority?.equals(authority.publicKey)) throw mismatch(`the test mint ${mint.toBase58()}`);
          return true;
        },
        async () => {
          const lamports = await connection.getMinimumBalanceForRentExemption(MINT_SIZE);
          const create = SystemProgram.createAccountWithSeed({
            fromPubkey: authority.publicKey,
            basePubkey: authority.publicKey,
            seed: TEST_MINT_SEED,
            newAccountPubkey: mint,
            lamports,
            space: MINT_SIZE,
            programId: TOKEN_PROGRAM_ID,
          });
          const initialize = createInitializeMint2Instruction(mint, TEST_MINT_DECIMALS, authority.publicKey, null);
          return (await send({ description: "create the test mint", instructions: [create, initialize] })).signature;
        },
      );
      deployment.testMint = { address: mint.toBase58(), decimals: TEST_MINT_DECIMALS, mintAuthority: authority.publicKey.toBase58() };
      save();
    }
    await openPool("token", mint);
  }

  if (options.admin && !options.admin.equals(authority.publicKey)) {
    const newAdmin = options.admin;
    await step(
      "admin-transfer",
      async () => {
        const current = await fetchConfig(connection, { programId: shieldPool });
        return current !== null && (current.admin.equals(newAdmin) || current.pendingAdmin.equals(newAdmin));
      },
      async () =>
        (await send({ description: `propose ${newAdmin.toBase58()} as shield pool admin`, instructions: [await transferAdminInstruction({ admin: authority.publicKey, newAdmin, programId: shieldPool })] })).signature,
    );
    await step(
      "registry-admin-transfer",
      async () => {
        const current = await fetchRegistry(connection, { programId: registryProgram });
        return current !== null && (current.admin.equals(newAdmin) || current.pendingAdmin.equals(newAdmin));
      },
      async () =>
        (
          await send({
            description: `propose ${newAdmin.toBase58()} as registry admin`,
            instructions: [await transferRegistryAdminInstruction({ admin: authority.publicKey, newAdmin, programId: registryProgram })],
          })
        ).signature,
    );
    log(`  ! ${newAdmin.toBase58()} becomes admin once it runs solana:admin:accept and solana:registry:admin:accept`);
  }
  return deployment;

  async function openPool(name: string, mint: PublicKey): Promise<void> {
    const [pool] = poolPda(mint, shieldPool);
    const [tree] = treePda(pool, shieldPool);
    const native = mint.equals(NATIVE_MINT);
    await step(
      `pool:${name}`,
      async () => {
        const existing = await fetchPool(connection, pool, { programId: shieldPool });
        if (existing && !existing.mint.equals(mint)) throw mismatch(`pool ${pool.toBase58()}`);
        return existing !== null;
      },
      async () => {
        const instruction = native
          ? await initializeSolPoolInstruction({ admin: authority.publicKey, ...limits, programId: shieldPool })
          : await initializeTokenPoolInstruction({ admin: authority.publicKey, mint, ...limits, programId: shieldPool });
        return (await send({ description: `open the ${name} pool`, instructions: [instruction] })).signature;
      },
    );
    const opened = await fetchPool(connection, pool, { programId: shieldPool });
    const entry: SolanaPoolRecord = {
      mint: mint.toBase58(),
      pool: pool.toBase58(),
      vault: vaultPda(pool, shieldPool)[0].toBase58(),
      tree: tree.toBase58(),
      maxDeposit: (opened?.maxDeposit ?? limits.maxDeposit).toString(),
      maxFee: (opened?.maxFee ?? limits.maxFee).toString(),
    };
    deployment.pools[name] = entry;
    save();
    await step(
      `tree:${name}`,
      async () => ((await connection.getAccountInfo(tree))?.data.length ?? 0) >= commitmentTreeSpace(),
      async () => {
        const currentSize = (await connection.getAccountInfo(tree))?.data.length ?? 0;
        const grow = await growTreeInstructions({ mint, payer: authority.publicKey, currentSize, programId: shieldPool });
        return (await send({ description: `grow the ${name} pool's tree to full size`, instructions: grow, computeUnits: GROW_TREE_COMPUTE_UNITS })).signature;
      },
    );
  }
}
