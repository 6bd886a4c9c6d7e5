// The Safe layer of the operator tasks (tasks/lib/safe.ts) against the real Safe v1.4.1 contracts and
// protocol-kit on Hardhat's in-process chain: creating a Safe, proposal files signed owner by owner and
// executed, MultiSend batches, the Transaction Service hand-off and Transaction Builder batch files.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { Contract, Wallet, parseEther } from "ethers";
import { network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  SAFE_SINGLETON_FACTORY,
  SafeError,
  SafeErrorCode,
  addSignature,
  createSafe,
  deploySafeSingletons,
  executeSafeProposal,
  parseSafeProposal,
  proposeSafeTransaction,
  proposeToService,
  readSafeProposalFile,
  safeContractNetworks,
  serializeSafeProposal,
  transactionBuilderChecksum,
  verifyTransactionBuilderChecksum,
  writeSafeProposalFile,
  writeTransactionBuilderBatch,
  type ContractNetworksConfig,
  type SafeConnection,
} from "../../tasks/lib/safe.ts";
import { deployPoseidonHasher } from "../../tasks/lib/poseidon.ts";
import { deployStack } from "../support/deploy.ts";

// Hardhat 3: `provider` is the connection's EIP-1193 provider, which protocol-kit takes as is.
const { ethers, provider } = await network.create();

/** Safe v1.4.1's canonical addresses (safe-global/safe-deployments). */
const CANONICAL = {
  safeL2: "0x29fcB43b46531BcA003ddC8FCB67FFE91900C762",
  safeProxyFactory: "0x4e1DCf7AD4e460CfD30791CCC4F9c8a4f820ec67",
  multiSendCallOnly: "0x9641d764fc13c8B624c04430C7356C1C7C8102e2",
  fallbackHandler: "0xfd0732Dc9E303f09fCEf3a7388Ad10A83459Ec99",
};

const SAFE_ABI = [
  "function getOwners() view returns (address[])",
  "function getThreshold() view returns (uint256)",
  "function nonce() view returns (uint256)",
  "function VERSION() view returns (string)",
];

/** A Safe's state read straight from the contract, not through protocol-kit. */
async function readSafe(address: string) {
  const safe = new Contract(address, SAFE_ABI, ethers.provider);
  return {
    owners: (await safe.getFunction("getOwners")()) as string[],
    threshold: (await safe.getFunction("getThreshold")()) as bigint,
    nonce: (await safe.getFunction("nonce")()) as bigint,
    version: (await safe.getFunction("VERSION")()) as string,
  };
}

async function expectSafeError(promise: Promise<unknown>, code: SafeErrorCode): Promise<SafeError> {
  try {
    await promise;
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(SafeError);
    expect((error as SafeError).code).to.equal(code);
    return error as SafeError;
  }
  expect.fail(`expected a SafeError ${code}`);
}

