// Golden vectors shared with the programs: program-tests/cloak-program-tests/tests/golden_vectors.rs
// computes fixtures/golden.json with the programs' own code (and fails when it is stale); here the
// SDK recomputes every entry. Encoding in the file: public keys base58, byte strings plain lowercase
// hex, field elements 0x-prefixed 32-byte hex, integers above u32 decimal strings, names camelCase.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import anchor from "@coral-xyz/anchor";
import { PublicKey, type TransactionInstruction } from "@solana/web3.js";
import { MerkleTree, getPoseidon, publicAmount, toHex32 } from "../src/index.js";
import {
  NATIVE_MINT,
  SHIELD_POOL_PROGRAM_ID,
  claimPda,
  configPda,
  decodeClaim,
  decodeCommitmentTree,
  decodeConfig,
  decodeMiner,
  decodeNullifierRecord,
  decodePool,
  decodeRegistry,
  decodeSolanaProof,
  encodeSolanaProof,
  encodeSolanaPublicInputsFlat,
  hashSolanaExtData,
  meetsDifficulty,
  minerPda,
  negateG1,
  nullifierPda,
  offlineScrambleRegistryProgram,
  offlineShieldPoolProgram,
  poolPda,
  powHash,
  programDataPda,
  powPreimage,
  registryPda,
  scrambleRegistryInstructions,
  shieldPoolInstructions,
  treePda,
  vaultPda,
  type RegistryParams,
  type SolanaExtData,
  type SolanaTransactPayload,
  type SolanaVerifyingKey,
} from "../src/solana/index.js";
import { fixturesDir, flowStep, hexBytes, readFlow, stepPayload, toHex } from "./solana-fixture.js";

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Golden {
  pdas: { name: string; program: ProgramName; inputs: Record<string, string>; address: string; bump: number }[];
  instructions: { program: ProgramName; name: string; args: JsonObject; data: string }[];
  accounts: { program: ProgramName; name: string; fields: JsonObject; data: string }[];
  poseidonRoots: { depth: number; pairs: [string, string][]; roots: string[] };
  proofEncoding: { fixture: "sol_flow" | "token_flow"; step: string; proof: string; negatedA: string; publicInputs: string };
  extData: { programId: string; pool: string; extData: Record<string, string>; hash: string }[];
  pow: {
    slot: string;
    slotHash: string;
    miner: string;
    batchHash: string;
    nonce: string;
    preimage: string;
    hash: string;
    difficulty: string;
    meetsDifficulty: boolean;
  }[];
}

type ProgramName = "shield_pool" | "scramble_registry";

const golden = JSON.parse(readFileSync(join(fixturesDir, "golden.json"), "utf8")) as Golden;

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const str = (value: Json | undefined, what: string): string => {
  if (typeof value !== "string") throw new Error(`golden ${what}: expected a string, got ${JSON.stringify(value)}`);
  return value;
};
const key = (value: Json | undefined, what: string) => new PublicKey(str(value, what));
const big = (value: Json | undefined, what: string) => BigInt(str(value, what));
const bytes = (value: Json | undefined, what: string) => hexBytes(str(value, what));
const obj = (value: Json | undefined, what: string): JsonObject => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`golden ${what}: expected an object`);
  return value;
};
const num = (value: Json | undefined, what: string): number => {
  if (typeof value !== "number") throw new Error(`golden ${what}: expected a number`);
  return value;
};
const bool = (value: Json | undefined, what: string): boolean => {
  if (typeof value !== "boolean") throw new Error(`golden ${what}: expected a boolean`);
  return value;
};

/** An SDK value in the file's encoding, to compare decoded accounts with `fields`. */
function toJson(value: unknown): Json {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof PublicKey) return value.toBase58();
  if (value instanceof Uint8Array) return toHex(value);
  if (Array.isArray(value)) return value.map(toJson);
  if (value === null || typeof value === "number" || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "object") return Object.fromEntries(Object.entries(value).map(([name, field]) => [name, toJson(field)]));
  throw new Error(`cannot encode ${String(value)}`);
}

// ---------------------------------------------------------------------------------------------
// Instruction args in the file's encoding -> Anchor values, by the (camelCase) IDL's types, for the coder.

interface IdlTypeDef {
  name: string;
  type: { kind: string; fields?: { name: string; type: IdlTypeRef }[] };
}
type IdlTypeRef = string | { array: [IdlTypeRef, number] } | { defined: { name: string } } | { option: IdlTypeRef } | { vec: IdlTypeRef };

