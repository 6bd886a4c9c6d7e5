// The `artifacts:check` operator task, run through Hardhat's task manager.
import { expect } from "chai";
import hre from "hardhat";

async function runCheck(depth: number): Promise<number> {
  const previous = process.exitCode;
  process.exitCode = undefined;
  try {
    await hre.tasks.getTask("artifacts:check").run({ depth });
    return Number(process.exitCode ?? 0);
  } finally {
    process.exitCode = previous;
  }
}

describe("artifacts:check task", function () {
  it("passes for the committed depth-20 artifacts and verifier", async function () {
    expect(await runCheck(20)).to.equal(0);
  });

  it("fails for a depth whose Solidity verifier was never exported", async function () {
    expect(await runCheck(5)).to.equal(1);
  });
});
