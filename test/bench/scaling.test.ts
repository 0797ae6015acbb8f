// The scaling benchmark's pipeline at N = 20 (one slot end to end through the real contracts) and the
// Algorithm 1 comparison at 10 earlier trades (issue 7).
import hre from "hardhat";
import { expect } from "chai";
import { takeSnapshot, type SnapshotRestorer } from "@nomicfoundation/hardhat-network-helpers";

import {
  DEFAULT_SCALING,
  SLOT_PHASES,
  runScalingSlot,
  runScanComparison,
  type ScalingRun,
} from "../../scripts/bench/scaling-run";
import {
  benchMarkdown,
  buildReport,
  scalingChart,
  algorithm1Chart,
} from "../../scripts/bench/scaling-report";
import { lineChart } from "../../scripts/report/svg";

const USERS = 20;

describe("runScalingSlot", function () {
  let snapshot: SnapshotRestorer;
  let run: ScalingRun;

  before(async function () {
    snapshot = await takeSnapshot();
    run = await runScalingSlot(hre, { ...DEFAULT_SCALING, users: USERS });
  });

  after(async function () {
    await snapshot.restore();
  });

  it("settles every participant of the slot and makes every microgrid-slot final", function () {
    expect(run.checks.participants).to.equal(USERS);
    expect(run.checks.settled).to.equal(USERS);
    expect(run.checks.microgridSlotsFinal).to.equal(DEFAULT_SCALING.microgrids);
    expect(run.checks.settlementClosed).to.equal(true);
    expect(run.checks.tradedWh).to.be.greaterThan(0n);
  });

  it("conserves money: the coin supply and the market's holdings balance", function () {
    expect(run.checks.supplyConserved).to.equal(true);
    expect(run.checks.marketBalanced).to.equal(true);
  });

  it("records gas and transactions for every phase, and a total that is their sum", function () {
    let gas = 0n;
    for (const p of SLOT_PHASES) {
      expect(run.phases[p].gas, p).to.be.greaterThan(0n);
      expect(run.phases[p].transactions, p).to.be.greaterThan(0);
      expect(run.phases[p].gasPerUser, p).to.equal(Number(run.phases[p].gas) / USERS);
      gas += run.phases[p].gas;
    }
    expect(run.total.gas).to.equal(gas);
    expect(run.phases.orders.transactions).to.equal(USERS);
    expect(run.phases.settlement.transactions).to.equal(USERS);
    expect(run.setup.gas).to.be.greaterThan(0n);
  });

  it("writes a report whose table and chart show every phase", function () {
    const report = buildReport([run, { ...run, users: 2 * USERS }], [], 2);
    expect(report.perUserRatio!.orders).to.be.closeTo(1, 1e-12);
    const md = benchMarkdown(report);
    for (const p of SLOT_PHASES) expect(md).to.contain(p);
    const svg = scalingChart(report);
    expect(svg.match(/class="series"/g)).to.have.length(SLOT_PHASES.length + 1);
  });
});

describe("runScanComparison", function () {
  it("gives the same score with the thesis' scan as with running totals, at more gas", async function () {
    const snapshot = await takeSnapshot();
    try {
      const [row] = await runScanComparison(hre, [10]);
      expect(row.earlierTrades).to.equal(10);
      expect(row.scoreWad).to.be.within(6n * 10n ** 18n, 15n * 10n ** 18n);
      expect(row.thesisScanGas).to.be.greaterThan(row.runningTotalsGas);
      const chart = algorithm1Chart(buildReport([], [row], 2));
      expect(chart.match(/class="series"/g)).to.have.length(2);
    } finally {
      await snapshot.restore();
    }
  });
});

describe("lineChart with a logarithmic x axis", function () {
  it("places decades equally far apart", function () {
    const svg = lineChart({
      title: "log",
      x: { label: "x", log: true, ticks: [10, 100, 1000] },
      y: { label: "y" },
      series: [{ name: "s", points: [10, 100, 1000].map((x) => ({ x, y: 1 })) }],
    });
    const d = /class="series" d="M([\d.]+) [\d.]+L([\d.]+) [\d.]+L([\d.]+) /.exec(svg)!;
    const [a, b, c] = [Number(d[1]), Number(d[2]), Number(d[3])];
    expect(b - a).to.be.closeTo(c - b, 0.02);
  });

  it("refuses a non-positive x on a logarithmic axis", function () {
    expect(() =>
      lineChart({
        title: "log",
        x: { label: "x", log: true },
        y: { label: "y" },
        series: [{ name: "s", points: [{ x: 0, y: 1 }] }],
      }),
    ).to.throw(RangeError);
  });
});
