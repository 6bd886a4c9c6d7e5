// Governance as deployed by `deployCloak`: the role matrix of docs/governance.md cell by cell, each
// allowed cell carried out for real and checked for its effect, each denied one refused by the role
// check with the exact account and role; the 48-hour powers tried through the 6-hour timelock; and the
// timelock paths themselves.
import { expect } from "chai";
import { network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { ContractTransactionResponse } from "ethers";
import { PRODUCTION_EMERGENCY_DELAY, PRODUCTION_STANDARD_DELAY, DEFAULT_DEPOSIT_LIMIT, EXIT_WINDOW } from "../../tasks/lib/constants.ts";
import { deployCloak, nativePool } from "../../tasks/lib/deploy.ts";
import { newDeployment, type DeploymentRecord } from "../../tasks/lib/deployment-file.ts";
import { deployProxy } from "../support/deploy.ts";

const { ethers, networkHelpers } = await network.create();

const IMPLEMENTATION_SLOT = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";

type Actor = "safe" | "standardTimelock" | "emergencyTimelock" | "monitor" | "council" | "deployer" | "stranger";
const ACTORS: Actor[] = ["safe", "standardTimelock", "emergencyTimelock", "monitor", "council", "deployer", "stranger"];

async function deployGoverned() {
  const [deployer, safe, monitor, stranger, relayer, council] = await ethers.getSigners();
  const record: DeploymentRecord = newDeployment("test", (await ethers.provider.getNetwork()).chainId);
  await deployCloak(ethers, record, {
    // Plain keys stand in for the Safe and the council here; the real Safes run in governance-attacks.ts.
    safe: safe!.address,
    council: council!.address,
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
  return { record, orchestrator, pool, standard, emergency, deployer: deployer!, safe: safe!, monitor: monitor!, council: council!, stranger: stranger!, relayer: relayer! };
}

/** The governed stack plus what the matrix's calls need: the timelocks as signers, a relayer, a stray token, candidates. */
async function matrixFixture() {
  const g = await deployGoverned();
  const signers = new Map<Actor, HardhatEthersSigner>([
    ["safe", g.safe],
    ["monitor", g.monitor],
    ["council", g.council],
    ["deployer", g.deployer],
    ["stranger", g.stranger],
  ]);
  for (const [actor, timelock] of [["standardTimelock", g.standard], ["emergencyTimelock", g.emergency]] as const) {
    const address = await timelock.getAddress();
    await networkHelpers.impersonateAccount(address);
    await networkHelpers.setBalance(address, 10n ** 18n);
    signers.set(actor, await ethers.getSigner(address));
  }
  await g.orchestrator.connect(g.safe).addRelayer(g.relayer.address);
  const stray = await ethers.deployContract("TestToken");
  await stray.mint(g.orchestrator.target, 50n);
  const newVerifier = await ethers.deployContract("Transaction20Verifier");
  const orchestratorV2 = await ethers.deployContract("OrchestratorV2");
  const poolImplementation = await ethers.deployContract("ShieldPool");
  // An unregistered pool of this Orchestrator, so registerPool passes its own checks.
  const unregistered = await ethers.getContractAt(
    "ShieldPool",
    await deployProxy(
      ethers,
      await poolImplementation.getAddress(),
      poolImplementation.interface.encodeFunctionData("initialize", [g.orchestrator.target, stray.target, g.record.contracts.PoseidonT3!.address]),
    ),
  );
  return { ...g, signers, stray, newVerifier, orchestratorV2, poolImplementation, unregistered, newcomer: ethers.Wallet.createRandom().address };
}

type Fixture = Awaited<ReturnType<typeof matrixFixture>>;

interface Power {
  /** Who may (docs/governance.md). */
  allowed: Actor[];
  /** The role the call checks, for the denied cells' AccessControlUnauthorizedAccount(account, role). */
  role: (f: Fixture) => Promise<string>;
  /** State that gives an authorised call something to do; `actor` is who will call. */
  arrange?: (f: Fixture, actor: Actor) => Promise<unknown>;
  call: (f: Fixture, as: HardhatEthersSigner) => Promise<ContractTransactionResponse>;
  /** The effect an allowed call must have had. */
  check: (f: Fixture) => Promise<unknown>;
  /** Pool upgrades refuse with the pool's own error instead of AccessControl's. */
  deniedWith?: "NotUpgrader";
}

const implementationOf = async (proxy: string) => ethers.getAddress(`0x${(await ethers.provider.getStorage(proxy, IMPLEMENTATION_SLOT)).slice(26)}`);
/** Changing the verifier or the code needs the exit window behind it (timelocked roles) or the global pause (the council). */
const openExitWindowOrPause = async (f: Fixture, actor: Actor) =>
  actor === "council" ? f.orchestrator.connect(f.safe).pauseAll() : networkHelpers.time.increase(EXIT_WINDOW);

const MATRIX: Record<string, Power> = {
  pause: {
    allowed: ["safe", "monitor"],
    role: (f) => f.orchestrator.GUARDIAN_ROLE(),
    call: (f, as) => f.orchestrator.connect(as).pause(f.pool.target),
    check: async (f) => expect(await f.orchestrator.isPaused(f.pool.target)).to.equal(true),
  },
  pauseAll: {
    allowed: ["safe", "monitor"],
    role: (f) => f.orchestrator.GUARDIAN_ROLE(),
    call: (f, as) => f.orchestrator.connect(as).pauseAll(),
    check: async (f) => expect(await f.orchestrator.allPaused()).to.equal(true),
  },
  unpause: {
    allowed: ["emergencyTimelock"],
    role: (f) => f.orchestrator.UNPAUSER_ROLE(),
    arrange: (f) => f.orchestrator.connect(f.safe).pause(f.pool.target),
    call: (f, as) => f.orchestrator.connect(as).unpause(f.pool.target),
    check: async (f) => expect(await f.orchestrator.isPaused(f.pool.target)).to.equal(false),
  },
  unpauseAll: {
    allowed: ["emergencyTimelock"],
    role: (f) => f.orchestrator.UNPAUSER_ROLE(),
    arrange: (f) => f.orchestrator.connect(f.safe).pauseAll(),
    call: (f, as) => f.orchestrator.connect(as).unpauseAll(),
    check: async (f) => expect(await f.orchestrator.allPaused()).to.equal(false),
  },
  setVerifier: {
    allowed: ["standardTimelock"],
    role: (f) => f.orchestrator.GOVERNOR_ROLE(),
    arrange: (f) => networkHelpers.time.increase(EXIT_WINDOW),
    call: (f, as) => f.orchestrator.connect(as).setVerifier(f.newVerifier.target),
    check: async (f) => expect(await f.orchestrator.verifier()).to.equal(f.newVerifier.target),
  },
  emergencySetVerifier: {
    allowed: ["council"],
    role: (f) => f.orchestrator.SECURITY_COUNCIL_ROLE(),
    arrange: (f) => f.orchestrator.connect(f.safe).pauseAll(),
    call: (f, as) => f.orchestrator.connect(as).emergencySetVerifier(f.newVerifier.target),
    check: async (f) => expect(await f.orchestrator.verifier()).to.equal(f.newVerifier.target),
  },
  setDepositLimit: {
    allowed: ["standardTimelock"],
    role: (f) => f.orchestrator.GOVERNOR_ROLE(),
    call: (f, as) => f.orchestrator.connect(as).setDepositLimit(f.pool.target, 1n),
    check: async (f) => expect(await f.orchestrator.depositLimit(f.pool.target)).to.equal(1n),
  },
  registerPool: {
    allowed: ["standardTimelock"],
    role: (f) => f.orchestrator.GOVERNOR_ROLE(),
    call: (f, as) => f.orchestrator.connect(as).registerPool(f.unregistered.target, f.stray.target, 1n),
    check: async (f) => expect(await f.orchestrator.isPool(f.unregistered.target)).to.equal(true),
  },
  rescueTokens: {
    allowed: ["standardTimelock"],
    role: (f) => f.orchestrator.GOVERNOR_ROLE(),
    call: (f, as) => f.orchestrator.connect(as).rescueTokens(f.stray.target, f.newcomer, 50n),
    check: async (f) => expect(await f.stray.balanceOf(f.newcomer)).to.equal(50n),
  },
  addRelayer: {
    allowed: ["safe"],
    role: (f) => f.orchestrator.RELAYER_MANAGER_ROLE(),
    call: (f, as) => f.orchestrator.connect(as).addRelayer(f.newcomer),
    check: async (f) => expect(await f.orchestrator.isRelayer(f.newcomer)).to.equal(true),
  },
  removeRelayer: {
    allowed: ["safe"],
    role: (f) => f.orchestrator.RELAYER_MANAGER_ROLE(),
    call: (f, as) => f.orchestrator.connect(as).removeRelayer(f.relayer.address),
    check: async (f) => expect(await f.orchestrator.relayers()).to.deep.equal([]),
  },
  rotateRelayer: {
    allowed: ["safe"],
    role: (f) => f.orchestrator.RELAYER_MANAGER_ROLE(),
    call: (f, as) => f.orchestrator.connect(as).rotateRelayer(f.relayer.address, f.newcomer),
    check: async (f) => expect(await f.orchestrator.relayers()).to.deep.equal([f.newcomer]),
  },
  grantRole: {
    allowed: ["standardTimelock"],
    role: (f) => f.orchestrator.DEFAULT_ADMIN_ROLE(),
    call: async (f, as) => f.orchestrator.connect(as).grantRole(await f.orchestrator.GUARDIAN_ROLE(), f.newcomer),
    check: async (f) => expect(await f.orchestrator.hasRole(await f.orchestrator.GUARDIAN_ROLE(), f.newcomer)).to.equal(true),
  },
  revokeRole: {
    allowed: ["standardTimelock"],
    role: (f) => f.orchestrator.DEFAULT_ADMIN_ROLE(),
    call: async (f, as) => f.orchestrator.connect(as).revokeRole(await f.orchestrator.GUARDIAN_ROLE(), f.monitor.address),
    check: async (f) => expect(await f.orchestrator.hasRole(await f.orchestrator.GUARDIAN_ROLE(), f.monitor.address)).to.equal(false),
  },
  revokeGuardian: {
    allowed: ["safe", "emergencyTimelock"],
    role: (f) => f.orchestrator.GUARDIAN_REVOKER_ROLE(),
    call: (f, as) => f.orchestrator.connect(as).revokeGuardian(f.monitor.address),
    check: async (f) => expect(await f.orchestrator.hasRole(await f.orchestrator.GUARDIAN_ROLE(), f.monitor.address)).to.equal(false),
  },
  upgradeOrchestrator: {
    allowed: ["standardTimelock", "council"],
    role: (f) => f.orchestrator.UPGRADER_ROLE(),
    arrange: openExitWindowOrPause,
    call: (f, as) => f.orchestrator.connect(as).upgradeToAndCall(f.orchestratorV2.target, "0x"),
    check: async (f) => expect(await implementationOf(String(f.orchestrator.target))).to.equal(f.orchestratorV2.target),
  },
  upgradePool: {
    allowed: ["standardTimelock", "council"],
    role: (f) => f.orchestrator.UPGRADER_ROLE(),
    arrange: openExitWindowOrPause,
    call: (f, as) => f.pool.connect(as).upgradeToAndCall(f.poolImplementation.target, "0x"),
    check: async (f) => expect(await implementationOf(String(f.pool.target))).to.equal(f.poolImplementation.target),
    deniedWith: "NotUpgrader",
  },
};

describe("governance", function () {
  describe("role matrix", function () {
    for (const [action, power] of Object.entries(MATRIX)) {
      for (const actor of ACTORS) {
        const allowed = power.allowed.includes(actor);
        it(`${action}: ${actor} is ${allowed ? "allowed" : "denied"}`, async function () {
          const f = await networkHelpers.loadFixture(matrixFixture);
          const as = f.signers.get(actor)!;
          await power.arrange?.(f, actor);
          if (allowed) {
            await (await power.call(f, as)).wait();
            await power.check(f);
          } else if (power.deniedWith === "NotUpgrader") {
            await expect(power.call(f, as)).to.be.revertedWithCustomError(f.pool, "NotUpgrader").withArgs(as.address);
          } else {
            await expect(power.call(f, as)).to.be.revertedWithCustomError(f.orchestrator, "AccessControlUnauthorizedAccount").withArgs(as.address, await power.role(f));
          }
        });
      }
    }

    it("the council's upgrade power needs the global pause: NotInEmergency otherwise", async function () {
      const f = await networkHelpers.loadFixture(matrixFixture);
      await expect(f.orchestrator.connect(f.council).upgradeToAndCall(f.orchestratorV2.target, "0x")).to.be.revertedWithCustomError(f.orchestrator, "NotInEmergency");
      await expect(f.pool.connect(f.council).upgradeToAndCall(f.poolImplementation.target, "0x")).to.be.revertedWithCustomError(f.pool, "NotInEmergency");
      await expect(f.orchestrator.connect(f.council).emergencySetVerifier(f.newVerifier.target)).to.be.revertedWithCustomError(f.orchestrator, "NotInEmergency");
    });

    it("the standard timelock's verifier and upgrade powers wait for the exit window: ExitWindowNotElapsed(executableAt)", async function () {
      const f = await networkHelpers.loadFixture(matrixFixture);
      const standard = f.signers.get("standardTimelock")!;
      const executableAt = await f.orchestrator.changesExecutableAt();
      await expect(f.orchestrator.connect(standard).setVerifier(f.newVerifier.target)).to.be.revertedWithCustomError(f.orchestrator, "ExitWindowNotElapsed").withArgs(executableAt);
      await expect(f.orchestrator.connect(standard).upgradeToAndCall(f.orchestratorV2.target, "0x")).to.be.revertedWithCustomError(f.orchestrator, "ExitWindowNotElapsed").withArgs(executableAt);
      await expect(f.pool.connect(standard).upgradeToAndCall(f.poolImplementation.target, "0x")).to.be.revertedWithCustomError(f.pool, "ExitWindowNotElapsed").withArgs(executableAt);
    });
  });

  describe("48-hour powers through the 6-hour emergency timelock", function () {
    // The Safe proposes to both timelocks; these are what it might try to rush through the short one.
    const RUSHED: Array<{ name: string; role: (f: Fixture) => Promise<string>; call: (f: Fixture) => Promise<{ target: string; data: string }> }> = [
      { name: "setVerifier", role: (f) => f.orchestrator.GOVERNOR_ROLE(), call: async (f) => ({ target: String(f.orchestrator.target), data: f.orchestrator.interface.encodeFunctionData("setVerifier", [String(f.newVerifier.target)]) }) },
      { name: "setDepositLimit", role: (f) => f.orchestrator.GOVERNOR_ROLE(), call: async (f) => ({ target: String(f.orchestrator.target), data: f.orchestrator.interface.encodeFunctionData("setDepositLimit", [String(f.pool.target), 1n]) }) },
      { name: "registerPool", role: (f) => f.orchestrator.GOVERNOR_ROLE(), call: async (f) => ({ target: String(f.orchestrator.target), data: f.orchestrator.interface.encodeFunctionData("registerPool", [String(f.unregistered.target), String(f.stray.target), 1n]) }) },
      { name: "rescueTokens", role: (f) => f.orchestrator.GOVERNOR_ROLE(), call: async (f) => ({ target: String(f.orchestrator.target), data: f.orchestrator.interface.encodeFunctionData("rescueTokens", [String(f.stray.target), f.newcomer, 50n]) }) },
      { name: "grantRole", role: (f) => f.orchestrator.DEFAULT_ADMIN_ROLE(), call: async (f) => ({ target: String(f.orchestrator.target), data: f.orchestrator.interface.encodeFunctionData("grantRole", [await f.orchestrator.GOVERNOR_ROLE(), f.newcomer]) }) },
      { name: "upgrade the Orchestrator", role: (f) => f.orchestrator.UPGRADER_ROLE(), call: async (f) => ({ target: String(f.orchestrator.target), data: f.orchestrator.interface.encodeFunctionData("upgradeToAndCall", [String(f.orchestratorV2.target), "0x"]) }) },
    ];

    for (const rushed of RUSHED) {
      it(`${rushed.name}: scheduled by the Safe on the emergency timelock, its execution fails the role check`, async function () {
        const f = await networkHelpers.loadFixture(matrixFixture);
        const { target, data } = await rushed.call(f);
        const salt = ethers.id(rushed.name);
        await f.emergency.connect(f.safe).schedule(target, 0n, data, ethers.ZeroHash, salt, PRODUCTION_EMERGENCY_DELAY);
        // Past the exit window as well, so only the role can stop it.
        await networkHelpers.time.increase(EXIT_WINDOW);
        await expect(f.emergency.connect(f.stranger).execute(target, 0n, data, ethers.ZeroHash, salt))
          .to.be.revertedWithCustomError(f.orchestrator, "AccessControlUnauthorizedAccount")
          .withArgs(f.emergency.target, await rushed.role(f));
      });
    }

    it("upgrade a pool: scheduled by the Safe on the emergency timelock, its execution fails with NotUpgrader", async function () {
      const f = await networkHelpers.loadFixture(matrixFixture);
      const data = f.pool.interface.encodeFunctionData("upgradeToAndCall", [String(f.poolImplementation.target), "0x"]);
      await f.emergency.connect(f.safe).schedule(f.pool.target, 0n, data, ethers.ZeroHash, ethers.ZeroHash, PRODUCTION_EMERGENCY_DELAY);
      await networkHelpers.time.increase(EXIT_WINDOW);
      await expect(f.emergency.connect(f.stranger).execute(f.pool.target, 0n, data, ethers.ZeroHash, ethers.ZeroHash))
        .to.be.revertedWithCustomError(f.pool, "NotUpgrader")
        .withArgs(f.emergency.target);
    });
  });

  describe("timelocked operations", function () {
    /** TimelockController's bitmap of the state an execution needs: Ready (OperationState 2). */
    const READY_STATE = ethers.toBeHex(1n << 2n, 32);

    it("refuses an emergency unpause before 6 hours and performs it after", async function () {
      const g = await deployGoverned();
      await g.orchestrator.connect(g.safe).pause(g.pool.target);
      const data = g.orchestrator.interface.encodeFunctionData("unpause", [g.pool.target]);
      const salt = ethers.id("unpause-1");
      await g.emergency.connect(g.safe).schedule(g.orchestrator.target, 0n, data, ethers.ZeroHash, salt, PRODUCTION_EMERGENCY_DELAY);
      const id = await g.emergency.hashOperation(g.orchestrator.target, 0n, data, ethers.ZeroHash, salt);
      await networkHelpers.time.increase(PRODUCTION_EMERGENCY_DELAY - 60n);
      await expect(g.emergency.execute(g.orchestrator.target, 0n, data, ethers.ZeroHash, salt))
        .to.be.revertedWithCustomError(g.emergency, "TimelockUnexpectedOperationState")
        .withArgs(id, READY_STATE);
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
      const id = await g.standard.hashOperation(g.orchestrator.target, 0n, data, ethers.ZeroHash, salt);
      await networkHelpers.time.increase(PRODUCTION_STANDARD_DELAY / 2n);
      await expect(g.standard.execute(g.orchestrator.target, 0n, data, ethers.ZeroHash, salt))
        .to.be.revertedWithCustomError(g.standard, "TimelockUnexpectedOperationState")
        .withArgs(id, READY_STATE);
      expect(await g.orchestrator.verifier()).to.equal(before);
      await networkHelpers.time.increase(PRODUCTION_STANDARD_DELAY / 2n);
      await g.standard.execute(g.orchestrator.target, 0n, data, ethers.ZeroHash, salt);
      expect(await g.orchestrator.verifier()).to.equal(await replacement.getAddress());
    });

    it("refuses a schedule shorter than the timelock's delay", async function () {
      const g = await deployGoverned();
      const data = g.orchestrator.interface.encodeFunctionData("setDepositLimit", [g.pool.target, 1n]);
      await expect(g.standard.connect(g.safe).schedule(g.orchestrator.target, 0n, data, ethers.ZeroHash, ethers.ZeroHash, PRODUCTION_EMERGENCY_DELAY))
        .to.be.revertedWithCustomError(g.standard, "TimelockInsufficientDelay")
        .withArgs(PRODUCTION_EMERGENCY_DELAY, PRODUCTION_STANDARD_DELAY);
    });

    it("lets only the Safe propose to the timelocks", async function () {
      const g = await deployGoverned();
      const data = g.orchestrator.interface.encodeFunctionData("unpauseAll");
      await expect(g.emergency.connect(g.stranger).schedule(g.orchestrator.target, 0n, data, ethers.ZeroHash, ethers.ZeroHash, PRODUCTION_EMERGENCY_DELAY))
        .to.be.revertedWithCustomError(g.emergency, "AccessControlUnauthorizedAccount")
        .withArgs(g.stranger.address, await g.emergency.PROPOSER_ROLE());
    });

    it("agrees with the Orchestrator on the exit window the deploy checks use", async function () {
      const g = await deployGoverned();
      expect(await g.orchestrator.EXIT_WINDOW()).to.equal(EXIT_WINDOW);
    });
  });
});