function anchorValue(type: IdlTypeRef, value: Json | undefined, types: IdlTypeDef[], what: string): unknown {
  if (typeof type === "string") {
    switch (type) {
      case "u8":
      case "u16":
      case "u32":
        return num(value, what);
      case "u64":
      case "i64":
        return new anchor.BN(str(value, what));
      case "bool":
        return bool(value, what);
      case "pubkey":
        return key(value, what);
      default:
        throw new Error(`golden ${what}: no conversion for IDL type ${type}`);
    }
  }
  if ("array" in type) {
    const [inner, length] = type.array;
    if (inner === "u8") {
      const array = Array.from(bytes(value, what));
      assert.equal(array.length, length, `${what}: length`);
      return array;
    }
    if (!Array.isArray(value)) throw new Error(`golden ${what}: expected an array`);
    return value.map((item, i) => anchorValue(inner, item, types, `${what}[${i}]`));
  }
  if ("option" in type) return value === null ? null : anchorValue(type.option, value, types, what);
  if ("defined" in type) {
    const def = types.find((candidate) => candidate.name === type.defined.name);
    if (!def?.type.fields) throw new Error(`golden ${what}: no struct ${type.defined.name} in the IDL`);
    const fields = obj(value, what);
    return Object.fromEntries(def.type.fields.map((field) => [field.name, anchorValue(field.type, fields[field.name], types, `${what}.${field.name}`)]));
  }
  throw new Error(`golden ${what}: unsupported IDL type ${JSON.stringify(type)}`);
}

function programOf(name: ProgramName) {
  return name === "shield_pool" ? offlineShieldPoolProgram() : offlineScrambleRegistryProgram();
}

function coderData(program: ProgramName, name: string, args: JsonObject): string {
  const client = programOf(program);
  const ixName = camel(name);
  const ix = client.idl.instructions.find((candidate) => candidate.name === ixName);
  if (!ix) throw new Error(`golden: ${program} has no instruction ${name}`);
  const types = (client.idl.types ?? []) as unknown as IdlTypeDef[];
  const values = Object.fromEntries(ix.args.map((arg) => [arg.name, anchorValue(arg.type as IdlTypeRef, args[arg.name], types, `${name}.${arg.name}`)]));
  return toHex(client.coder.instruction.encode(ixName, values));
}

// ---------------------------------------------------------------------------------------------
// Instruction args in the file's encoding -> the SDK builders' inputs, so the builders are checked too.

const someKey = new PublicKey(new Uint8Array(32).fill(0x77));

function verifyingKeyInput(value: Json | undefined): SolanaVerifyingKey {
  const key = obj(value, "verifyingKey");
  const ic = key.ic;
  if (!Array.isArray(ic)) throw new Error("golden verifyingKey.ic: expected an array");
  return {
    alphaG1: bytes(key.alphaG1, "alphaG1"),
    betaG2: bytes(key.betaG2, "betaG2"),
    gammaG2: bytes(key.gammaG2, "gammaG2"),
    deltaG2: bytes(key.deltaG2, "deltaG2"),
    ic: ic.map((point, i) => bytes(point, `ic[${i}]`)),
  };
}

function registryParamsInput(value: Json | undefined): RegistryParams {
  const params = obj(value, "params");
  return {
    consumerAuthority: key(params.consumerAuthority, "consumerAuthority"),
    initialDifficulty: big(params.initialDifficulty, "initialDifficulty"),
    minDifficulty: big(params.minDifficulty, "minDifficulty"),
    maxDifficulty: big(params.maxDifficulty, "maxDifficulty"),
    targetIntervalSlots: big(params.targetIntervalSlots, "targetIntervalSlots"),
    minerFeeShareBps: num(params.minerFeeShareBps, "minerFeeShareBps"),
    revealWindowSlots: big(params.revealWindowSlots, "revealWindowSlots"),
    claimWindowSlots: big(params.claimWindowSlots, "claimWindowSlots"),
    maxConsumptions: num(params.maxConsumptions, "maxConsumptions"),
  };
}

function extDataInput(value: Json | undefined): SolanaExtData {
  const extData = obj(value, "extData");
  return {
    recipient: key(extData.recipient, "recipient"),
    extAmount: big(extData.extAmount, "extAmount"),
    relayer: key(extData.relayer, "relayer"),
    fee: big(extData.fee, "fee"),
    encryptedOutput1: bytes(extData.encryptedOutput1, "encryptedOutput1"),
    encryptedOutput2: bytes(extData.encryptedOutput2, "encryptedOutput2"),
  };
}

