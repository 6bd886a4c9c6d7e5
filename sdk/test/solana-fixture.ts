import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PublicKey } from "@solana/web3.js";
import type { SolanaTransactPayload } from "../src/solana/index.js";

/** The shield-pool program-test fixtures (program-tests/cloak-program-tests/fixtures), read as SDK values. */

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const fixturesDir = join(repoRoot, "program-tests/cloak-program-tests/fixtures");

export interface FixtureStepJson {
  name: string;
  proof: string;
  publicInputs: {
    root: string;
    publicAmount: string;
    extDataHash: string;
    inputNullifiers: [string, string];
    outputCommitments: [string, string];
  };
  extData: {
    recipient: string;
    extAmount: string;
    relayer: string;
    fee: string;
    encryptedOutput1: string;
    encryptedOutput2: string;
  };
  powBatchHash: string;
  rootAfter: string;
  firstLeafIndex: number;
}

export interface FlowFixtureJson {
  depth: number;
  programId: string;
  pool: string;
  mint: string;
  keys: Record<string, { seed: string; pubkey: string }>;
  steps: FixtureStepJson[];
}

export const hexBytes = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/^0x/, ""), "hex"));
export const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

export function readFlow(name: "sol_flow" | "token_flow"): FlowFixtureJson {
  return JSON.parse(readFileSync(join(fixturesDir, `${name}.json`), "utf8")) as FlowFixtureJson;
}

export function flowStep(flow: FlowFixtureJson, name: string): FixtureStepJson {
  const step = flow.steps.find((candidate) => candidate.name === name);
  if (!step) throw new Error(`fixture has no step ${name}`);
  return step;
}

/** A fixture step as transactInstruction takes it, the proof as its 256 bytes. */
export function stepPayload(step: FixtureStepJson): SolanaTransactPayload {
  const { publicInputs, extData } = step;
  return {
    proof: hexBytes(step.proof),
    publicInputs: {
      root: BigInt(publicInputs.root),
      publicAmount: BigInt(publicInputs.publicAmount),
      extDataHash: BigInt(publicInputs.extDataHash),
      inputNullifiers: [BigInt(publicInputs.inputNullifiers[0]), BigInt(publicInputs.inputNullifiers[1])],
      outputCommitments: [BigInt(publicInputs.outputCommitments[0]), BigInt(publicInputs.outputCommitments[1])],
    },
    extData: {
      recipient: new PublicKey(extData.recipient),
      extAmount: BigInt(extData.extAmount),
      relayer: new PublicKey(extData.relayer),
      fee: BigInt(extData.fee),
      encryptedOutput1: hexBytes(extData.encryptedOutput1),
      encryptedOutput2: hexBytes(extData.encryptedOutput2),
    },
  };
}
