// The known-answer check `verifier:rotate` runs before proposing a verifier (runbook EP-003): the
// contract must accept a real Groth16 proof made with the key's own proving artifacts
// (circuits/artifacts/transaction_<depth>: wasm and final zkey) and reject the same proof with any one
// public signal altered. A wrong key, a contract that is no verifier, one that accepts anything (the
// audit's `setVerifier(evil)`) or one that ignores a signal is refused before it reaches the timelock.
import { join } from "node:path";
import { Contract, ZeroAddress } from "ethers";
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { FIELD_SIZE, Keypair, MerkleTree, SnarkjsProver, getPoseidon, loadArtifacts, prepareTransaction, releaseProvingResources, toSolidityProof } from "@cloak/sdk";
import { TaskError, TaskErrorCode } from "./errors.ts";

const VERIFIER_ABI = ["function verifyProof(uint256[2] pA, uint256[2][2] pB, uint256[2] pC, uint256[7] pubSignals) view returns (bool)"];

/** The public signals in the circuit's order; a sound verifier binds the proof to every one of them. */
const PUBLIC_SIGNAL_NAMES = ["root", "publicAmount", "extDataHash", "inputNullifier[0]", "inputNullifier[1]", "outputCommitment[0]", "outputCommitment[1]"] as const;

export type PublicSignalName = (typeof PUBLIC_SIGNAL_NAMES)[number];

export type VerifierVerdict = "accepted" | "rejected" | "reverted";

export interface KnownAnswerResult {
  validProof: VerifierVerdict;
  /** The verdict on the valid proof with this one signal altered (and the others kept). */
  alteredSignals: Record<PublicSignalName, VerifierVerdict>;
}

/**
 * Proves a deposit into an empty tree with `artifactsDir`'s key, asks `verifier` about it and then about
 * the same proof with each public signal altered in turn, and throws a VERIFIER_CHECK_FAILED TaskError
 * naming the reason unless the first is accepted and every altered one is not. Altering only one
 * signal would pass a verifier that ignores another (a nullifier it never checks allows a double
 * spend; an ignored root or commitment, minting from nothing).
 */
export async function knownAnswerCheck(ethers: HardhatEthers, verifier: string, artifactsDir: string): Promise<KnownAnswerResult> {
  const artifacts = await loadArtifacts(artifactsDir);
  const poseidon = await getPoseidon();
  const owner = Keypair.generate(poseidon);
  const prepared = prepareTransaction(
    {
      tree: new MerkleTree(artifacts.depth, poseidon),
      inputs: [],
      outputs: [{ amount: 1n, recipient: owner }],
      extData: { chainId: 1n, pool: ZeroAddress, recipient: ZeroAddress, relayer: ZeroAddress, fee: 0n, extAmount: 1n },
    },
    poseidon,
  );
  let proven;
  try {
    proven = await (await SnarkjsProver.create(artifacts)).prove(prepared.circuitInputs);
  } finally {
    // snarkjs keeps worker threads alive, which would hold a CLI process open after the task.
    await releaseProvingResources();
  }
  const { pA, pB, pC } = toSolidityProof(proven.proof);
  const contract = new Contract(verifier, VERIFIER_ABI, ethers.provider);
  const ask = async (signals: bigint[]): Promise<VerifierVerdict> => {
    try {
      return (await contract.getFunction("verifyProof").staticCall(pA, pB, pC, signals)) === true ? "accepted" : "rejected";
    } catch {
      // A revert (no such function, wrong key size, a precompile failure) blocks every transact too.
      return "reverted";
    }
  };
  const validProof = await ask(proven.publicSignals);
  if (validProof !== "accepted") {
    throw new TaskError(
      TaskErrorCode.VERIFIER_CHECK_FAILED,
      `--verifier ${verifier} ${validProof === "reverted" ? "reverts on" : "rejects"} a valid proof made with ${artifactsDir}: it is not the verifier of that key (wrong key or depth, or not a verifier); every transact would fail`,
    );
  }
  const alteredSignals = {} as Record<PublicSignalName, VerifierVerdict>;
  for (const [position, name] of PUBLIC_SIGNAL_NAMES.entries()) {
    const altered = [...proven.publicSignals];
    altered[position] = (altered[position]! + 1n) % FIELD_SIZE;
    alteredSignals[name] = await ask(altered);
  }
  const accepted = PUBLIC_SIGNAL_NAMES.filter((name) => alteredSignals[name] === "accepted");
  if (accepted.length > 0) {
    throw new TaskError(
      TaskErrorCode.VERIFIER_CHECK_FAILED,
      `--verifier ${verifier} accepts a proof whose public signal ${accepted.join(", ")} was altered: it does not bind the proof to ${accepted.length === 1 ? "that signal" : "those signals"}, and anyone could drain the pools through it`,
    );
  }
  const result = { validProof, alteredSignals };
  return result;
}

/**
 * The check as the verifier tasks run it: against the artifacts of the key of `depth` in the workspace
 * (circuits/artifacts/transaction_<depth>), printing what passed.
 */
export async function checkVerifierForDepth(ethers: HardhatEthers, root: string, verifier: string, depth: number): Promise<void> {
  const artifacts = join(root, "circuits", "artifacts", `transaction_${depth}`);
  await knownAnswerCheck(ethers, verifier, artifacts);
  console.log(`${verifier} accepts a real proof made with ${artifacts} and rejects it with any public signal altered`);
}
