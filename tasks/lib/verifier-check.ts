// The known-answer check `verifier:rotate` runs before proposing a verifier (runbook EP-003): the
// contract must accept a real Groth16 proof made with the key's own proving artifacts
// (circuits/artifacts/transaction_<depth>: wasm and final zkey) and reject the same proof under a
// tampered public signal. A wrong key, a contract that is no verifier, or one that accepts anything
// (the audit's `setVerifier(evil)`) is refused before it ever reaches the timelock.
import { Contract, ZeroAddress } from "ethers";
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { FIELD_SIZE, Keypair, MerkleTree, SnarkjsProver, getPoseidon, loadArtifacts, prepareTransaction, releaseProvingResources, toSolidityProof } from "@cloak/sdk";
import { TaskError, TaskErrorCode } from "./errors.ts";

const VERIFIER_ABI = ["function verifyProof(uint256[2] pA, uint256[2][2] pB, uint256[2] pC, uint256[7] pubSignals) view returns (bool)"];

/** The extDataHash's position in the public signals (root, publicAmount, extDataHash, nullifiers, commitments). */
const EXT_DATA_HASH_SIGNAL = 2;

export type VerifierVerdict = "accepted" | "rejected" | "reverted";

export interface KnownAnswerResult {
  validProof: VerifierVerdict;
  tamperedProof: VerifierVerdict;
}

/**
 * Proves a deposit into an empty tree with `artifactsDir`'s key, asks `verifier` about it and about the
 * same proof with the extDataHash changed, and throws a VERIFIER_CHECK_FAILED TaskError naming the reason
 * unless the first is accepted and the second is not.
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
  const tampered = [...proven.publicSignals];
  tampered[EXT_DATA_HASH_SIGNAL] = (tampered[EXT_DATA_HASH_SIGNAL]! + 1n) % FIELD_SIZE;
  const result = { validProof: await ask(proven.publicSignals), tamperedProof: await ask(tampered) };

  if (result.validProof !== "accepted") {
    throw new TaskError(
      TaskErrorCode.VERIFIER_CHECK_FAILED,
      `--verifier ${verifier} ${result.validProof === "reverted" ? "reverts on" : "rejects"} a valid proof made with ${artifactsDir}: it is not the verifier of that key (wrong key or depth, or not a verifier); every transact would fail`,
    );
  }
  if (result.tamperedProof === "accepted") {
    throw new TaskError(
      TaskErrorCode.VERIFIER_CHECK_FAILED,
      `--verifier ${verifier} accepts a tampered proof (extDataHash changed): it does not verify, and anyone could drain the pools through it`,
    );
  }
  return result;
}
