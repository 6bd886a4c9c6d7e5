// Sends corpus transactions to a real node: each a real `ShieldPool.transact` from an unlocked Hardhat
// account, so the pool verifies the proof on chain and emits the events the services ingest.
import { Interface, JsonRpcProvider, toQuantity, type TransactionReceipt } from "ethers";
import { toSolidityProof, toHex32 } from "@cloak/sdk";
import { assertEvmCorpusMatches, evmExtDataOf, loadEvmCorpus, publicInputsOfEntry, type EvmCorpus, type EvmCorpusEntry } from "./corpus.ts";
import { EVM_DEPOSITOR, EVM_RELAYER, type EvmDeployment } from "./evm-node.ts";
import { TestkitError, TestkitErrorCode } from "./errors.ts";

const POOL_ABI = new Interface([
  "function transact((uint256[2] pA, uint256[2][2] pB, uint256[2] pC, bytes32 root, bytes32[2] inputNullifiers, bytes32[2] outputCommitments) proof, (uint256 chainId, address pool, address recipient, int256 extAmount, address relayer, uint256 fee, bytes encryptedOutput1, bytes encryptedOutput2) extData) payable",
]);
/** Above a depth-20 transact's gas (≈ 1.1 M with the tree insert); fixed so sends need no estimate, which would run against a state the nonce order has not reached. */
const TRANSACT_GAS_LIMIT = 3_000_000n;

export interface SubmitOptions {
  /** First entry to send (index within its kind); 0 unless given. */
  from?: number;
  /** One past the last entry; every entry unless given. */
  to?: number;
  /** Receipts awaited at once; 1 unless given. Sends always go one after another in nonce order (an automining node refuses a nonce ahead of the next). */
  concurrency?: number;
  /** The unlocked account that sends and pays: EVM_DEPOSITOR for deposits, EVM_RELAYER for withdrawals unless given. */
  sender?: string;
  /** The corpus to send from; the committed one (loadEvmCorpus()) unless given. */
  corpus?: EvmCorpus;
}

/** `ShieldPool.transact` calldata for an entry. */
export function transactCalldata(corpus: EvmCorpus, entry: EvmCorpusEntry): string {
  const inputs = publicInputsOfEntry(entry);
  const extData = evmExtDataOf(corpus.header, entry.extData);
  const { pA, pB, pC } = toSolidityProof(entry.proof);
  return POOL_ABI.encodeFunctionData("transact", [
    {
      pA,
      pB,
      pC,
      root: toHex32(inputs.root),
      inputNullifiers: inputs.inputNullifiers.map(toHex32),
      outputCommitments: inputs.outputCommitments.map(toHex32),
    },
    { ...extData, encryptedOutput1: entry.extData.encryptedOutput1, encryptedOutput2: entry.extData.encryptedOutput2 },
  ]);
}

async function submitEntries(url: string, deployment: EvmDeployment, kind: "deposits" | "withdrawals", options: SubmitOptions, sender: string): Promise<TransactionReceipt[]> {
  const corpus = options.corpus ?? loadEvmCorpus();
  assertEvmCorpusMatches(corpus, deployment);
  const entries = corpus[kind];
  const from = options.from ?? 0;
  const to = Math.min(options.to ?? entries.length, entries.length);
  const chosen = entries.slice(from, to);
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, batchMaxCount: 1 });
  try {
    // Nonces in corpus order, sent in that order: an automining node refuses a nonce ahead of the
    // next one ("can't be queued when automining"), so concurrent sends could race each other. Only
    // the receipt polling runs concurrently.
    const baseNonce = await provider.getTransactionCount(sender, "pending");
    const hashes: string[] = [];
    for (const [position, entry] of chosen.entries()) {
      hashes.push(
        (await provider.send("eth_sendTransaction", [
          {
            from: sender,
            to: deployment.pool,
            data: transactCalldata(corpus, entry),
            value: toQuantity(BigInt(entry.value)),
            gas: toQuantity(TRANSACT_GAS_LIMIT),
            nonce: toQuantity(baseNonce + position),
          },
        ])) as string,
      );
    }
    const receipts: TransactionReceipt[] = new Array<TransactionReceipt>(chosen.length);
    let next = 0;
    const worker = async () => {
      while (next < chosen.length) {
        const position = next++;
        const entry = chosen[position]!;
        receipts[position] = await receiptOf(provider, hashes[position]!, `${entry.kind} ${entry.index}`);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, worker));
    return receipts;
  } finally {
    provider.destroy();
  }
}

/** Polls for the receipt (an automining node has it at once unless the nonce waits for an earlier one). */
async function receiptOf(provider: JsonRpcProvider, hash: string, what: string): Promise<TransactionReceipt> {
  for (;;) {
    const receipt = await provider.getTransactionReceipt(hash);
    if (receipt) {
      if (receipt.status !== 1) throw new TestkitError(TestkitErrorCode.SUBMIT_FAILED, `corpus ${what}: transaction ${hash} reverted`);
      return receipt;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Sends corpus deposits [from, to) into the deployment's native pool; receipts in corpus order. */
export function submitEvmCorpus(url: string, deployment: EvmDeployment, options: SubmitOptions = {}): Promise<TransactionReceipt[]> {
  return submitEntries(url, deployment, "deposits", options, options.sender ?? EVM_DEPOSITOR);
}

/**
 * Sends corpus withdrawals [from, to), by default from the registered relayer that earns their fee.
 * Each is proven against the root after all deposits: send every deposit first.
 */
export function submitEvmWithdrawals(url: string, deployment: EvmDeployment, options: SubmitOptions = {}): Promise<TransactionReceipt[]> {
  return submitEntries(url, deployment, "withdrawals", options, options.sender ?? EVM_RELAYER);
}
