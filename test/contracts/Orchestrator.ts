// The Orchestrator's guarantees on their own (deployer-held roles, no timelocks): the exit window before
// any verifier rotation or upgrade, the security council's emergency path during the global pause, the
// guardian revoker, and the identity checks of registerPool. Governance through the Safe and timelocks
// is covered by governance.ts and the attack tests.
import { expect } from "chai";
import { network } from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import { deployStack, deployProxy } from "../support/deploy.ts";

const { ethers, networkHelpers } = await network.create();

const EXIT_WINDOW = 48n * 60n * 60n;
const HOUR = 60n * 60n;

/** The timestamp of the block that included `tx`. */
async function minedAt(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  const block = await ethers.provider.getBlock(receipt!.blockNumber);
  return BigInt(block!.timestamp);
}

async function governed() {
  const stack = await deployStack(ethers);
  const [, council, revoker, monitor, stranger] = await ethers.getSigners();
  const o = stack.orchestrator;
  const initializedAt = await o.unpausedSince();
  // The pool exists, so appointing the council waits for the exit window like any bypass of it.
  await networkHelpers.time.increaseTo(initializedAt + EXIT_WINDOW);
  await o.grantRole(await o.SECURITY_COUNCIL_ROLE(), council!.address);
  await o.grantRole(await o.GUARDIAN_REVOKER_ROLE(), revoker!.address);
  await o.grantRole(await o.GUARDIAN_ROLE(), monitor!.address);
  const replacement = await (await ethers.deployContract("Transaction20Verifier")).getAddress();
  return { ...stack, initializedAt, council: council!, revoker: revoker!, monitor: monitor!, stranger: stranger!, replacement };
}

