// Governance as deployed by `deployCloak`: the role matrix of docs/governance.md, cell by cell, and the
// timelock paths (emergency unpause after 6 h, verifier rotation and upgrades after 48 h).
import { expect } from "chai";
import { network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { PRODUCTION_EMERGENCY_DELAY, PRODUCTION_STANDARD_DELAY, DEFAULT_DEPOSIT_LIMIT } from "../../tasks/lib/constants.ts";
import { deployCloak, nativePool } from "../../tasks/lib/deploy.ts";
import { newDeployment, type DeploymentRecord } from "../../tasks/lib/deployment-file.ts";

const { ethers, networkHelpers } = await network.create();

type Actor = "safe" | "standardTimelock" | "emergencyTimelock" | "monitor" | "deployer" | "stranger";
const ACTORS: Actor[] = ["safe", "standardTimelock", "emergencyTimelock", "monitor", "deployer", "stranger"];

/** Who may call what (docs/governance.md). */
const MATRIX: Record<string, Actor[]> = {
  pause: ["safe", "monitor"],
  pauseAll: ["safe", "monitor"],
  unpause: ["emergencyTimelock"],
  unpauseAll: ["emergencyTimelock"],
  setVerifier: ["standardTimelock"],
  setDepositLimit: ["standardTimelock"],
  registerPool: ["standardTimelock"],
  rescueTokens: ["standardTimelock"],
  addRelayer: ["safe"],
  removeRelayer: ["safe"],
  rotateRelayer: ["safe"],
  grantRole: ["standardTimelock"],
  upgradeOrchestrator: ["standardTimelock"],
  upgradePool: ["standardTimelock"],
};

async function deployGoverned() {
  const [deployer, safe, monitor, stranger, relayer] = await ethers.getSigners();
  const record: DeploymentRecord = newDeployment("test", (await ethers.provider.getNetwork()).chainId);
  await deployCloak(ethers, record, {
    // The timelocks' proposer here is a plain key; Safe-driven proposals are covered in Safe.ts.
    safe: safe!.address,
    guardians: [monitor!.address],
    standardDelay: PRODUCTION_STANDARD_DELAY,
    emergencyDelay: PRODUCTION_EMERGENCY_DELAY,
    pools: [nativePool(DEFAULT_DEPOSIT_LIMIT)],
    save: () => {},
    log: () => {},
  });
  const orchestrator = await ethers.getContractAt("Orchestrator", record.contracts.Orchestrator!.address);
  const pool = await ethers.getContractAt("ShieldPool", record.contracts["ShieldPool.native"]!.address);
  const standard = await ethers.getContractAt("TimelockController", record.contracts.StandardTimelock!.address);
  const emergency = await ethers.getContractAt("TimelockController", record.contracts.EmergencyTimelock!.address);
  return { record, orchestrator, pool, standard, emergency, deployer: deployer!, safe: safe!, monitor: monitor!, stranger: stranger!, relayer: relayer! };
}

describe("governance", function () {
  describe("role matrix", function () {
    let g: Awaited<ReturnType<typeof deployGoverned>>;
    const signers = new Map<Actor, HardhatEthersSigner>();

    before(async function () {
      g = await deployGoverned();
      signers.set("safe", g.safe).set("monitor", g.monitor).set("deployer", g.deployer).set("stranger", g.stranger);
      for (const [actor, timelock] of [["standardTimelock", g.standard], ["emergencyTimelock", g.emergency]] as const) {
        const address = await timelock.getAddress();
        await networkHelpers.impersonateAccount(address);
        await networkHelpers.setBalance(address, 10n ** 18n);
        signers.set(actor, await ethers.getSigner(address));
      }
      // Arrange state so each call, when authorised, has something to do.
      await g.orchestrator.connect(g.safe).pause(g.pool.target);
      await g.orchestrator.connect(g.safe).pauseAll();
      await g.orchestrator.connect(g.safe).addRelayer(g.relayer.address);
    });

    async function attempt(actor: Actor, action: string): Promise<"allowed" | "denied"> {
      const as = g.orchestrator.connect(signers.get(actor)!);
      const poolAsActor = g.pool.connect(signers.get(actor)!);
      const newImpl = ethers.Wallet.createRandom().address;
      const calls: Record<string, () => Promise<unknown>> = {
        pause: () => as.pause.staticCall(g.pool.target).catch(rethrowUnlessState),
        pauseAll: () => as.pauseAll.staticCall().catch(rethrowUnlessState),
        unpause: () => as.unpause.staticCall(g.pool.target),
        unpauseAll: () => as.unpauseAll.staticCall(),
        setVerifier: () => as.setVerifier.staticCall(newImpl),
        setDepositLimit: () => as.setDepositLimit.staticCall(g.pool.target, 1n),
        registerPool: () => as.registerPool.staticCall(newImpl, ethers.ZeroAddress, 1n),
        rescueTokens: () => as.rescueTokens.staticCall(newImpl, g.stranger.address, 1n).catch(rethrowUnlessState),
        addRelayer: () => as.addRelayer.staticCall(newImpl),
        removeRelayer: () => as.removeRelayer.staticCall(g.relayer.address),
        rotateRelayer: () => as.rotateRelayer.staticCall(g.relayer.address, newImpl),
        grantRole: () => as.grantRole.staticCall(ethers.id("GUARDIAN_ROLE"), newImpl),
        upgradeOrchestrator: () => as.upgradeToAndCall.staticCall(newImpl, "0x").catch(rethrowUnlessState),
        upgradePool: () => poolAsActor.upgradeToAndCall.staticCall(newImpl, "0x").catch(rethrowUnlessState),
      };
      try {
        await calls[action]!();
        return "allowed";
      } catch (error) {
        if (isAuthorisationError(error)) return "denied";
        throw error;
      }
    }

    for (const [action, allowed] of Object.entries(MATRIX)) {
      for (const actor of ACTORS) {
        const expected = allowed.includes(actor) ? "allowed" : "denied";
        it(`${action}: ${actor} is ${expected}`, async function () {
          expect(await attempt(actor, action)).to.equal(expected);
        });
      }
    }
  });

  describe("timelocked operations", function () {
    it("refuses an emergency unpause before 6 hours and performs it after", async function () {
      const g = await deployGoverned();
      await g.orchestrator.connect(g.safe).pause(g.pool.target);
      const data = g.orchestrator.interface.encodeFunctionData("unpause", [g.pool.target]);
      const salt = ethers.id("unpause-1");
      await g.emergency.connect(g.safe).schedule(g.orchestrator.target, 0n, data, ethers.ZeroHash, salt, PRODUCTION_EMERGENCY_DELAY);
      await networkHelpers.time.increase(PRODUCTION_EMERGENCY_DELAY - 60n);
      await expect(g.emergency.execute(g.orchestrator.target, 0n, data, ethers.ZeroHash, salt)).to.be.revertedWithCustomError(
        g.emergency,
        "TimelockUnexpectedOperationState",
      );
      await networkHelpers.time.increase(60n);
      await g.emergency.connect(g.stranger).execute(g.orchestrator.target, 0n, data, ethers.ZeroHash, salt);
      expect(await g.orchestrator.isPaused(g.pool.target)).to.equal(false);
    });

    it("rotates the verifier only once the 48-hour delay has passed", async function () {
      const g = await deployGoverned();
      const replacement = await ethers.deployContract("Transaction20Verifier");
      const data = g.orchestrator.interface.encodeFunctionData("setVerifier", [await replacement.getAddress()]);
      const salt = ethers.id("rotate-verifier");
      const before = await g.orchestrator.verifier();
      await g.standard.connect(g.safe).schedule(g.orchestrator.target, 0n, data, ethers.ZeroHash, salt, PRODUCTION_STANDARD_DELAY);
      await networkHelpers.time.increase(PRODUCTION_STANDARD_DELAY / 2n);
      await expect(g.standard.execute(g.orchestrator.target, 0n, data, ethers.ZeroHash, salt)).to.be.revertedWithCustomError(
        g.standard,
        "TimelockUnexpectedOperationState",
      );
      expect(await g.orchestrator.verifier()).to.equal(before);
      await networkHelpers.time.increase(PRODUCTION_STANDARD_DELAY / 2n);
      await g.standard.execute(g.orchestrator.target, 0n, data, ethers.ZeroHash, salt);
      expect(await g.orchestrator.verifier()).to.equal(await replacement.getAddress());
    });

    it("refuses a schedule shorter than the timelock's delay", async function () {
      const g = await deployGoverned();
      const data = g.orchestrator.interface.encodeFunctionData("setDepositLimit", [g.pool.target, 1n]);
      await expect(
        g.standard.connect(g.safe).schedule(g.orchestrator.target, 0n, data, ethers.ZeroHash, ethers.ZeroHash, PRODUCTION_EMERGENCY_DELAY),
      ).to.be.revertedWithCustomError(g.standard, "TimelockInsufficientDelay");
    });

    it("lets only the Safe propose to the timelocks", async function () {
      const g = await deployGoverned();
      const data = g.orchestrator.interface.encodeFunctionData("unpauseAll");
      await expect(
        g.emergency.connect(g.stranger).schedule(g.orchestrator.target, 0n, data, ethers.ZeroHash, ethers.ZeroHash, PRODUCTION_EMERGENCY_DELAY),
      ).to.be.revertedWithCustomError(g.emergency, "AccessControlUnauthorizedAccount");
    });
  });
});

/** The call got past the role check and failed on state (e.g. nothing to pause): that still means allowed. */
function rethrowUnlessState(error: unknown): void {
  if (isAuthorisationError(error)) throw error;
}

function isAuthorisationError(error: unknown): boolean {
  const text = String((error as { message?: string })?.message ?? error);
  return /AccessControlUnauthorizedAccount|NotUpgrader/.test(text);
}
