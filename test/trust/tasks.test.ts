// The Hardhat tasks of scripts/tasks/trust.ts, run in-process against the fixture's oracle.
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { WAD, deployOracle } from "./fixtures";
import { runTaskQuietly as runQuiet } from "../shared/tasks";

async function deployWithActivity() {
  const ctx = await deployOracle();
  const { oracle, holders, traders, validators, ledger } = ctx;
  await oracle.connect(holders.TRADE_SCORER_ROLE).recordTrade(traders[0].address, 5n, 5, 3n * WAD);
  await oracle.connect(holders.VALIDATOR_SCORER_ROLE).initValidator(validators[0].address);
  await ledger.setSettledTrade(traders[0].address, 5n, true);
  await oracle.connect(traders[0]).giveFeedback(5n, 4, 3);
  return ctx;
}

describe("trust tasks", function () {
  describe("trust:score", function () {
    it("prints the trader's score, TRP level, trades and coins traded", async function () {
      const { oracle, traders } = await loadFixture(deployWithActivity);
      const [score] = await oracle.traderState(traders[0].address);
      const { result, printed } = await runQuiet("trust:score", {
        oracle: await oracle.getAddress(),
        account: traders[0].address,
      });
      expect(result).to.deep.equal({
        account: traders[0].address,
        score: hre.ethers.formatUnits(score, 18),
        trpLevel: Number(await oracle.trpLevelOf(traders[0].address)),
        trades: 1n,
        coinsTraded: "3.0",
      });
      expect(printed).to.contain(hre.ethers.formatUnits(score, 18)).and.contain("3.0 TRC");
    });

    it("rejects an --account that is not an address", async function () {
      const { oracle } = await loadFixture(deployWithActivity);
      await expect(
        runQuiet("trust:score", { oracle: await oracle.getAddress(), account: "0x1234" }),
      ).to.be.rejectedWith(/--account: "0x1234" is not an address/);
    });

    it("rejects an --oracle without a contract", async function () {
      const { traders } = await loadFixture(deployWithActivity);
      await expect(
        runQuiet("trust:score", { oracle: traders[1].address, account: traders[0].address }),
      ).to.be.rejectedWith(/--oracle: no contract at/);
    });
  });

  describe("trust:validator", function () {
    it("prints the validator's score, counted blocks and join time", async function () {
      const { oracle, validators } = await loadFixture(deployWithActivity);
      const [, , joinedAt] = await oracle.validatorState(validators[0].address);
      const { result } = await runQuiet("trust:validator", {
        oracle: await oracle.getAddress(),
        account: validators[0].address,
      });
      expect(result).to.deep.equal({
        account: validators[0].address,
        known: true,
        score: "3.0",
        proposedBlocks: 1n,
        joinedAt,
      });
    });

    it("rejects an --oracle that is not an address", async function () {
      const { validators } = await loadFixture(deployWithActivity);
      await expect(
        runQuiet("trust:validator", { oracle: "oracle", account: validators[0].address }),
      ).to.be.rejectedWith(/--oracle: "oracle" is not an address/);
    });
  });

  describe("trust:platform", function () {
    it("prints the platform score and the number of feedbacks", async function () {
      const { oracle } = await loadFixture(deployWithActivity);
      const { result, printed } = await runQuiet("trust:platform", { oracle: await oracle.getAddress() });
      expect(result).to.deep.equal({ score: "3.5", feedbacks: 1n });
      expect(printed).to.contain("3.5 / 5");
    });
  });
});
