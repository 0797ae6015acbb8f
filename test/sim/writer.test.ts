// The report writer of scripts/report/writer.ts: CSV quoting, run ids, headline numbers, the money
// checks, and the files written to reports/<run-id>/ from a small synthetic SimulationResult.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseUnits } from "ethers";
import {
  csvField,
  headline,
  reportMarkdown,
  runId,
  toCsv,
  trpLevel,
  writeReport,
  type SimulationResult,
  type SlotRow,
  type TradeRow,
} from "../../scripts/report/writer";

const wad = (x: string): bigint => parseUnits(x, 18);
const THRESHOLDS: [bigint, bigint, bigint] = [wad("11.5"), wad("12.5"), wad("13.5")];
const T0 = Date.parse("2026-06-21T00:00:00Z") / 1000;

/** Two microgrids, four slots; honest trader "h1" climbs, malicious "m1" falls. */
function sampleResult(): SimulationResult {
  const slots: SlotRow[] = [];
  for (let slot = 0; slot < 4; slot++)
    for (const microgrid of [1, 2])
      slots.push({
        slot,
        timeUnix: T0 + slot * 900,
        microgrid,
        p1SellWadPerKWh: wad("0.10") + BigInt(slot) * wad("0.01"),
        p1BuyWadPerKWh: wad("0.25"),
        p2SellWadPerKWh: wad("0.12"),
        p2BuyWadPerKWh: wad("0.28"),
        tariffSellWadPerKWh: wad("0.08"),
        tariffBuyWadPerKWh: wad("0.32"),
        tradedWh: 1000 * microgrid,
        meteredImportWh: 1500,
        meteredExportWh: 900,
      });
  const trades: TradeRow[] = [];
  for (let slot = 0; slot < 4; slot++) {
    trades.push({
      trader: "h1",
      honest: true,
      slot,
      microgrid: 1,
      side: "sell",
      qtyWh: 500,
      alpha: 5,
      scoreAfterWad: wad(String(12 + 0.5 * (slot + 1))),
    });
    trades.push({
      trader: "m1, the bad one",
      honest: false,
      slot,
      microgrid: 2,
      side: "sell",
      qtyWh: 800,
      alpha: 1,
      scoreAfterWad: wad(String(12 - 0.25 * (slot + 1))),
    });
  }
  return {
    parameters: {
      prosumers: 1,
      consumers: 1,
      malicious: 1,
      microgrids: 2,
      validators: 2,
      dishonestValidators: 1,
      slots: 4,
      slotSeconds: 900,
      seed: 7,
      date: "2026-06-21",
      siteLatDeg: 52.4,
      siteLonDeg: 13.1,
      profiles: "built-in generator",
    },
    trpThresholdsWad: THRESHOLDS,
    slots,
    trades,
    blocks: [0, 1, 2, 3].flatMap((slot) => [
      { validator: "v1", honest: true, slot, microgrid: 1, tvWad: wad("4"), scoreAfterWad: wad("4.2") },
      {
        validator: "v2",
        honest: false,
        slot,
        microgrid: 2,
        tvWad: wad("1"),
        scoreAfterWad: wad(String(3 - slot * 0.5)),
      },
    ]),
    trpLevels: [0, 1, 2, 3].map((slot) => ({
      slot,
      levels: [0, 1, 1, 0] as [number, number, number, number],
    })),
    gas: [
      { name: "placeAsk", count: 8, totalGas: 960_000n, meanGas: 120_000 },
      { name: "settleAccount", count: 8, totalGas: 760_000n, meanGas: 95_000 },
    ],
    money: {
      issuedWad: wad("1000"),
      redeemedWad: wad("10"),
      burnedWad: wad("5"),
      rewardsMintedWad: wad("2"),
      totalSupplyWad: wad("987"),
      settlementInWad: wad("3.5"),
      settlementOutWad: wad("3.4"),
      settlementDustWad: wad("0.1"),
    },
  };
}