function transactPayload(args: JsonObject): SolanaTransactPayload {
  const inputs = obj(args.publicInputs, "publicInputs");
  const field = (value: Json | undefined, what: string) => BigInt(`0x${str(value, what)}`);
  const pair = (value: Json | undefined, what: string): [bigint, bigint] => {
    if (!Array.isArray(value) || value.length !== 2) throw new Error(`golden ${what}: expected two entries`);
    return [field(value[0], `${what}[0]`), field(value[1], `${what}[1]`)];
  };
  const extData = extDataInput(args.extData);
  // The golden transact is the SOL pool's; the program derives these two from the ext data.
  return {
    proof: bytes(args.proof, "proof"),
    publicInputs: {
      root: field(inputs.root, "root"),
      publicAmount: publicAmount(extData.extAmount, extData.fee),
      extDataHash: hashSolanaExtData(extData, SHIELD_POOL_PROGRAM_ID, poolPda(NATIVE_MINT)[0]),
      inputNullifiers: pair(inputs.inputNullifiers, "inputNullifiers"),
      outputCommitments: pair(inputs.outputCommitments, "outputCommitments"),
    },
    extData,
  };
}

type Builder = (args: JsonObject) => Promise<TransactionInstruction>;

const shieldBuilders: Record<keyof typeof shieldPoolInstructions, Builder> = {
  acceptAdmin: () => shieldPoolInstructions.acceptAdmin({ pendingAdmin: someKey }),
  acceptPauseAuthority: () => shieldPoolInstructions.acceptPauseAuthority({ pendingPauseAuthority: someKey }),
  acceptSecurityCouncil: () => shieldPoolInstructions.acceptSecurityCouncil({ pendingSecurityCouncil: someKey }),
  addRelayer: (args) => shieldPoolInstructions.addRelayer({ admin: someKey, relayer: key(args.relayer, "relayer") }),
  applyVerifyingKey: () => shieldPoolInstructions.applyVerifyingKey({ admin: someKey }),
  cancelVerifyingKey: () => shieldPoolInstructions.cancelVerifyingKey({ admin: someKey }),
  emergencySetVerifyingKey: (args) =>
    shieldPoolInstructions.emergencySetVerifyingKey({ securityCouncil: someKey, verifyingKey: verifyingKeyInput(args.verifyingKey) }),
  initialize: (args) => {
    const params = obj(args.params, "params");
    return shieldPoolInstructions.initialize({
      admin: someKey,
      pauseAuthority: key(params.pauseAuthority, "pauseAuthority"),
      securityCouncil: key(params.securityCouncil, "securityCouncil"),
      verifyingKeyDelaySeconds: big(params.verifyingKeyDelaySeconds, "verifyingKeyDelaySeconds"),
      powRequired: bool(params.powRequired, "powRequired"),
    });
  },
  initializeSolPool: (args) =>
    shieldPoolInstructions.initializeSolPool({ admin: someKey, maxDeposit: big(args.maxDeposit, "maxDeposit"), maxFee: big(args.maxFee, "maxFee") }),
  initializeTokenPool: (args) =>
    shieldPoolInstructions.initializeTokenPool({ admin: someKey, mint: someKey, maxDeposit: big(args.maxDeposit, "maxDeposit"), maxFee: big(args.maxFee, "maxFee") }),
  growTree: () => shieldPoolInstructions.growTree({ mint: NATIVE_MINT, payer: someKey }),
  pause: () => shieldPoolInstructions.pause({ authority: someKey }),
  proposeVerifyingKey: (args) => shieldPoolInstructions.proposeVerifyingKey({ admin: someKey, verifyingKey: verifyingKeyInput(args.verifyingKey) }),
  removeRelayer: (args) => shieldPoolInstructions.removeRelayer({ admin: someKey, relayer: key(args.relayer, "relayer") }),
  revokePauseAuthority: () => shieldPoolInstructions.revokePauseAuthority({ admin: someKey }),
  setPoolLimits: (args) =>
    shieldPoolInstructions.setPoolLimits({ admin: someKey, mint: NATIVE_MINT, maxDeposit: big(args.maxDeposit, "maxDeposit"), maxFee: big(args.maxFee, "maxFee") }),
  setPowRequired: (args) => shieldPoolInstructions.setPowRequired({ admin: someKey, powRequired: bool(args.powRequired, "powRequired") }),
  setVerifyingKeyDelay: (args) => shieldPoolInstructions.setVerifyingKeyDelay({ admin: someKey, delaySeconds: big(args.delaySeconds, "delaySeconds") }),
  // The vectors' transact is a SOL pool step (its ext data hash binds the SOL pool).
  // Its relayer signs a transact paying a fee.
  transact: (args) => {
    const transaction = transactPayload(args);
    const rootIndex = obj(args.publicInputs, "publicInputs").rootIndex;
    if (typeof rootIndex !== "number") throw new Error("golden publicInputs.rootIndex: expected a number");
    const payer = transaction.extData.fee > 0n ? transaction.extData.relayer : someKey;
    return shieldPoolInstructions.transact({ mint: NATIVE_MINT, payer, transaction, rootIndex });
  },
  transferAdmin: (args) => shieldPoolInstructions.transferAdmin({ admin: someKey, newAdmin: key(args.newAdmin, "newAdmin") }),
  transferPauseAuthority: (args) =>
    shieldPoolInstructions.transferPauseAuthority({ admin: someKey, newPauseAuthority: key(args.newPauseAuthority, "newPauseAuthority") }),
  transferSecurityCouncil: (args) =>
    shieldPoolInstructions.transferSecurityCouncil({ securityCouncil: someKey, newSecurityCouncil: key(args.newSecurityCouncil, "newSecurityCouncil") }),
  unpause: () => shieldPoolInstructions.unpause({ admin: someKey }),
};

