// The day simulation end to end on a small population (issue 7): 6 prosumers, 6 consumers (4 malicious) in
// 2 microgrids, 5 validators (1 dishonest), 12 slots through the real contracts, feeder and validator agents.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { expect } from "chai";
import { takeSnapshot, type SnapshotRestorer } from "@nomicfoundation/hardhat-network-helpers";

import { runSimulation } from "../../scripts/sim/driver";
import { simulationArgv } from "../../scripts/sim/argv";
import { CliError, DEFAULT_OPTIONS, type SimOptions } from "../../scripts/sim/cli";
import { headline, writeReport, type SimulationResult } from "../../scripts/report/writer";

const OPTIONS: SimOptions = {
  ...DEFAULT_OPTIONS,
  prosumers: 6,
  consumers: 6,
  malicious: 4,
  microgrids: 2,
  validators: 5,
  dishonestValidators: 1,
  slots: 12,
  seed: 7,
  // Later than any clock the other test files reach, so the chain can move forward to it.
  date: "2031-06-21",
  // Slot 0 is 00:00 UTC: at 150° E the twelve slots are 10:00–13:00 local time, with sun for the prosumers.
  siteLonDeg: 150,
};

describe("runSimulation", function () {
  let snapshot: SnapshotRestorer;
  let result: Awaited<ReturnType<typeof runSimulation>>;
  let outDir: string;

  before(async function () {
    snapshot = await takeSnapshot();
    result = await runSimulation(hre, OPTIONS);
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), "gridtrust-sim-"));
  });

  after(async function () {
    await snapshot.restore();
    fs.rmSync(outDir, { recursive: true, force: true });
  });

  it("ends the day with honest traders on a higher mean score and TRP level than malicious ones", function () {
    const h = headline(result);
    expect(h.honest.traders).to.be.within(4, 8);
    expect(h.malicious.traders).to.be.within(1, 4);
    expect(h.honest.meanFinalScore).to.be.greaterThan(h.malicious.meanFinalScore!);
    expect(h.honest.meanFinalLevel).to.be.greaterThan(h.malicious.meanFinalLevel!);
    expect(h.honest.meanAlpha).to.be.greaterThan(h.malicious.meanAlpha!);
  });

  it("conserves money over the whole day", function () {
    const h = headline(result);
    expect(h.supplyConserved).to.equal(true);
    expect(h.rewardsWithinBurns).to.equal(true);
    expect(h.settlementBalanced).to.equal(true);
    expect(result.money.settlementInWad).to.be.greaterThan(0n);
    expect(result.money.rewardsMintedWad).to.be.greaterThan(0n);
  });

  it("makes every microgrid-slot final and settles every participant-slot", function () {
    expect(result.checks.microgridSlotsFinal).to.equal(OPTIONS.slots * OPTIONS.microgrids);
    expect(result.checks.slotsClosed).to.equal(OPTIONS.slots);
    expect(result.checks.participantSlotsSettled).to.be.at.least(result.trades.length);
    expect(result.slots).to.have.length(OPTIONS.slots * OPTIONS.microgrids);
    expect(result.trpLevels).to.have.length(OPTIONS.slots);
    for (const row of result.trpLevels) expect(row.levels.reduce((a, b) => a + b, 0)).to.equal(12);
  });

  it("records final trade blocks by honest validators and the dishonest validator's missed rounds", function () {
    const finals = result.blocks.filter((b) => b.tvWad > 0n);
    expect(finals.length).to.be.greaterThan(0);
    expect(finals.every((b) => b.honest)).to.equal(true);
    expect(result.blocks.some((b) => !b.honest && b.tvWad === 0n)).to.equal(true);
  });

  it("finalizes every microgrid-slot by its committee while enough validators are eligible", function () {
    const consensus = result.consensus!;
    expect(consensus).to.have.length(OPTIONS.slots);
    for (const c of consensus) {
      expect(c.finalByCommittee + c.finalByDefault, `slot ${c.slot}`).to.equal(OPTIONS.microgrids);
      if (c.eligibleValidators >= c.minCommittee) expect(c.finalByDefault, `slot ${c.slot}`).to.equal(0);
    }
    // The keeper duty of the agents accounted the silent meters: the driver's fallback had nothing left.
    expect(result.gas.map((g) => g.name)).not.to.include("accountMissing (driver fallback)");
  });

  it("keeps prices between the grid's sell and buy tariff", function () {
    for (const s of result.slots) {
      for (const p of [s.p1SellWadPerKWh, s.p1BuyWadPerKWh, s.p2SellWadPerKWh, s.p2BuyWadPerKWh]) {
        expect(p).to.be.within(s.tariffSellWadPerKWh, s.tariffBuyWadPerKWh);
      }
    }
  });

  it("measures gas for every step of the day", function () {
    const names = new Set(result.gas.map((g) => g.name));
    for (const name of [
      "placeBid",
      "clear",
      "submitReadings",
      "propose",
      "attestBatch",
      "accountMissing",
      "runLevel2",
      "settle",
    ])
      expect(names, name).to.include(name);
  });

  it("writes the report with every table and chart", function () {
    const written = writeReport(result as SimulationResult, outDir);
    for (const file of [
      "report.md",
      "summary.json",
      "slots.csv",
      "trades.csv",
      "blocks.csv",
      "trp-levels.csv",
      "gas.csv",
      "trust-scores.svg",
      "validator-scores.svg",
      "prices.svg",
      "energy.svg",
      "trp-levels.svg",
      "gas.svg",
    ]) {
      expect(written.files).to.include(file);
      expect(fs.statSync(path.join(written.dir, file)).size, file).to.be.greaterThan(0);
    }
  });

  it("refuses a chain whose clock is already past the simulated day", async function () {
    await expect(runSimulation(hre, { ...OPTIONS, date: "2020-01-01" })).to.be.rejectedWith(
      /past the simulation's set-up time/,
    );
  });
});

describe("simulationArgv", function () {
  it("takes the flags after the script, without npm's --", function () {
    expect(simulationArgv(["--", "--slots", "4"], {})).to.deep.equal(["--slots", "4"]);
  });

  it("takes the flags from SIM_ARGS when the command line has none", function () {
    expect(simulationArgv([], { SIM_ARGS: " --slots 4  --seed 2 " })).to.deep.equal([
      "--slots",
      "4",
      "--seed",
      "2",
    ]);
  });

  it("refuses flags in both places", function () {
    expect(() => simulationArgv(["--slots", "4"], { SIM_ARGS: "--seed 2" })).to.throw(CliError, /both/);
  });
});