describe("Orchestrator", function () {
  describe("exit window", function () {
    it("opens EXIT_WINDOW after initialization: setVerifier is refused before with the exact time", async function () {
      const { orchestrator } = await deployStack(ethers);
      const initializedAt = await orchestrator.unpausedSince();
      expect(await orchestrator.EXIT_WINDOW()).to.equal(EXIT_WINDOW);
      expect(await orchestrator.changesExecutableAt()).to.equal(initializedAt + EXIT_WINDOW);
      const replacement = await (await ethers.deployContract("Transaction20Verifier")).getAddress();
      await expect(orchestrator.setVerifier(replacement))
        .to.be.revertedWithCustomError(orchestrator, "ExitWindowNotElapsed")
        .withArgs(initializedAt + EXIT_WINDOW);
      await networkHelpers.time.setNextBlockTimestamp(initializedAt + EXIT_WINDOW);
      await expect(orchestrator.setVerifier(replacement)).to.emit(orchestrator, "VerifierRotated");
      expect(await orchestrator.verifier()).to.equal(replacement);
    });

    it("is closed while any single pool is paused: changesExecutableAt is the maximum", async function () {
      const g = await governed();
      await g.orchestrator.pause(g.pool.target);
      expect(await g.orchestrator.changesExecutableAt()).to.equal(ethers.MaxUint256);
      await expect(g.orchestrator.setVerifier(g.replacement))
        .to.be.revertedWithCustomError(g.orchestrator, "ExitWindowNotElapsed")
        .withArgs(ethers.MaxUint256);
    });

    it("defeats the audit's sequence: pause at t0, unpause late, setVerifier at t0 + 48 h is refused", async function () {
      const g = await governed();
      const pausedAt = await minedAt(g.orchestrator.pauseAll());
      // Still paused at t0 + 48 h: the window never ran.
      await networkHelpers.time.setNextBlockTimestamp(pausedAt + EXIT_WINDOW);
      await expect(g.orchestrator.setVerifier(g.replacement))
        .to.be.revertedWithCustomError(g.orchestrator, "ExitWindowNotElapsed")
        .withArgs(ethers.MaxUint256);
      // Unpaused late: the window restarts at the unpause, so the change waits a further 48 h.
      const unpausedAt = await minedAt(g.orchestrator.unpauseAll());
      expect(await g.orchestrator.unpausedSince()).to.equal(unpausedAt);
      await expect(g.orchestrator.setVerifier(g.replacement))
        .to.be.revertedWithCustomError(g.orchestrator, "ExitWindowNotElapsed")
        .withArgs(unpausedAt + EXIT_WINDOW);
      await networkHelpers.time.setNextBlockTimestamp(unpausedAt + EXIT_WINDOW - 1n);
      await expect(g.orchestrator.setVerifier(g.replacement))
        .to.be.revertedWithCustomError(g.orchestrator, "ExitWindowNotElapsed")
        .withArgs(unpausedAt + EXIT_WINDOW);
      await networkHelpers.time.setNextBlockTimestamp(unpausedAt + EXIT_WINDOW);
      await expect(g.orchestrator.setVerifier(g.replacement))
        .to.emit(g.orchestrator, "VerifierRotated")
        .withArgs(g.verifier, g.replacement);
    });

    it("pauses shorter than the window still restart it: a 42 h pause is not credited", async function () {
      const g = await governed();
      const pausedAt = await minedAt(g.orchestrator.pauseAll());
      await networkHelpers.time.setNextBlockTimestamp(pausedAt + 42n * HOUR);
      const unpausedAt = await minedAt(g.orchestrator.unpauseAll());
      await networkHelpers.time.setNextBlockTimestamp(pausedAt + EXIT_WINDOW);
      await expect(g.orchestrator.setVerifier(g.replacement))
        .to.be.revertedWithCustomError(g.orchestrator, "ExitWindowNotElapsed")
        .withArgs(unpausedAt + EXIT_WINDOW);
    });

    it("restarts only when the last pause lifts: the global and a pool's own switch both count", async function () {
      const g = await governed();
      await g.orchestrator.pause(g.pool.target);
      await g.orchestrator.pauseAll();
      await g.orchestrator.unpauseAll();
      expect(await g.orchestrator.changesExecutableAt()).to.equal(ethers.MaxUint256);
      const unpausedAt = await minedAt(g.orchestrator.unpause(g.pool.target));
      expect(await g.orchestrator.changesExecutableAt()).to.equal(unpausedAt + EXIT_WINDOW);
    });

    for (const proxy of ["Orchestrator", "pool"] as const) {
      it(`refuses an upgrade of the ${proxy} inside the window with its own error and performs it after`, async function () {
        const g = await governed();
        const target = proxy === "pool" ? g.pool : g.orchestrator;
        const implementation = await ethers.deployContract(proxy === "pool" ? "ShieldPool" : "OrchestratorV2");
        const unpausedAt = await pauseAndUnpause(g.orchestrator);
        await expect(target.upgradeToAndCall(implementation.target, "0x"))
          .to.be.revertedWithCustomError(target, "ExitWindowNotElapsed")
          .withArgs(unpausedAt + EXIT_WINDOW);
        await networkHelpers.time.setNextBlockTimestamp(unpausedAt + EXIT_WINDOW);
        await expect(target.upgradeToAndCall(implementation.target, "0x")).to.emit(target, "Upgraded").withArgs(implementation.target);
      });
    }

    it("refuses upgrades by an account without the upgrader role, naming it", async function () {
      const g = await governed();
      const implementation = await ethers.deployContract("ShieldPool");
      await expect(g.pool.connect(g.stranger).upgradeToAndCall(implementation.target, "0x"))
        .to.be.revertedWithCustomError(g.pool, "NotUpgrader")
        .withArgs(g.stranger.address);
      await expect(g.orchestrator.connect(g.stranger).upgradeToAndCall(implementation.target, "0x"))
        .to.be.revertedWithCustomError(g.orchestrator, "AccessControlUnauthorizedAccount")
        .withArgs(g.stranger.address, await g.orchestrator.UPGRADER_ROLE());
    });

    it("makes appointing a security council wait for the window once a pool exists", async function () {
      const g = await governed();
      await g.orchestrator.pauseAll();
      await expect(g.orchestrator.grantRole(await g.orchestrator.SECURITY_COUNCIL_ROLE(), g.stranger.address))
        .to.be.revertedWithCustomError(g.orchestrator, "ExitWindowNotElapsed")
        .withArgs(ethers.MaxUint256);
    });
  });

  describe("security council", function () {
    it("rotates the verifier at once while the global pause is on", async function () {
      const g = await governed();
      await g.orchestrator.pauseAll();
      await expect(g.orchestrator.connect(g.council).emergencySetVerifier(g.replacement))
        .to.emit(g.orchestrator, "EmergencyVerifierRotated")
        .withArgs(g.verifier, g.replacement, g.council.address);
      expect(await g.orchestrator.verifier()).to.equal(g.replacement);
    });

    for (const [state, arrange] of [
      ["nothing is paused", async () => {}],
      ["only one pool's own switch is on", async (g: Awaited<ReturnType<typeof governed>>) => void (await g.orchestrator.pause(g.pool.target))],
    ] as const) {
      it(`cannot rotate the verifier when ${state}`, async function () {
        const g = await governed();
        await arrange(g);
        await expect(g.orchestrator.connect(g.council).emergencySetVerifier(g.replacement))
          .to.be.revertedWithCustomError(g.orchestrator, "NotInEmergency")
          .withArgs();
      });
    }

    it("is the only role with the emergency power", async function () {
      const g = await governed();
      await g.orchestrator.pauseAll();
      await expect(g.orchestrator.emergencySetVerifier(g.replacement))
        .to.be.revertedWithCustomError(g.orchestrator, "AccessControlUnauthorizedAccount")
        .withArgs(g.admin.address, await g.orchestrator.SECURITY_COUNCIL_ROLE());
    });

    it("upgrades the Orchestrator and a pool while paused, without the window", async function () {
      const g = await governed();
      const v2 = await ethers.deployContract("OrchestratorV2");
      const poolImplementation = await ethers.deployContract("ShieldPool");
      await g.orchestrator.pauseAll();
      await expect(g.orchestrator.connect(g.council).upgradeToAndCall(v2.target, "0x")).to.emit(g.orchestrator, "Upgraded").withArgs(v2.target);
      await expect(g.pool.connect(g.council).upgradeToAndCall(poolImplementation.target, "0x"))
        .to.emit(g.pool, "Upgraded")
        .withArgs(poolImplementation.target);
    });

    it("cannot upgrade the Orchestrator or a pool when not paused", async function () {
      const g = await governed();
      const v2 = await ethers.deployContract("OrchestratorV2");
      const poolImplementation = await ethers.deployContract("ShieldPool");
      await expect(g.orchestrator.connect(g.council).upgradeToAndCall(v2.target, "0x")).to.be.revertedWithCustomError(
        g.orchestrator,
        "NotInEmergency",
      ).withArgs();
      await expect(g.pool.connect(g.council).upgradeToAndCall(poolImplementation.target, "0x")).to.be.revertedWithCustomError(
        g.pool,
        "NotInEmergency",
      ).withArgs();
    });
  });

  describe("guardian revoker", function () {
    it("revokes a guardian at once, and the revoked key can no longer pause", async function () {
      const g = await governed();
      const guardian = await g.orchestrator.GUARDIAN_ROLE();
      await g.orchestrator.connect(g.monitor).pauseAll();
      await expect(g.orchestrator.connect(g.revoker).revokeGuardian(g.monitor.address))
        .to.emit(g.orchestrator, "RoleRevoked")
        .withArgs(guardian, g.monitor.address, g.revoker.address);
      await g.orchestrator.unpauseAll();
      await expect(g.orchestrator.connect(g.monitor).pauseAll())
        .to.be.revertedWithCustomError(g.orchestrator, "AccessControlUnauthorizedAccount")
        .withArgs(g.monitor.address, guardian);
    });

    it("refuses an account that is no guardian", async function () {
      const g = await governed();
      await expect(g.orchestrator.connect(g.revoker).revokeGuardian(g.stranger.address)).to.be.revertedWithCustomError(
        g.orchestrator,
        "NoChange",
      ).withArgs();
    });

    it("cannot grant the guardian role", async function () {
      const g = await governed();
      await expect(g.orchestrator.connect(g.revoker).grantRole(await g.orchestrator.GUARDIAN_ROLE(), g.stranger.address))
        .to.be.revertedWithCustomError(g.orchestrator, "AccessControlUnauthorizedAccount")
        .withArgs(g.revoker.address, await g.orchestrator.DEFAULT_ADMIN_ROLE());
    });

    it("is needed to revoke a guardian", async function () {
      const g = await governed();
      await expect(g.orchestrator.connect(g.stranger).revokeGuardian(g.monitor.address))
        .to.be.revertedWithCustomError(g.orchestrator, "AccessControlUnauthorizedAccount")
        .withArgs(g.stranger.address, await g.orchestrator.GUARDIAN_REVOKER_ROLE());
    });
  });

  describe("registerPool", function () {
    async function poolFor(orchestrator: string, token: string, hasher: string): Promise<string> {
      const implementation = await ethers.deployContract("ShieldPool");
      return deployProxy(ethers, await implementation.getAddress(), implementation.interface.encodeFunctionData("initialize", [orchestrator, token, hasher]));
    }

    it("refuses a pool governed by another Orchestrator", async function () {
      const g = await governed();
      const other = await deployStack(ethers);
      const foreign = await poolFor(await other.orchestrator.getAddress(), ethers.ZeroAddress, g.hasher);
      await expect(g.orchestrator.registerPool(foreign, ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(g.orchestrator, "PoolOrchestratorMismatch")
        .withArgs(foreign, other.orchestrator.target);
    });

    it("refuses a pool whose asset is not the one given", async function () {
      const g = await governed();
      const token = await ethers.deployContract("TestToken");
      const tokenPool = await poolFor(await g.orchestrator.getAddress(), await token.getAddress(), g.hasher);
      await expect(g.orchestrator.registerPool(tokenPool, ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(g.orchestrator, "PoolAssetMismatch")
        .withArgs(tokenPool, ethers.ZeroAddress, token.target);
    });

    it("refuses an address without code as a native pool", async function () {
      const g = await governed();
      await expect(g.orchestrator.registerPool(g.stranger.address, ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(g.orchestrator, "PoolOrchestratorMismatch")
        .withArgs(g.stranger.address, ethers.ZeroAddress);
    });

    it("registers a pool that names this Orchestrator and the given asset", async function () {
      const g = await governed();
      const token = await ethers.deployContract("TestToken");
      const tokenPool = await poolFor(await g.orchestrator.getAddress(), await token.getAddress(), g.hasher);
      await expect(g.orchestrator.registerPool(tokenPool, token.target, 7n))
        .to.emit(g.orchestrator, "PoolRegistered")
        .withArgs(tokenPool, token.target, 7n);
    });

    it("refuses a deposit limit above 2^240 - 1, which it could not store beside the pool's switches", async function () {
      const g = await governed();
      const token = await ethers.deployContract("TestToken");
      const tokenPool = await poolFor(await g.orchestrator.getAddress(), await token.getAddress(), g.hasher);
      const max = (1n << 240n) - 1n;
      await expect(g.orchestrator.registerPool(tokenPool, token.target, max + 1n))
        .to.be.revertedWithCustomError(g.orchestrator, "DepositLimitTooLarge")
        .withArgs(max + 1n, max);
    });
  });

  describe("deposit limits and the transaction context", function () {
    it("stores a deposit limit up to 2^240 - 1 and refuses a larger one without changing it", async function () {
      const g = await governed();
      const max = (1n << 240n) - 1n;
      await (await g.orchestrator.setDepositLimit(g.pool.target, max)).wait();
      expect(await g.orchestrator.depositLimit(g.pool.target)).to.equal(max);
      await expect(g.orchestrator.setDepositLimit(g.pool.target, ethers.MaxUint256))
        .to.be.revertedWithCustomError(g.orchestrator, "DepositLimitTooLarge")
        .withArgs(ethers.MaxUint256, max);
      expect(await g.orchestrator.depositLimit(g.pool.target)).to.equal(max);
    });

    it("answers transactContext only to a registered pool: UnknownPool(caller) for anyone else", async function () {
      const g = await governed();
      await expect(g.orchestrator.connect(g.stranger).transactContext(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(g.orchestrator, "UnknownPool")
        .withArgs(g.stranger.address);
    });

    it("gives a pool its pause, verifier, limit and the relayer's registration in one call", async function () {
      const g = await governed();
      const [deployer] = await ethers.getSigners();
      await (await g.orchestrator.addRelayer(g.monitor.address)).wait();
      await (await g.orchestrator.connect(g.monitor).pause(g.pool.target)).wait();
      await networkHelpers.impersonateAccount(g.pool.target as string);
      await networkHelpers.setBalance(g.pool.target as string, 10n ** 18n);
      const asPool = g.orchestrator.connect(await ethers.getSigner(g.pool.target as string));
      const registered = await asPool.transactContext(g.monitor.address);
      expect([registered.paused, registered.verifier, registered.depositLimit, registered.relayerRegistered]).to.deep.equal([
        true,
        await g.orchestrator.verifier(),
        await g.orchestrator.depositLimit(g.pool.target),
        true,
      ]);
      expect((await asPool.transactContext(deployer!.address)).relayerRegistered).to.equal(false);
      expect((await asPool.transactContext(ethers.ZeroAddress)).relayerRegistered).to.equal(false);
    });
  });
});

/** Pauses and unpauses every pool; returns when the window restarted. */
async function pauseAndUnpause(orchestrator: Awaited<ReturnType<typeof deployStack>>["orchestrator"]): Promise<bigint> {
  await (await orchestrator.pauseAll()).wait();
  return minedAt(orchestrator.unpauseAll());
}