const registryBuilders: Record<keyof typeof scrambleRegistryInstructions, Builder> = {
  acceptAdmin: () => scrambleRegistryInstructions.acceptAdmin({ pendingAdmin: someKey }),
  closeExpiredClaim: () => scrambleRegistryInstructions.closeExpiredClaim({ claim: someKey, minerAuthority: someKey, caller: someKey }),
  consumeClaim: (args) => scrambleRegistryInstructions.consumeClaim({ claim: someKey, minerAuthority: someKey, batchHash: bytes(args.batchHash, "batchHash") }),
  initialize: (args) => scrambleRegistryInstructions.initialize({ admin: someKey, params: registryParamsInput(args.params) }),
  mineClaim: (args) =>
    scrambleRegistryInstructions.mineClaim({
      authority: someKey,
      slot: big(args.slot, "slot"),
      slotHash: bytes(args.slotHash, "slotHash"),
      batchHash: bytes(args.batchHash, "batchHash"),
      nonce: big(args.nonce, "nonce"),
    }),
  registerMiner: () => scrambleRegistryInstructions.registerMiner({ authority: someKey }),
  revealClaim: () => scrambleRegistryInstructions.revealClaim({ authority: someKey, claim: someKey }),
  transferAdmin: (args) => scrambleRegistryInstructions.transferAdmin({ admin: someKey, newAdmin: key(args.newAdmin, "newAdmin") }),
  updateParams: (args) => scrambleRegistryInstructions.updateParams({ admin: someKey, params: registryParamsInput(args.params) }),
};

function builderFor(program: ProgramName, name: string): Builder {
  const builders: Record<string, Builder> = program === "shield_pool" ? shieldBuilders : registryBuilders;
  const builder = builders[camel(name)];
  if (!builder) throw new Error(`golden: no SDK builder for ${program} ${name}`);
  return builder;
}

// ---------------------------------------------------------------------------------------------
// Accounts

const decoders: Record<string, (data: Uint8Array) => unknown> = {
  "shield_pool.Config": decodeConfig,
  "shield_pool.Pool": decodePool,
  "shield_pool.CommitmentTree": decodeCommitmentTree,
  "shield_pool.NullifierRecord": decodeNullifierRecord,
  "scramble_registry.Registry": decodeRegistry,
  "scramble_registry.Miner": decodeMiner,
  "scramble_registry.Claim": decodeClaim,
};

/**
 * Accounts Anchor's coder can re-encode: it encodes into a 1000-byte buffer, too small for the zero-copy
 * Config and CommitmentTree, and the IDL does not list NullifierRecord (transact creates it by hand).
 */
const reencodable = new Set(["Pool", "Registry", "Miner", "Claim"]);

// ---------------------------------------------------------------------------------------------