describe("report writer", function () {
  describe("csvField and toCsv", function () {
    it("quotes fields with commas, quotes, line breaks or outer spaces, and doubles quotes", function () {
      expect(csvField("plain")).to.equal("plain");
      expect(csvField(12n)).to.equal("12");
      expect(csvField(false)).to.equal("false");
      expect(csvField("a,b")).to.equal('"a,b"');
      expect(csvField('say "hi"')).to.equal('"say ""hi"""');
      expect(csvField("two\nlines")).to.equal('"two\nlines"');
      expect(csvField(" padded")).to.equal('" padded"');
    });

    it("writes a header and rows, and refuses a row of the wrong width", function () {
      expect(toCsv(["a", "b"], [[1, "x,y"]])).to.equal('a,b\n1,"x,y"\n');
      expect(() => toCsv(["a", "b"], [[1]])).to.throw(RangeError, /row 1 has 1 fields, header has 2/);
    });
  });

  describe("runId", function () {
    it("is the simulated date and the seed", function () {
      expect(runId("2026-06-21", 1)).to.equal("2026-06-21-seed1");
    });

    it("refuses a date that is not YYYY-MM-DD and a bad seed", function () {
      expect(() => runId("21.06.2026", 1)).to.throw(RangeError, /not YYYY-MM-DD/);
      expect(() => runId("2026-06-21", -1)).to.throw(RangeError, /seed -1/);
    });
  });

  describe("trpLevel", function () {
    it("maps scores to levels at the thresholds", function () {
      expect(trpLevel(wad("11.4999"), THRESHOLDS)).to.equal(1);
      expect(trpLevel(wad("11.5"), THRESHOLDS)).to.equal(2);
      expect(trpLevel(wad("13.4999"), THRESHOLDS)).to.equal(3);
      expect(trpLevel(wad("15"), THRESHOLDS)).to.equal(4);
    });
  });

  describe("headline", function () {
    it("takes each trader's last score and compares honest with malicious", function () {
      const h = headline(sampleResult());
      expect(h.honest).to.deep.equal({
        traders: 1,
        trades: 4,
        meanFinalScore: 14,
        meanFinalLevel: 4,
        meanAlpha: 5,
      });
      expect(h.malicious).to.deep.equal({
        traders: 1,
        trades: 4,
        meanFinalScore: 11,
        meanFinalLevel: 1,
        meanAlpha: 1,
      });
      expect(h.tradedWh).to.equal(4 * 3000);
      expect(h.honestValidatorsMeanFinalScore).to.equal(4.2);
      expect(h.dishonestValidatorsMeanFinalScore).to.equal(1.5);
    });

    it("passes the money checks of a consistent run and fails each broken one", function () {
      expect(headline(sampleResult())).to.include({
        supplyConserved: true,
        rewardsWithinBurns: true,
        settlementBalanced: true,
      });
      const r = sampleResult();
      r.money.totalSupplyWad += 1n;
      r.money.rewardsMintedWad = wad("6");
      r.money.settlementDustWad = -1n;
      expect(headline(r)).to.include({
        supplyConserved: false,
        rewardsWithinBurns: false,
        settlementBalanced: false,
      });
      expect(reportMarkdown(r, "x")).to.include("**VIOLATED**");
    });

    it("reports n/a, not NaN, for a run without trades or blocks", function () {
      const r = { ...sampleResult(), trades: [], blocks: [] };
      const h = headline(r);
      expect(h.honest.meanFinalScore).to.equal(null);
      const md = reportMarkdown(r, "x");
      expect(md).to.include("n/a");
      expect(md).to.not.include("NaN");
    });
  });

  describe("writeReport", function () {
    let out: string;
    before(function () {
      out = fs.mkdtempSync(path.join(os.tmpdir(), "simkit-report-"));
    });
    after(function () {
      fs.rmSync(out, { recursive: true, force: true });
    });

    it("writes report.md, summary.json, the CSVs and the SVG charts into <out>/<run-id>/", function () {
      const written = writeReport(sampleResult(), out);
      expect(written.runId).to.equal("2026-06-21-seed7");
      expect(written.dir).to.equal(path.join(out, "2026-06-21-seed7"));
      expect(fs.readdirSync(written.dir).sort()).to.deep.equal(
        [
          "blocks.csv",
          "energy.svg",
          "gas.csv",
          "gas.svg",
          "prices.svg",
          "report.md",
          "slots.csv",
          "summary.json",
          "trades.csv",
          "trp-levels.csv",
          "trp-levels.svg",
          "trust-scores.svg",
          "validator-scores.svg",
        ].sort(),
      );
      expect(written.files.slice().sort()).to.deep.equal(fs.readdirSync(written.dir).sort());
    });

    it("embeds every chart in report.md, and every embedded chart exists", function () {
      const { dir } = writeReport(sampleResult(), out);
      const md = fs.readFileSync(path.join(dir, "report.md"), "utf8");
      const images = [...md.matchAll(/!\[[^\]]+\]\(([^)]+)\)/g)].map((m) => m[1]);
      expect(images.sort()).to.deep.equal(
        fs
          .readdirSync(dir)
          .filter((f) => f.endsWith(".svg"))
          .sort(),
      );
      for (const section of [
        "## What was run",
        "## Parameters",
        "## Headline numbers",
        "## Money conservation",
        "## Prices",
        "## Energy",
        "## Validators",
        "## Gas per operation",
      ])
        expect(md).to.include(section);
      expect(md).to.include("| mean final trader score (0–15) | 14.00 | 11.00 |");
      expect(md).to.not.include("VIOLATED");
    });

    it("writes summary.json with decimal TRC strings and the headline", function () {
      const { dir } = writeReport(sampleResult(), out);
      const summary = JSON.parse(fs.readFileSync(path.join(dir, "summary.json"), "utf8"));
      expect(summary.runId).to.equal("2026-06-21-seed7");
      expect(summary.parameters.seed).to.equal(7);
      expect(summary.money.totalSupplyTrc).to.equal("987.0");
      expect(summary.trpThresholds).to.deep.equal(["11.5", "12.5", "13.5"]);
      expect(summary.headline.malicious.meanFinalLevel).to.equal(1);
      expect(summary.gas[0]).to.deep.equal({
        name: "placeAsk",
        count: 8,
        totalGas: "960000",
        meanGas: 120000,
      });
    });

    it("writes one CSV row per input row, quoting awkward trader names", function () {
      const { dir } = writeReport(sampleResult(), out);
      const slots = fs.readFileSync(path.join(dir, "slots.csv"), "utf8").trimEnd().split("\n");
      expect(slots).to.have.length(1 + 8);
      expect(slots[1]).to.equal("0,2026-06-21T00:00:00.000Z,1,0.1,0.25,0.12,0.28,0.08,0.32,1000,1500,900");
      const trades = fs.readFileSync(path.join(dir, "trades.csv"), "utf8").trimEnd().split("\n");
      expect(trades).to.have.length(1 + 8);
      expect(trades[2]).to.equal('"m1, the bad one",false,0,2,sell,800,1,11.75');
    });

    it("draws the honest and malicious score lines and a stacked TRP bar per slot", function () {
      const { dir } = writeReport(sampleResult(), out);
      const trust = fs.readFileSync(path.join(dir, "trust-scores.svg"), "utf8");
      expect((trust.match(/<path class="series"/g) ?? []).length).to.equal(2);
      const trp = fs.readFileSync(path.join(dir, "trp-levels.svg"), "utf8");
      expect((trp.match(/<rect class="bar"/g) ?? []).length).to.equal(8); // 4 slots × 2 non-zero levels
      const prices = fs.readFileSync(path.join(dir, "prices.svg"), "utf8");
      expect((prices.match(/<path class="series"/g) ?? []).length).to.equal(2 * 2 + 4);
    });
  });
});