describe("Safe operations (tasks/lib/safe.ts)", function () {
  let contractNetworks: ContractNetworksConfig;
  let chainId: string;
  let payer: HardhatEthersSigner;
  let ownerA: HardhatEthersSigner;
  let ownerB: HardhatEthersSigner;
  let outsider: HardhatEthersSigner;
  // The third owner signs with a private key, as on a real network; it lives only in memory.
  let keyOwner: Wallet;
  let salt = 0;

  before(async function () {
    [payer, ownerA, ownerB, outsider] = (await ethers.getSigners()) as [HardhatEthersSigner, HardhatEthersSigner, HardhatEthersSigner, HardhatEthersSigner];
    keyOwner = Wallet.createRandom() as unknown as Wallet;
    chainId = (await ethers.provider.getNetwork()).chainId.toString();
    contractNetworks = await deploySafeSingletons(ethers);
  });

  const as = (signer: string): SafeConnection => ({ provider, signer, contractNetworks });

  /** A fresh 2-of-3 Safe (A, B and the key-held owner), so each scenario starts at nonce 0. */
  async function newSafe(): Promise<string> {
    salt += 1;
    return createSafe({
      ...as(payer.address),
      owners: [ownerA.address, ownerB.address, keyOwner.address],
      threshold: 2,
      saltNonce: salt.toString(),
    });
  }

  async function newToken() {
    return ethers.deployContract("TestToken");
  }

  it("deploys the Safe v1.4.1 contracts at their canonical addresses and creates a 2-of-3 Safe that reads back", async function () {
    const config = contractNetworks[chainId]!;
    expect(config.safeSingletonAddress).to.equal(CANONICAL.safeL2);
    expect(config.safeProxyFactoryAddress).to.equal(CANONICAL.safeProxyFactory);
    expect(config.multiSendCallOnlyAddress).to.equal(CANONICAL.multiSendCallOnly);
    expect(config.fallbackHandlerAddress).to.equal(CANONICAL.fallbackHandler);

    const address = await newSafe();
    const safe = await readSafe(address);
    expect(safe.owners).to.deep.equal([ownerA.address, ownerB.address, keyOwner.address]);
    expect(safe.threshold).to.equal(2n);
    expect(safe.version).to.equal("1.4.1");
    // The proxy points at the singleton from contractNetworks (storage slot 0 of a SafeProxy).
    const singleton = await ethers.provider.getStorage(address, 0);
    expect(ethers.getAddress(`0x${singleton.slice(26)}`)).to.equal(CANONICAL.safeL2);
  });

  it("runs the same factory code as the deterministic-deployment proxy that Poseidon uses", async function () {
    await deployPoseidonHasher(ethers);
    const proxyCode = await ethers.provider.getCode("0x4e59b44847b379578588920ca78fbf26c0b4956c");
    expect(await ethers.provider.getCode(SAFE_SINGLETON_FACTORY)).to.equal(proxyCode);
  });

  it("sends nothing when the Safe contracts and a Safe with the same settings already exist", async function () {
    const address = await newSafe();
    const before = await ethers.provider.getBlockNumber();
    expect(await deploySafeSingletons(ethers)).to.deep.equal(contractNetworks);
    expect(safeContractNetworks(BigInt(chainId))).to.deep.equal(contractNetworks);
    const again = await createSafe({ ...as(payer.address), owners: [ownerA.address, ownerB.address, keyOwner.address], threshold: 2, saltNonce: salt.toString() });
    expect(again).to.equal(address);
    expect(await ethers.provider.getBlockNumber()).to.equal(before);
  });

  it("executes a proposal signed by 2 of 3 owners: the Safe mints test tokens", async function () {
    const safeAddress = await newSafe();
    const token = await newToken();
    const mint = token.interface.encodeFunctionData("mint", [outsider.address, 1000n]);

    const proposal = await proposeSafeTransaction({
      ...as(ownerA.address),
      safeAddress,
      calls: [{ to: await token.getAddress(), data: mint, description: "mint 1000 CTT to the outsider" }],
    });
    expect(proposal.signatures.map((s) => s.signer)).to.deep.equal([ownerA.address]);
    const signed = await addSignature(proposal, as(ownerB.address));
    expect(signed.signatures).to.have.length(2);

    // Anyone may submit a fully signed Safe transaction; the payer here is not an owner.
    const result = await executeSafeProposal(signed, as(payer.address));
    expect(result.safeTxHash).to.equal(proposal.safeTxHash);
    expect(await token.balanceOf(outsider.address)).to.equal(1000n);
    expect((await readSafe(safeAddress)).nonce).to.equal(1n);
  });

  it("refuses a proposal with 1 of 2 required signatures (SAFE_THRESHOLD_NOT_MET) and executes nothing", async function () {
    const safeAddress = await newSafe();
    const token = await newToken();
    const proposal = await proposeSafeTransaction({
      ...as(ownerA.address),
      safeAddress,
      calls: [{ to: await token.getAddress(), data: token.interface.encodeFunctionData("mint", [outsider.address, 5n]) }],
    });

    // Submitted by the other owner: protocol-kit alone would count the submitter as an approval.
    const error = await expectSafeError(executeSafeProposal(proposal, as(ownerB.address)), SafeErrorCode.THRESHOLD_NOT_MET);
    expect(error.message).to.contain("needs 2 signatures").and.to.contain("has 1").and.to.contain(ownerA.address);
    expect(await token.balanceOf(outsider.address)).to.equal(0n);
    expect((await readSafe(safeAddress)).nonce).to.equal(0n);
  });

  it("refuses to execute a proposal a second time (SAFE_NONCE_MISMATCH)", async function () {
    const safeAddress = await newSafe();
    await (await payer.sendTransaction({ to: safeAddress, value: 10n })).wait();
    const proposal = await addSignature(
      await proposeSafeTransaction({ ...as(ownerA.address), safeAddress, calls: [{ to: outsider.address, value: 1n }] }),
      as(ownerB.address),
    );
    await executeSafeProposal(proposal, as(payer.address));
    const error = await expectSafeError(executeSafeProposal(proposal, as(payer.address)), SafeErrorCode.NONCE_MISMATCH);
    expect(error.message).to.contain("nonce 0 is used");
    expect(await ethers.provider.getBalance(safeAddress)).to.equal(9n);
  });

  it("co-signs offline: a proposal file written to disk, read back, signed with a private key, then executed", async function () {
    const safeAddress = await newSafe();
    await (await payer.sendTransaction({ to: safeAddress, value: parseEther("1") })).wait();
    const recipient = Wallet.createRandom().address;
    const proposal = await proposeSafeTransaction({
      ...as(ownerA.address),
      safeAddress,
      calls: [{ to: recipient, value: parseEther("0.25"), description: "pay the auditor" }],
    });

    const dir = mkdtempSync(join(tmpdir(), "cloak-safe-"));
    try {
      const path = join(dir, "proposals", "proposal.json");
      writeSafeProposalFile(path, proposal);
      const onDisk = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
      expect(onDisk.format).to.equal("cloak-safe-tx/1");
      expect(onDisk.description).to.equal("pay the auditor");

      const cosigned = await addSignature(readSafeProposalFile(path), as(keyOwner.privateKey));
      writeSafeProposalFile(path, cosigned);
      expect(readFileSync(path, "utf8")).not.to.contain(keyOwner.privateKey.slice(2));

      await executeSafeProposal(readSafeProposalFile(path), as(payer.address));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await ethers.provider.getBalance(recipient)).to.equal(parseEther("0.25"));
    expect(await ethers.provider.getBalance(safeAddress)).to.equal(parseEther("0.75"));
  });

  it("batches two calls in one proposal through MultiSendCallOnly, and both take effect", async function () {
    const safeAddress = await newSafe();
    const token = await newToken();
    const tokenAddress = await token.getAddress();
    const proposal = await proposeSafeTransaction({
      ...as(ownerB.address),
      safeAddress,
      calls: [
        { to: tokenAddress, data: token.interface.encodeFunctionData("mint", [ownerA.address, 7n]), description: "mint 7 to A" },
        { to: tokenAddress, data: token.interface.encodeFunctionData("mint", [outsider.address, 11n]), description: "mint 11 to the outsider" },
      ],
    });
    expect(proposal.transaction.operation).to.equal(1);
    expect(proposal.transaction.to).to.equal(CANONICAL.multiSendCallOnly);
    expect(proposal.description).to.equal("mint 7 to A; mint 11 to the outsider");

    await executeSafeProposal(await addSignature(proposal, as(keyOwner.privateKey)), as(payer.address));
    expect(await token.balanceOf(ownerA.address)).to.equal(7n);
    expect(await token.balanceOf(outsider.address)).to.equal(11n);
  });

  it("lets a Safe holding GUARDIAN_ROLE pause a pool through a proposal", async function () {
    const { orchestrator, pool } = await deployStack(ethers);
    const safeAddress = await newSafe();
    await (await orchestrator.grantRole(await orchestrator.GUARDIAN_ROLE(), safeAddress)).wait();
    const poolAddress = await pool.getAddress();

    const proposal = await proposeSafeTransaction({
      ...as(ownerA.address),
      safeAddress,
      calls: [{ to: await orchestrator.getAddress(), data: orchestrator.interface.encodeFunctionData("pause", [poolAddress]), description: "EP-001: pause the native pool" }],
    });
    await executeSafeProposal(await addSignature(proposal, as(ownerB.address)), as(payer.address));
    expect(await orchestrator.isPaused(poolAddress)).to.equal(true);
  });

  it("refuses a proposal file whose calls were edited after signing", async function () {
    const safeAddress = await newSafe();
    const token = await newToken();
    const proposal = await proposeSafeTransaction({
      ...as(ownerA.address),
      safeAddress,
      calls: [{ to: await token.getAddress(), data: token.interface.encodeFunctionData("mint", [outsider.address, 1n]) }],
    });
    const edited = JSON.parse(serializeSafeProposal(proposal)) as { calls: { data: string }[] };
    edited.calls[0]!.data = token.interface.encodeFunctionData("mint", [outsider.address, 10n ** 24n]);
    const error = await expectSafeError(Promise.resolve().then(() => parseSafeProposal(JSON.stringify(edited))), SafeErrorCode.PROPOSAL_INVALID);
    expect(error.message).to.contain("calls do not match");
  });

  it("hands a proposal to a Safe Transaction Service: the first signature proposes, the second confirms", async function () {
    const safeAddress = await newSafe();
    const proposal = await addSignature(
      await proposeSafeTransaction({ ...as(ownerA.address), safeAddress, calls: [{ to: outsider.address, value: 1n }] }),
      as(ownerB.address),
    );

    // A stand-in service on loopback records what api-kit sends.
    const requests: { method: string; url: string; body: Record<string, unknown> }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        requests.push({ method: req.method ?? "", url: req.url ?? "", body: body ? (JSON.parse(body) as Record<string, unknown>) : {} });
        res.writeHead(201).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await proposeToService(proposal, { txServiceUrl: `http://127.0.0.1:${port}/api`, origin: "cloak-test" });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    const [first, second] = proposal.signatures;
    expect(requests).to.have.length(2);
    expect(requests[0]!.method).to.equal("POST");
    expect(requests[0]!.url).to.equal(`/api/v2/safes/${safeAddress}/multisig-transactions/`);
    expect(requests[0]!.body).to.include({
      to: outsider.address,
      value: "1",
      nonce: 0,
      contractTransactionHash: proposal.safeTxHash,
      sender: first!.signer,
      signature: first!.data,
      origin: "cloak-test",
    });
    expect(requests[1]!.url).to.equal(`/api/v1/multisig-transactions/${proposal.safeTxHash}/confirmations/`);
    expect(requests[1]!.body).to.deep.equal({ signature: second!.data });
  });

  it("computes the Transaction Builder checksum of the app's own test vector", async function () {
    // Fixture and expected value from safe-react-apps apps/tx-builder/src/lib/checksum.test.js (the version
    // that hashes with meta.name set to null). The app's addChecksum hashes the batch as given, so the
    // empty `checksum` field is part of what is hashed here.
    const vector = {
      version: "1.0",
      chainId: "4",
      createdAt: 1646321521061,
      meta: {
        name: "test batch file",
        txBuilderVersion: "1.4.0",
        checksum: "",
        createdFromSafeAddress: "0xDF8a1Ce35c9a6ACE153B4e0767942f1E2291a1Aa",
        createdFromOwnerAddress: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6",
      },
      transactions: [
        {
          to: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6",
          value: "0",
          contractMethod: { inputs: [{ internalType: "address", name: "paramAddress", type: "address" }], name: "testAddress", payable: false },
          contractInputsValues: { paramAddress: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6" },
        },
        {
          to: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6",
          value: "0",
          contractMethod: { inputs: [{ internalType: "bool", name: "paramBool", type: "bool" }], name: "testBool", payable: false },
          contractInputsValues: { paramAddress: "", paramBool: "false" },
        },
        {
          to: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6",
          value: "2000000000000000000",
          data: "0x42f4579000000000000000000000000049d4450977e2c95362c13d3a31a09311e0ea26a6",
        },
      ],
    };
    const expected = "0x4ecbfd364aa6759983915644e73f8bd411e85a2dc306f252a387c2728c4db64c";
    expect(transactionBuilderChecksum(vector)).to.equal(expected);
    // Key order does not matter; the name does not count; the order of transactions does.
    const { transactions, meta, ...rest } = vector;
    const reordered = { transactions, ...rest, meta: { ...meta, name: "renamed" } };
    expect(transactionBuilderChecksum(reordered)).to.equal(expected);
    expect(transactionBuilderChecksum({ ...vector, transactions: [...transactions].reverse() })).not.to.equal(expected);
  });

  it("writes a Transaction Builder batch whose checksum passes the app's import check, and fails it once edited", async function () {
    const dir = mkdtempSync(join(tmpdir(), "cloak-safe-"));
    try {
      const path = join(dir, "batch.json");
      const safe = "0x" + "ab".repeat(20);
      const written = writeTransactionBuilderBatch(
        [
          { to: outsider.address, value: 5n },
          { to: ownerA.address, data: "0x12345678" },
        ],
        { chainId: 11155111n, safeAddress: safe, name: "relayer rotation", description: "EP-002", createdAt: 1_700_000_000_000, path },
      );
      const imported = JSON.parse(readFileSync(path, "utf8")) as typeof written;
      expect(imported).to.deep.equal(written);
      expect(imported.chainId).to.equal("11155111");
      expect(imported.meta.createdFromSafeAddress).to.equal(ethers.getAddress(safe));
      expect(imported.transactions).to.deep.equal([
        { to: outsider.address, value: "5", data: "0x" },
        { to: ownerA.address, value: "0", data: "0x12345678" },
      ]);
      expect(verifyTransactionBuilderChecksum(imported)).to.equal(true);
      expect(verifyTransactionBuilderChecksum({ ...imported, meta: { ...imported.meta, name: "renamed in the app" } })).to.equal(true);
      const edited = { ...imported, transactions: [{ ...imported.transactions[0]!, value: "6" }, imported.transactions[1]!] };
      expect(verifyTransactionBuilderChecksum(edited)).to.equal(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