describe("Solana golden vectors shared with the programs", () => {
  it("derives every PDA and bump the programs derive", () => {
    assert.ok(golden.pdas.length > 0);
    for (const vector of golden.pdas) {
      const { inputs } = vector;
      const derived: Record<string, () => [PublicKey, number]> = {
        config: () => configPda(),
        pool: () => poolPda(key(inputs.mint, "mint")),
        vault: () => vaultPda(key(inputs.pool, "pool")),
        tree: () => treePda(key(inputs.pool, "pool")),
        nullifier: () => nullifierPda(key(inputs.pool, "pool"), big(inputs.nullifier, "nullifier")),
        registry: () => registryPda(),
        miner: () => minerPda(key(inputs.authority, "authority")),
        claim: () => claimPda(key(inputs.authority, "authority"), bytes(inputs.batchHash, "batchHash"), big(inputs.slot, "slot")),
        program_data: () => programDataPda(key(inputs.programId, "programId")),
      };
      const derive = derived[vector.name];
      assert.ok(derive, `no SDK derivation for PDA ${vector.name}`);
      const [address, bump] = derive();
      assert.equal(address.toBase58(), vector.address, `${vector.name} ${JSON.stringify(inputs)}`);
      assert.equal(bump, vector.bump, `${vector.name} bump`);
    }
  });

  it("encodes every instruction's data as the programs do, through Anchor's coder and the SDK builders", async () => {
    assert.ok(golden.instructions.length > 0);
    for (const vector of golden.instructions) {
      const label = `${vector.program} ${vector.name}`;
      assert.equal(coderData(vector.program, vector.name, vector.args), vector.data, `${label}: Anchor coder`);
      const instruction = await builderFor(vector.program, vector.name)(vector.args);
      assert.equal(toHex(instruction.data), vector.data, `${label}: SDK builder`);
    }
  });

  it("decodes every account the programs serialize, and re-encodes the borsh ones", async () => {
    assert.ok(golden.accounts.length > 0);
    for (const vector of golden.accounts) {
      const label = `${vector.program} ${vector.name}`;
      const decode = decoders[`${vector.program}.${vector.name}`];
      assert.ok(decode, `no SDK decoder for ${label}`);
      const data = hexBytes(vector.data);
      assert.deepEqual(toJson(decode(data)), vector.fields, label);
      if (reencodable.has(vector.name)) {
        const coder = programOf(vector.program).coder.accounts;
        const accountName = vector.name.charAt(0).toLowerCase() + vector.name.slice(1);
        const raw = coder.decode<Record<string, unknown>>(accountName, Buffer.from(data));
        assert.equal(toHex(await coder.encode(accountName, raw)), vector.data, `${label}: re-encoded`);
      }
    }
  });

  it("computes the programs' Poseidon tree roots", async () => {
    const poseidon = await getPoseidon();
    const { depth, pairs, roots } = golden.poseidonRoots;
    assert.equal(pairs.length, roots.length);
    const tree = new MerkleTree(depth, poseidon);
    pairs.forEach(([left, right], i) => {
      tree.insertMany([BigInt(left), BigInt(right)]);
      assert.equal(toHex32(tree.root), roots[i], `root after pair ${i}`);
    });
  });

  it("encodes the fixture's proof, its negated A and its public inputs as the program reads them", () => {
    const vector = golden.proofEncoding;
    const step = flowStep(readFlow(vector.fixture), vector.step);
    const payload = stepPayload(step);
    const proof = encodeSolanaProof(decodeSolanaProof(hexBytes(step.proof)));
    assert.equal(toHex(proof), vector.proof);
    assert.equal(toHex(negateG1(proof.subarray(0, 64))), vector.negatedA);
    assert.equal(toHex(encodeSolanaPublicInputsFlat(payload.publicInputs)), vector.publicInputs);
  });

  it("hashes ext data as the program does", () => {
    assert.ok(golden.extData.length > 0);
    for (const vector of golden.extData) {
      const hash = hashSolanaExtData(extDataInput(vector.extData), new PublicKey(vector.programId), new PublicKey(vector.pool));
      assert.equal(toHex32(hash), vector.hash, `${vector.pool} ${vector.extData.extAmount}`);
    }
  });

  it("computes the registry's PoW preimages, hashes and difficulty checks", () => {
    assert.ok(golden.pow.length > 0);
    for (const vector of golden.pow) {
      const input = {
        slot: BigInt(vector.slot),
        slotHash: hexBytes(vector.slotHash),
        miner: new PublicKey(vector.miner),
        batchHash: hexBytes(vector.batchHash),
        nonce: BigInt(vector.nonce),
      };
      assert.equal(toHex(powPreimage(input)), vector.preimage);
      const hash = powHash(input);
      assert.equal(toHex(hash), vector.hash);
      assert.equal(meetsDifficulty(hash, BigInt(vector.difficulty)), vector.meetsDifficulty, `difficulty ${vector.difficulty}`);
    }
  });
});

