import { fileURLToPath } from "node:url";
import {
  Keypair,
  MerkleTree,
  createNote,
  getPoseidon,
  noteCommitment,
  prepareTransaction,
  SnarkjsProver,
  type PreparedTransaction,
} from "@cloak/sdk";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const TEST_DEPTH = 5;
export const PRODUCTION_DEPTH = 20;
export const artifactsDir = (depth: number) => `${repoRoot}circuits/artifacts/transaction_${depth}`;

const ZERO = "0x0000000000000000000000000000000000000000";
export const extDataBase = {
  chainId: 31337n,
  pool: "0x1111111111111111111111111111111111111111",
  recipient: "0x2222222222222222222222222222222222222222",
  relayer: ZERO,
  fee: 0n,
};

/**
 * A funded tree for `owner`: leaves 0..n-1 are notes of the given amounts, plus the transaction that
 * spends the first two (or one) of them into `outputs`, with the stated public amount movement.
 */
export async function scenario(depth: number, amounts: bigint[]) {
  const poseidon = await getPoseidon();
  const owner = Keypair.generate(poseidon);
  const other = Keypair.generate(poseidon);
  const notes = amounts.map((amount, leafIndex) => ({ ...createNote(amount, owner.publicKey), leafIndex }));
  const tree = new MerkleTree(depth, poseidon, { leaves: notes.map((n) => noteCommitment(n, poseidon)) });
  return { poseidon, owner, other, notes, tree };
}

/** Spends notes 0 and 1 (10 + 20) into 12 for `other` and 15 change, withdrawing 2 and paying a fee of 1. */
export async function transferAndWithdraw(depth: number): Promise<PreparedTransaction & Awaited<ReturnType<typeof scenario>>> {
  const s = await scenario(depth, [10n, 20n, 30n]);
  const prepared = prepareTransaction(
    {
      tree: s.tree,
      inputs: [
        { note: s.notes[0]!, owner: s.owner },
        { note: s.notes[1]!, owner: s.owner },
      ],
      outputs: [
        { amount: 12n, recipient: s.other },
        { amount: 15n, recipient: s.owner },
      ],
      extData: { ...extDataBase, extAmount: -2n, fee: 1n },
    },
    s.poseidon,
  );
  return { ...s, ...prepared };
}

const provers = new Map<number, Promise<SnarkjsProver>>();
export function proverFor(depth: number): Promise<SnarkjsProver> {
  let prover = provers.get(depth);
  if (!prover) {
    prover = SnarkjsProver.fromDirectory(artifactsDir(depth));
    provers.set(depth, prover);
  }
  return prover;
}
