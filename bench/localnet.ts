// `npm run bench:localnet`: the local Solana node (localnet/) as a client sees it — time from spawn to
// the ready line, the deploy, and a transact's round trip over JSON-RPC through the SDK's send
// (blockhash, sign, simulate, send, confirm) for real depth-20 deposits, proven beforehand so proving
// time is not counted. Prints a table and writes bench/results/localnet.json.
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PublicKey } from "@solana/web3.js";
import { Keypair, MerkleTree, getPoseidon, releaseProvingResources } from "@cloak/sdk";
import {
  NATIVE_MINT,
  SOLANA_ROOT_HISTORY_SIZE,
  TRANSACT_COMPUTE_UNITS,
  fetchCommitmentTree,
  poolPda,
  proveSolanaTransaction,
  rootIndexOf,
  sendSolanaInstructions,
  transactInstruction,
  treePda,
} from "@cloak/sdk/solana";
import { machine, median, round, runCount } from "./stats.ts";
import { deploySolana } from "../tasks/solana/lib/deploy.ts";
import { PRODUCTION_DEPTH, proverFor, repoRoot } from "../test/support/fixtures.ts";
import { startLocalnet } from "../localnet/launcher.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "7" },
    out: { type: "string", default: join(repoRoot, "bench/results/localnet.json") },
  },
});
const runs = runCount(values.runs);
const summary = (xs: number[]) => ({ medianMs: round(median(xs)), minMs: round(Math.min(...xs)), maxMs: round(Math.max(...xs)) });

// Start to ready: each start is a fresh ledger (genesis, program load, the throwaway bank for the stubs).
const startMs: number[] = [];
for (let i = 0; i < runs; i++) {
  const started = performance.now();
  const node = await startLocalnet({ slotTimeMs: 400 });
  startMs.push(performance.now() - started);
  await node.stop();
}

const node = await startLocalnet({ slotTimeMs: 400 });
try {
  const deployStarted = performance.now();
  await deploySolana({ connection: node.connection, authority: node.authority, cluster: "localnet", deploymentFile: join(node.ledger, "deployment.json"), tokenMint: "create" });
  const deployMs = performance.now() - deployStarted;

  const prover = await proverFor(PRODUCTION_DEPTH);
  const poseidon = await getPoseidon();
  const pool = poolPda(NATIVE_MINT)[0];
  const depositor = await node.fundedKeypair(100);
  const tree = new MerkleTree(PRODUCTION_DEPTH, poseidon, { rootHistorySize: SOLANA_ROOT_HISTORY_SIZE });
  const proveMs: number[] = [];
  const roundTripMs: number[] = [];
  // One warm-up deposit: the first proof builds curve tables, the first send opens the WebSocket.
  for (let i = 0; i <= runs; i++) {
    const proveStarted = performance.now();
    const proven = await proveSolanaTransaction(
      {
        tree,
        inputs: [],
        outputs: [{ amount: 1_000_000n, recipient: Keypair.generate(poseidon) }],
        extData: { recipient: PublicKey.default, extAmount: 1_000_000n, relayer: PublicKey.default, fee: 0n },
        pool,
      },
      prover,
      poseidon,
    );
    const proved = performance.now() - proveStarted;
    const treeAccount = await fetchCommitmentTree(node.connection, treePda(pool)[0]);
    const rootIndex = rootIndexOf(treeAccount!, proven.publicInputs.root);
    if (rootIndex === null) throw new Error("the proof's root is not on the node");
    const instruction = await transactInstruction({ mint: NATIVE_MINT, payer: depositor.publicKey, transaction: proven, rootIndex });
    const sendStarted = performance.now();
    await sendSolanaInstructions(node.connection, { payer: depositor, instructions: [instruction], computeUnitLimit: TRANSACT_COMPUTE_UNITS });
    const sent = performance.now() - sendStarted;
    tree.insertMany(proven.publicInputs.outputCommitments);
    if (i > 0) {
      proveMs.push(proved);
      roundTripMs.push(sent);
    }
  }
  await releaseProvingResources();

  const result = {
    benchmark: "localnet",
    date: new Date().toISOString(),
    machine: machine(),
    node: "cloak-localnet (LiteSVM 0.7.1, programs native), --slot-time 400",
    runs,
    startToReady: summary(startMs),
    deploy: { ms: round(deployMs), what: "registry, config, SOL pool, test mint + its pool, both trees grown to full size" },
    depositRoundTrip: { ...summary(roundTripMs), what: "the SDK's send: getLatestBlockhash, sign, simulateTransaction, sendTransaction, confirmTransaction (signatureSubscribe + getSignatureStatuses); the depth-20 proof is verified natively by the node" },
    depositProving: summary(proveMs),
  };
  console.table({
    "start → ready": result.startToReady,
    "deposit round trip over RPC": summary(roundTripMs),
    "deposit proving (not in the round trip)": result.depositProving,
  });
  console.log(`deploy: ${result.deploy.ms} ms`);
  mkdirSync(join(values.out, ".."), { recursive: true });
  writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${values.out}`);
} finally {
  await node.stop();
}
